import { describe, expect, it } from 'vitest';
import { derivative } from './derivative.js';
import { compileScalar, evaluate } from './evaluate.js';
import { abs, gt, max, min, mul, param, select, sigmoid, softplus, tanh, x } from './expression.js';
import { toText } from './print.js';
import { randomExpression, rng } from './random-expression.test-util.js';

describe('symbolic derivative', () => {
  it('matches central differences for 300 random expressions away from kinks', () => {
    const random = rng(42);
    let checked = 0;
    for (let k = 0; k < 300; k++) {
      const e = randomExpression(random, 4);
      const f = compileScalar(e);
      const d = compileScalar(derivative(e));
      for (const v of [-2.3, -0.7, 0.35, 1.9]) {
        const h = 1e-6;
        const left = (f(v) - f(v - h)) / h;
        const right = (f(v + h) - f(v)) / h;
        if (
          !Number.isFinite(left) ||
          !Number.isFinite(right) ||
          Math.abs(left - right) > 1e-3 * (1 + Math.abs(left))
        )
          continue;
        const central = (f(v + h) - f(v - h)) / (2 * h);
        expect(Math.abs(d(v) - central), `${toText(e)} at ${v}`).toBeLessThan(
          1e-5 * (1 + Math.abs(central)),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(800);
  });

  it('uses PyTorch’s conventions at kinks', () => {
    expect(evaluate(derivative(max(x, 0)), 0)).toBe(0);
    expect(evaluate(derivative(abs(x)), 0)).toBe(0);
    expect(evaluate(derivative(min(max(x, 0), 6)), 6)).toBe(0);
    expect(evaluate(derivative(select(gt(x, 0), x, mul(0.1, x))), 0)).toBe(0.1);
  });

  it('uses stable forms (no 1 - tanh² or 1 - σ cancellation)', () => {
    expect(evaluate(derivative(tanh(x)), 20)).toBeGreaterThan(1e-18);
    expect(Math.abs(evaluate(derivative(tanh(x)), 20) / 1.6993417021166355e-17 - 1)).toBeLessThan(
      1e-12,
    );
    expect(evaluate(derivative(sigmoid(x)), 40)).toBeCloseTo(4.248354255291589e-18, 30);
    expect(toText(derivative(softplus(x)))).toBe('sigmoid(x)');
  });

  it('differentiates with respect to a parameter', () => {
    const prelu = select(gt(x, 0), x, mul(param('alpha'), x));
    const d = derivative(prelu, { param: 'alpha' });
    expect(evaluate(d, -3, { alpha: 0.25 })).toBe(-3);
    expect(evaluate(d, 2, { alpha: 0.25 })).toBe(0);
    expect(toText(derivative(mul(param('beta'), x), { param: 'beta' }))).toBe('x');
  });
});
