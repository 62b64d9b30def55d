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
