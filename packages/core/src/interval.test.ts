import { describe, expect, it } from 'vitest';
import { compileScalar } from './evaluate.js';
import { mul, sigmoid, x } from './expression.js';
import {
  contains,
  containsClosure,
  enclose,
  formatInterval,
  interval,
  intervalToLatex,
  isSubset,
  rangeOf,
} from './interval.js';
import { parseExpression } from './parse.js';
import { toText } from './print.js';
import { randomExpression, rng } from './random-expression.test-util.js';

describe('Interval', () => {
  it('has open and closed ends, infinite ends open', () => {
    const unit = interval(0, 1, '()');
    expect(contains(unit, 0)).toBe(false);
    expect(contains(unit, 0.5)).toBe(true);
    expect(containsClosure(unit, 0)).toBe(true);
    const half = interval(0, Number.POSITIVE_INFINITY, '[]');
    expect(half.hiClosed).toBe(false);
    expect(formatInterval(half)).toBe('[0, ∞)');
    expect(intervalToLatex(interval(-1, 1, '(]'))).toBe('(-1, 1]');
    expect(isSubset(interval(0, 1, '()'), interval(0, 1, '[]'))).toBe(true);
    expect(isSubset(interval(0, 1, '[]'), interval(0, 1, '()'))).toBe(false);
    expect(() => interval(1, 0)).toThrow(/empty/);
  });
});

describe('interval evaluation', () => {
  it('encloses every sampled value of 300 random expressions (soundness)', () => {
    const random = rng(7);
    for (let k = 0; k < 300; k++) {
      const e = randomExpression(random, 4);
      const f = compileScalar(e);
      for (const [lo, hi] of [
        [-3, -1],
        [-0.5, 0.75],
        [0, 2.5],
        [-10, 10],
      ] as const) {
        const box = enclose(e, { lo, hi, nan: false });
        for (let i = 0; i <= 40; i++) {
          const v = f(lo + ((hi - lo) * i) / 40);
          if (Number.isNaN(v)) continue;
          const slack = 1e-12 * (1 + Math.abs(v));
          expect(v, `${toText(e)} on [${lo}, ${hi}]`).toBeGreaterThanOrEqual(box.lo - slack);
          expect(v, `${toText(e)} on [${lo}, ${hi}]`).toBeLessThanOrEqual(box.hi + slack);
        }
      }
    }
  });

  it('is tight on monotone functions and tightened by subdivision elsewhere', () => {
    expect(enclose(sigmoid(x), { lo: 0, hi: Number.POSITIVE_INFINITY, nan: false })).toEqual({
      lo: 0.5,
      hi: 1,
      nan: false,
    });
    const silu = rangeOf(mul(x, sigmoid(x)));
    expect(silu.lo).toBeLessThanOrEqual(-0.2784645427610738);
    expect(silu.lo).toBeGreaterThan(-0.3);
    expect(silu.hi).toBe(Number.POSITIVE_INFINITY);
    const bump = rangeOf(parseExpression('exp(-x^2)'));
    expect(bump.lo).toBe(0);
    expect(bump.hi).toBe(1);
  });

  it('flags NaN where the expression can produce it', () => {
    expect(enclose(parseExpression('log(x)'), { lo: -1, hi: 1, nan: false }).nan).toBe(true);
    expect(enclose(parseExpression('sqrt(x)'), { lo: 1, hi: 4, nan: false })).toEqual({
      lo: 1,
      hi: 2,
      nan: false,
    });
  });
});
