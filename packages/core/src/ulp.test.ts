import { describe, expect, it } from 'vitest';
import {
  FLUSH_FLOOR,
  flushForgives,
  float32Error,
  ulpDistanceFloat32,
  ulpFloat32,
  ulpFloat64,
} from './ulp.js';

describe('ULP', () => {
  it('is the spacing of the binade, also just below a power of two', () => {
    expect(ulpFloat32(1)).toBe(2 ** -23);
    expect(ulpFloat32(1.5)).toBe(2 ** -23);
    expect(ulpFloat32(-3)).toBe(2 ** -22);
    // Math.log2(2 - 2^-52) rounds to 1: a ULP from it would be 2^-22, twice too large
    expect(ulpFloat32(2 - 2 ** -52)).toBe(2 ** -23);
    expect(ulpFloat32(2 ** 100 * (1 - 2 ** -53))).toBe(2 ** (99 - 23));
    expect(ulpFloat32(1.1754943508222875e-38)).toBe(2 ** -149);
    expect(ulpFloat32(1e-40)).toBe(2 ** -149);
    expect(ulpFloat32(3.4028234663852886e38)).toBe(2 ** 104);
    expect(ulpFloat32(1e300)).toBe(2 ** (Math.floor(Math.log2(1e300)) - 23));
    expect(ulpFloat32(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(ulpFloat64(1)).toBe(2 ** -52);
    expect(ulpFloat64(2 - 2 ** -52)).toBe(2 ** -52);
    expect(ulpFloat64(1e-310)).toBe(2 ** -1074);
  });

  it('measures errors in those units', () => {
    const below = 2 - 2 ** -30; // a float64 truth just below 2
    expect(ulpDistanceFloat32(2, below)).toBeCloseTo(2 ** -30 / 2 ** -23, 12);
    expect(float32Error(Math.fround(0.1), 0.1)).toBeLessThan(0.5);
    expect(float32Error(Number.NaN, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('flushForgives', () => {
  it('forgives a subnormal truth coming back as 0 or a subnormal, never a normal one', () => {
    expect(flushForgives(0, 1e-40, FLUSH_FLOOR)).toBe(true);
    expect(flushForgives(-0, 3e-39, FLUSH_FLOOR)).toBe(true);
    expect(flushForgives(2e-39, 1e-39, FLUSH_FLOOR)).toBe(true);
    // a normal truth flushed (silu(-88) → 0 on a flushing device) is an error however small
    expect(flushForgives(0, 1.5e-38, FLUSH_FLOOR)).toBe(false);
    expect(flushForgives(1e-36, 1.0003e-36, FLUSH_FLOOR)).toBe(false);
    // no allowance at all without a floor
    expect(flushForgives(0, 1e-40, 0)).toBe(false);
  });
});
