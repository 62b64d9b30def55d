import { describe, expect, it } from 'vitest';
import { lt, mul, select, sigmoid, x } from './expression.js';
import {
  holeIntervals,
  float32Sample,
  floatsAround,
  primeStepSample,
  probeSample,
  rootIntervals,
  rootsOf,
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

describe('roots', () => {
  it('finds the simple roots of a function, not its jumps, and samples the floats around them', () => {
    // the tanh-GELU's Φ with the exact Gaussian's x·φ: a function with one root, near -0.75
    const gelu1 = (v: number) => {
      const phi = Math.exp((-v * v) / 2) / Math.sqrt(2 * Math.PI);
      return 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))) + v * phi;
    };
    const [r] = rootsOf(gelu1);
    expect(r).toBeGreaterThan(-0.8);
    expect(r).toBeLessThan(-0.7);
    expect(Math.abs(gelu1(r!))).toBeLessThan(1e-15);
    expect(rootsOf(Math.sin, -10, 10).map((v) => Math.round(v / Math.PI))).toEqual([
      -3, -2, -1, 1, 2, 3,
    ]);
    expect(rootsOf((v) => (v < 0.3 ? -1 : 1))).toEqual([]); // a jump
    expect(rootsOf((v) => v - 1.5)).toEqual([1.5]); // on a grid point
    expect(rootsOf((v) => v)).toEqual([]); // 0: kernels compute x·(…) relatively there
    // the sample of an expression holds the floats around its roots
    const e = mul(x, select(lt(x, -0.5), sigmoid(x), sigmoid(mul(-1, x))));
    const around = floatsAround(-0.5, 3);
    expect(around).toHaveLength(7);
    expect(around[3]).toBe(-0.5);
    expect(around[4]).toBe(-(0.5 + 2 ** -24)); // one bit pattern up: the next magnitude
    expect(float32Sample(e).length).toBeGreaterThan(SAMPLE_SIZE);
  });

  it('gives intervals that cover failures at roots, and none for failures elsewhere', () => {
    const root = -0.75179152;
    const near = floatsAround(root, 3);
    const intervals = rootIntervals(near, [root])!;
    expect(intervals).toHaveLength(1);
    for (const v of near) {
      expect(v).toBeGreaterThanOrEqual(intervals[0]![0]);
      expect(v).toBeLessThanOrEqual(intervals[0]![1]);
    }
    expect(intervals[0]![1] - intervals[0]![0]).toBeLessThan(1e-5);
    expect(rootIntervals([...near, 0.3], [root])).toBeUndefined();
  });
});

describe('holeIntervals', () => {
  it('covers each failing input with the gap between its passing neighbours, merged', () => {
    const passing = [-3, -2, -1, 0, 1, 2, 3];
    expect(holeIntervals([-1.5, -1.2, 2.5], passing)).toEqual([
      [-2, -1],
      [2, 3],
    ]);
    // failures in neighbouring gaps: one interval across the passing point between them
    expect(holeIntervals([0.5, 1.5], passing)).toEqual([[0, 2]]);
    expect(holeIntervals([-9, 9], passing)).toEqual([
      [Number.NEGATIVE_INFINITY, -3],
      [3, Number.POSITIVE_INFINITY],
    ]);
    expect(holeIntervals([], passing)).toEqual([]);
  });

  it('is undefined when the failures need more intervals than the limit', () => {
    const passing = Array.from({ length: 100 }, (_, i) => i);
    expect(holeIntervals([0.5, 10.5, 20.5], passing, 2)).toBeUndefined();
    expect(holeIntervals([0.5, 10.5], passing, 2)).toHaveLength(2);
  });
});
