import { describe, expect, it } from 'vitest';
import { mul, neg, powi, x } from './expression.js';
import { exactSquareOf, scaledInput, scaledSquare } from './patterns.js';

describe('exact-square patterns', () => {
  it('recognises squares it can form exactly', () => {
    expect(scaledSquare(powi(x, 2))).toBe(1);
    expect(scaledSquare(neg(powi(mul(-Math.SQRT1_2, x), 2)))).toBe(-0.5);
    expect(scaledSquare(mul(-2, powi(x, 2)))).toBe(-2);
    expect(scaledSquare(mul(3, powi(x, 2)))).toBeUndefined(); // 3·A would round
    expect(scaledSquare(powi(mul(0.3, x), 2))).toBeUndefined();
    expect(scaledSquare(powi(mul(0, x), 2))).toBeUndefined();
  });

  it('finds c·x with c² a power of two', () => {
    expect(scaledInput(mul(-Math.SQRT1_2, x))).toBe(-Math.SQRT1_2);
    expect(scaledInput(mul(0.3, x))).toBeUndefined();
    expect(exactSquareOf(Math.SQRT2)).toBe(2);
  });
});

describe('conditions on c·x + d as thresholds on x', () => {
  it('turns c·x + d < k into x < t, with t rounded so float32 x decides as the reals do', async () => {
    const { add, max, mul, x: input } = await import('./expression.js');
    const { inputThreshold } = await import('./patterns.js');
    const c = 1 / 6;
    const affine = add(mul(c, input), 0.5);
    // hard-sigmoid′'s condition: max(x/6 + 1/2, 0) < 1 ⟺ x < 3, where float32 computes
    // fl(fl(x/6) + 1/2) = 1 for x = 2.9999998 and calls it false
    const t = inputThreshold('lt', max(affine, 0), { kind: 'const', value: 1 })!;
    expect(t).toEqual({ op: 'lt', threshold: 3 });
    expect(Math.fround(Math.fround(Math.fround(2.9999998) * Math.fround(c)) + 0.5)).toBe(1);
    // a threshold between float32 values rounds up for <: x < 0.1 ⟺ x < fround-up(0.1)
    const tenth = inputThreshold('lt', input, { kind: 'const', value: 0.1 })!;
    expect(tenth.threshold).toBeGreaterThanOrEqual(0.1);
    expect(Math.fround(tenth.threshold)).toBe(tenth.threshold);
    // a negative c flips the order; other shapes are left alone
    expect(inputThreshold('lt', mul(-2, input), { kind: 'const', value: 1 })).toEqual({
      op: 'gt',
      threshold: -0.5,
    });
    expect(inputThreshold('eq', affine, { kind: 'const', value: 1 })).toBeUndefined();
    expect(inputThreshold('lt', mul(input, input), { kind: 'const', value: 1 })).toBeUndefined();
  });
});
