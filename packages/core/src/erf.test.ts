import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { erf, erfc } from './erf.js';
import { ulpDistanceFloat64 } from './ulp.js';

const { values } = JSON.parse(
  readFileSync(new URL('./erf.reference.json', import.meta.url), 'utf8'),
) as {
  values: Array<[number, number, number]>;
};

describe('erf / erfc (float64)', () => {
  it('are within 4 ULP of 50-digit mpmath values over [-27, 27]', () => {
    let worstErf = 0;
    let worstErfc = 0;
    for (const [x, e, c] of values) {
      worstErf = Math.max(worstErf, ulpDistanceFloat64(erf(x), e));
      if (c !== 0) worstErfc = Math.max(worstErfc, ulpDistanceFloat64(erfc(x), c));
    }
    expect(values.length).toBeGreaterThan(800);
    expect(worstErf).toBeLessThanOrEqual(4);
    expect(worstErfc).toBeLessThanOrEqual(4);
  });

  it('keeps relative accuracy deep in the erfc tail', () => {
    expect(Math.abs(erfc(10) - 2.088487583762545e-45) / 2.088487583762545e-45).toBeLessThan(1e-15);
    expect(erfc(26)).toBeGreaterThan(0);
    expect(erfc(30)).toBe(0);
  });

  it('handles the special values', () => {
    expect(erf(0)).toBe(0);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erf(Number.NaN)).toBeNaN();
    expect(erfc(Number.NaN)).toBeNaN();
  });
});
