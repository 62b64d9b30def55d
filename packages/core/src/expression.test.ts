import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import {
  add,
  bindParams,
  dependsOnInput,
  exprKey,
  gt,
  max,
  mul,
  param,
  paramNames,
  powi,
  select,
  sigmoid,
  x,
} from './expression.js';
import { expandLibrary } from './library.js';

describe('expressions', () => {
  it('are immutable and keyed by structure', () => {
    const a = mul(x, sigmoid(mul(1.702, x)));
    const b = mul(x, sigmoid(mul(1.702, x)));
    expect(a).not.toBe(b);
    expect(exprKey(a)).toBe(exprKey(b));
    expect(Object.isFrozen(a)).toBe(true);
    expect(exprKey(mul(x, 0))).not.toBe(exprKey(mul(x, -0)));
  });

  it('track parameters and binding', () => {
    const e = select(gt(x, 0), x, mul(param('alpha'), x));
    expect([...paramNames(e)]).toEqual(['alpha']);
    const bound = bindParams(e, { alpha: 0.1 });
    expect(paramNames(bound).size).toBe(0);
    expect(evaluate(bound, -2)).toBeCloseTo(-0.2, 15);
    expect(evaluate(e, -2, { alpha: 0.3 })).toBeCloseTo(-0.6, 15);
    expect(() => evaluate(e, -2)).toThrow(/alpha/);
  });

  it('powi accepts only integers', () => {
    expect(evaluate(powi(x, 3), -2)).toBe(-8);
    expect(evaluate(powi(x, -2), 2)).toBe(0.25);
    expect(() => powi(x, 0.5)).toThrow(/integer/);
  });

  it('knows what depends on x', () => {
    expect(dependsOnInput(add(1, param('a')))).toBe(false);
    expect(dependsOnInput(max(x, 0))).toBe(true);
  });

  it('expands library functions to forms equal to the float64 ones', () => {
    const forms = ['portable', 'float64'] as const;
    for (const form of forms) {
      const s = expandLibrary(sigmoid(x), form);
      for (const v of [
        -800,
        -700,
        -30,
        -1,
        0,
        1,
        30,
        800,
        Number.NEGATIVE_INFINITY,
        Number.POSITIVE_INFINITY,
      ]) {
        const reference = evaluate(sigmoid(x), v);
        const got = evaluate(s, v);
        expect(Math.abs(got - reference)).toBeLessThanOrEqual(2.3e-16 * Math.abs(reference));
      }
      expect(evaluate(s, Number.NaN)).toBeNaN();
    }
  });
});
