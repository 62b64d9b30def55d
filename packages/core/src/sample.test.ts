import { describe, expect, it } from 'vitest';
import { lt, mul, select, sigmoid, x } from './expression.js';
import {
  float32Sample,
  primeStepSample,
  probeSample,
  SAMPLE_SIZE,
  seedOf,
  switchPoints,
  thresholdInputs,
} from './sample.js';
import { accuracyInputs } from './ulp.js';

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('float32 sampler', () => {
  it('spreads a prime-step sample over every exponent, both signs and the low mantissa bits', () => {
    const words = bitsOf(primeStepSample(SAMPLE_SIZE, 1365));
    const exponents = new Set<number>();
    const lowBits = new Set<number>();
    let negative = 0;
    for (const w of words) {
      exponents.add((w >>> 23) & 0xff);
      lowBits.add(w & 0xfff);
      if (w >>> 31) negative++;
    }
    expect(exponents.size).toBe(256); // every binade, subnormals and ∞/NaN included
    // a step of 4,096 from 0 would give one pattern of the low 12 bits; this gives them all
    expect(lowBits.size).toBe(4096);
    expect(negative / words.length).toBeGreaterThan(0.49);
    expect(negative / words.length).toBeLessThan(0.51);
  });

  it('is deterministic per seed and rotates its offset with the seed', () => {
    const e = mul(x, sigmoid(x));
    expect(float32Sample(e, 7)).toEqual(float32Sample(e, 7));
    const a = bitsOf(float32Sample(e, seedOf('silu|forward')));
    const b = bitsOf(float32Sample(e, seedOf('silu|derivative')));
    expect(a[0]).not.toBe(b[0]);
  });

  it("finds a kernel's switch points: its selects' constants and e^x's edges scaled by c", () => {
    const points = switchPoints(select(lt(x, -13.1), 0, sigmoid(mul(2, x))));
    expect(points).toContain(Math.fround(-13.1));
    expect(points).toContain(Math.fround(13.1));
    expect(points).toContain(Math.fround(88.72284 / 2)); // σ(2x) overflows its e^x at x = 44.36
    expect(points).toContain(Math.fround(-103.97208));
  });

  it('holds the 129 floats around each point and a spread over the two binades either side', () => {
    const near = thresholdInputs([1]);
    const words = bitsOf(near);
    const one = 0x3f800000;
    for (let d = -64; d <= 64; d++) expect(words).toContain(one + d);
    const values = Array.from(near);
    expect(Math.min(...values)).toBeLessThan(0.26);
    expect(Math.max(...values)).toBeGreaterThan(3.9);
    expect(values.every((v) => v > 0)).toBe(true);
  });

  it('gives probes the dense grid, the spread, the edges and ±0, ±∞, NaN', () => {
    const probe = probeSample();
    expect(probe.length).toBeGreaterThan(accuracyInputs().length + SAMPLE_SIZE);
    const values = Array.from(probe);
    expect(values.some(Number.isNaN)).toBe(true);
    expect(values).toContain(Number.POSITIVE_INFINITY);
    expect(values).toContain(Number.NEGATIVE_INFINITY);
    expect(values.some((v) => Object.is(v, -0))).toBe(true);
    expect(values).toContain(2 ** -149);
  });
});
