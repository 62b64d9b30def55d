import { interval } from '@activations/core';
import { describe, expect, it } from 'vitest';
import { check, emptyTally, mergeTally, rangeCheck } from './verify-check.js';

describe('the exhaustive verifier’s counts', () => {
  it('counts each kind of broken promise, and the worst error with its input', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const want = Float64Array.of(0.5, 1e-30, 2, 0, Number.POSITIVE_INFINITY, Number.NaN, 1, 4e38);
    const got = Float32Array.of(
      0.5,
      0,
      Number.NaN,
      -0,
      3e38,
      1,
      Math.fround(1 + 4 * 2 ** -23),
      Number.POSITIVE_INFINITY,
    );
    const tally = emptyTally();
    check(tally, x, got, want, rangeCheck(interval(0, 10)), 3);
    expect(tally).toMatchObject({
      checked: 8,
      flushed: 1, // 1e-30 is a normal float32
      badNonFinite: 1, // NaN for 2
      wrongZeroSign: 1, // -0 for +0
      missedNonFinite: 2, // 3e38 for ∞, 1 for NaN
      outsideRange: 2, // -0 is inside [0, 10]; 3e38 and +∞ are not
      beyondBound: 1, // 4 ULP at x = 7
      worstAt: 7,
    });
    expect(tally.worstUlps).toBeCloseTo(4, 10);
    const merged = mergeTally(emptyTally(), tally);
    expect(mergeTally(merged, tally).checked).toBe(16);
  });

  it('widens a declared range to the float32 values a correct rounding can reach', () => {
    const within = rangeCheck(interval(-0.2784645427610738, Number.POSITIVE_INFINITY, '[)'));
    expect(within(Math.fround(-0.2784645427610738))).toBe(true);
    expect(within(-0.2785)).toBe(false);
  });

  it('counts the same with its fast path for correctly rounded results as one input at a time', () => {
    // correctly rounded results after a first error above 0.5 ULP, mixed with every kind of
    // failure: the whole array at once (fast path taken) against one input per call
    const n = 4000;
    const x = Float32Array.from({ length: n }, (_, i) => i);
    const want = Float64Array.from({ length: n }, (_, i) => 1 + i / 3);
    const got = Float32Array.from(want, (w) => Math.fround(w));
    got[0] = Math.fround(1 + 2 ** -22); // 2 ULP: the worst so far
    got[10] = -1; // outside [0, 2000]
    got[20] = 0; // a normal truth flushed
    got[30] = Number.NaN;
    want[40] = 0;
    got[40] = -0; // wrong sign of zero
    got[50] = Math.fround(want[50]! * (1 + 2 ** -20)); // beyond 3 ULP, the new worst
    const range = rangeCheck(interval(0, 2000));
    const whole = emptyTally();
    check(whole, x, got, want, range, 3);
    const single = emptyTally();
    for (let i = 0; i < n; i++) {
      const one = emptyTally();
      check(one, x.subarray(i, i + 1), got.subarray(i, i + 1), want.subarray(i, i + 1), range, 3);
      mergeTally(single, one);
    }
    expect(whole).toEqual(single);
    expect(whole).toMatchObject({
      outsideRange: 1,
      flushed: 1,
      badNonFinite: 1,
      wrongZeroSign: 1,
      beyondBound: 2,
      worstAt: 10,
    });
  });

  it('holds a zero to the sign of a truth that rounds to zero in float32', () => {
    const x = Float32Array.of(1, 2, 3);
    const want = Float64Array.of(-2.5e-318, 1e-50, -1e-50);
    const got = Float32Array.of(0, 0, -0);
    const tally = emptyTally();
    check(tally, x, got, want, rangeCheck(null), 3);
    expect(tally).toMatchObject({ wrongZeroSign: 1, beyondBound: 0, flushed: 0 });
    expect(tally.examples[0]).toMatchObject({ kind: 'wrong sign of zero', x: 1 });
  });

  it('forgives a flushing device errors below the floor only where the truth is subnormal', () => {
    const x = Float32Array.of(1, 2);
    const want = Float64Array.of(-1.0337304440113063e-36, 5e-39);
    const got = Float32Array.of(-1.0398475832784246e-36, 0);
    const tally = emptyTally();
    check(tally, x, got, want, rangeCheck(null), 4, 2 ** -126);
    expect(tally.beyondBound).toBe(1); // 68,000 ULP at a normal truth
    expect(tally.worstAt).toBe(1);
    expect(tally.subnormalFlushed).toBe(1);
  });
});

