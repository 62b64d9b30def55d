import { describe, expect, it } from 'vitest';
import { derivative } from './derivative.js';
import { evaluate } from './evaluate.js';
import {
  abs,
  add,
  constant,
  div,
  exp,
  gt,
  max,
  mul,
  neg,
  powi,
  select,
  sub,
  x,
} from './expression.js';
import { parseExpression } from './parse.js';
import { toText } from './print.js';
import { guardNaN, propagatesNaN, simplify } from './simplify.js';

describe('simplify', () => {
  it('folds constants and removes identities', () => {
    expect(toText(simplify(add(mul(1, x), 0)))).toBe('x');
    expect(toText(simplify(mul(2, mul(3, x))))).toBe('6 * x');
    expect(toText(simplify(sub(x, neg(x))))).toBe('x + x');
    expect(toText(simplify(div(exp(constant(0)), 1)))).toBe('1');
    expect(toText(simplify(neg(neg(x))))).toBe('x');
    expect(toText(simplify(abs(neg(x))))).toBe('abs(x)');
    expect(toText(simplify(mul(x, x)))).toBe('x^2');
    expect(toText(simplify(mul(x, div(1, add(1, x)))))).toBe('x / (1 + x)');
    expect(toText(simplify(powi(x, 1)))).toBe('x');
    expect(toText(simplify(select(gt(x, 0), x, x)))).toBe('x');
    expect(toText(simplify(select(gt(constant(1), 0), x, 0)))).toBe('x');
  });

  it('keeps the value of every expression it rewrites', () => {
    const samples = [
      'x * sigmoid(1.702 * x) - 0 * x',
      '(x + 0) / 1 * 1 + -(-x)',
      'max(x, 0) * 2 * 3',
      'exp(-(-x)) * (1 / (2 + x))',
    ];
    for (const text of samples) {
      const e = parseExpression(text);
      const s = simplify(e);
      for (const v of [-3, -0.5, 0.25, 2]) expect(evaluate(s, v)).toBeCloseTo(evaluate(e, v), 14);
    }
  });
});

describe('NaN guard', () => {
  it('is added only where NaN could be lost', () => {
    expect(propagatesNaN(max(x, 0))).toBe(true);
    expect(propagatesNaN(select(gt(x, 0), x, 0))).toBe(false);
    expect(propagatesNaN(select(gt(x, 0), 1, x))).toBe(true);
    const relu = select(gt(x, 0), x, 0);
    expect(evaluate(relu, Number.NaN)).toBe(0);
    expect(evaluate(guardNaN(relu), Number.NaN)).toBeNaN();
    expect(guardNaN(max(x, 0))).toEqual(max(x, 0));
  });

  it('makes constant derivatives NaN for NaN input', () => {
    const d = derivative(select(gt(x, 0), 1, 0));
    expect(toText(d)).toBe('0');
    expect(evaluate(guardNaN(d), Number.NaN)).toBeNaN();
  });
});

describe('powi', () => {
  it('differentiates and simplifies', () => {
    expect(toText(derivative(powi(x, 3)))).toBe('3 * x^2');
  });
});
