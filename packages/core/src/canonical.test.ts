import { describe, expect, it } from 'vitest';
import { defineActivation } from './activation.js';
import { canonicalize } from './canonical.js';
import { erfc, mul, sigmoid, softplus, tanh, x } from './expression.js';
import { parseExpression } from './parse.js';
import { toText } from './print.js';
import { simplify } from './simplify.js';
import { exprKey, nodesOf } from './structure.js';

const canonical = (text: string) => toText(canonicalize(parseExpression(text)));

describe('canonical spellings', () => {
  it.each([
    ['1/(1+exp(-x))', 'sigmoid(x)'],
    ['1/(exp(-x)+1)', 'sigmoid(x)'],
    ['exp(x)/(1+exp(x))', 'sigmoid(x)'],
    ['1 - sigmoid(x)', 'sigmoid(-x)'],
    ['x/(1+exp(-x))', 'x * sigmoid(x)'],
    ['x/(1+exp(-1.702*x))', 'x * sigmoid(1.702 * x)'],
    ['log(1+exp(x))', 'softplus(x)'],
    ['log1p(exp(x))', 'softplus(x)'],
    ['x*tanh(log(1+exp(x)))', 'x * tanh(softplus(x))'],
    ['1 + erf(x/sqrt(2))', 'erfc(-0.7071067811865475 * x)'],
    ['1 - erf(x)', 'erfc(x)'],
    ['erfc(-x/sqrt(2))', 'erfc(-0.7071067811865475 * x)'],
    ['erfc(-(x/sqrt(2)))', 'erfc(-0.7071067811865475 * x)'],
    ['exp(-(x/2)^2)', 'exp(-(0.5 * x)^2)'],
  ])('%s → %s', (spelling, form) => {
    expect(canonical(spelling)).toBe(form);
  });

  it('leaves what has no better form alone, and keeps x / c outside functions', () => {
    for (const text of [
      'x / 6 + 0.5',
      'x * sigmoid(x)',
      'exp(x) / (2 + exp(x))',
      'log(2 + exp(x))',
    ])
      expect(canonical(text)).toBe(toText(simplify(parseExpression(text))));
  });

  it('writes softplus(βx)/β so that βx cannot overflow, and leaves β = 1 as softplus', () => {
    expect(canonical('softplus(2*x)/2')).toBe('max(x, 0) + softplus(-2 * abs(x)) / 2');
    expect(canonical('softplus(1*x)/1')).toBe('softplus(x)');
  });

  it("gives a user's spelling the zoo's own kernel expressions", () => {
    const zooLike = (forward: ReturnType<typeof mul>) =>
      defineActivation({ id: 'zoo-like', forward }).create();
    const cases: Array<[string, ReturnType<typeof mul>]> = [
      ['x/(1+exp(-x))', mul(x, sigmoid(x))],
      ['x*tanh(log(1+exp(x)))', mul(x, tanh(softplus(x)))],
      ['log(1+exp(x))', softplus(x)],
      ['1/(1+exp(-x))', sigmoid(x)],
      ['0.5*x*(1+erf(x/sqrt(2)))', mul(mul(0.5, x), erfc(mul(-0.7071067811865475, x)))],
    ];
    for (const [spelling, form] of cases) {
      const user = defineActivation({ id: 'user', forward: spelling }).create();
      const own = zooLike(form);
      expect(exprKey(user.kernels.forward), spelling).toBe(exprKey(own.kernels.forward));
      expect(exprKey(user.kernels.derivative), spelling).toBe(exprKey(own.kernels.derivative));
    }
  });

  it('is linear in the size of a shared tree', () => {
    let e = parseExpression('x');
    for (let i = 0; i < 200; i++) e = mul(e, e); // 2^200 paths, 201 distinct nodes
    expect(nodesOf(canonicalize(e))).toHaveLength(201);
  });
});
