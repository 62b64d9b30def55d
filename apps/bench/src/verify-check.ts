/**
 * What the exhaustive verifier counts for each function × op × backend: the worst error in float32
 * ULP (and its input) over normal-range results, and the results that break a promise outright —
 * outside the declared range, NaN or ±∞ where the truth is finite, finite where it is ±∞, a wrong
 * sign of zero, a normal result flushed to zero or a subnormal.
 */
import type { Interval } from '@activations/core';
import { float32Above, float32Below, float32Error, flushForgives } from '@activations/core/backend';

const F32_MIN_NORMAL = 2 ** -126;
const F32_MAX = 3.4028234663852886e38;

/** Counts and worst case of one verification (mergeable across chunks and workers). */
export interface Tally {
  checked: number;
  worstUlps: number;
  /** The input (as a number) where the worst error is, or null. */
  worstAt: number | null;
  worstGot: number | null;
  worstWant: number | null;
  outsideRange: number;
  /** NaN or ±∞ where the truth is finite (and within float32's range). */
  badNonFinite: number;
  /** A finite result where the truth is ±∞, or not NaN where it is NaN. */
  missedNonFinite: number;
  wrongZeroSign: number;
  /** The truth is a normal float32, the result 0 or subnormal. */
  flushed: number;
  /** The truth is a nonzero float32 subnormal, the result 0 (allowed; counted). */
  subnormalFlushed: number;
  /** Results beyond the bound (ULP), counted. */
  beyondBound: number;
  /** First few inputs of each kind of failure, for a report. */
  examples: Array<{ kind: string; x: number; got: number; want: number }>;
}

export function emptyTally(): Tally {
  return {
    checked: 0,
    worstUlps: 0,
    worstAt: null,
    worstGot: null,
    worstWant: null,
    outsideRange: 0,
    badNonFinite: 0,
    missedNonFinite: 0,
    wrongZeroSign: 0,
    flushed: 0,
    subnormalFlushed: 0,
    beyondBound: 0,
    examples: [],
  };
}

export function mergeTally(into: Tally, other: Tally): Tally {
  into.checked += other.checked;
  if (other.worstUlps > into.worstUlps || (into.worstAt === null && other.worstAt !== null)) {
    into.worstUlps = other.worstUlps;
    into.worstAt = other.worstAt;
    into.worstGot = other.worstGot;
    into.worstWant = other.worstWant;
  }
  into.outsideRange += other.outsideRange;
  into.badNonFinite += other.badNonFinite;
  into.missedNonFinite += other.missedNonFinite;
  into.wrongZeroSign += other.wrongZeroSign;
  into.flushed += other.flushed;
  into.subnormalFlushed += other.subnormalFlushed ?? 0;
  into.beyondBound += other.beyondBound;
  for (const e of other.examples)
    if (into.examples.filter((k) => k.kind === e.kind).length < 3) into.examples.push(e);
  return into;
}

/** The range check of a declared interval, widened to the float32 values a correctly rounded result can take. */
export function rangeCheck(range: Interval | null): (v: number) => boolean {
  if (range === null) return () => true;
  const lo = Number.isFinite(range.lo) ? float32Below(range.lo) : range.lo;
  const hi = Number.isFinite(range.hi) ? float32Above(range.hi) : range.hi;
  return (v) => Number.isNaN(v) || (v >= lo && v <= hi);
}

/**
 * Checks `got` (float32 results) against `want` (float64 truths) for inputs `x`, adding to `tally`.
 * `ulps` is the bound counted in `beyondBound`; with `floor` (flush-to-zero devices: FLUSH_FLOOR)
 * a result core's `flushForgives` passes (a subnormal truth back as 0 or a subnormal).
 */
export function check(
  tally: Tally,
  x: Float32Array,
  got: Float32Array,
  want: Float64Array,
  inRange: (v: number) => boolean,
  ulps: number,
  floor = 0,
): void {
  const n = x.length;
  const note = (kind: string, i: number) => {
    if (tally.examples.filter((e) => e.kind === kind).length < 3)
      tally.examples.push({ kind, x: x[i]!, got: got[i]!, want: want[i]! });
  };
  for (let i = 0; i < n; i++) {
    const g = got[i]!;
    const w = want[i]!;
    // the correctly rounded result, a normal float inside the range: at most 0.5 ULP, nothing to
    // count once the worst error seen is 0.5 or more (most results: 3× faster than the full path)
    if (
      g === Math.fround(w) &&
      tally.worstUlps >= 0.5 &&
      Math.abs(g) >= F32_MIN_NORMAL &&
      Math.abs(g) <= F32_MAX &&
      inRange(g)
    )
      continue;
    if (!inRange(g)) {
      tally.outsideRange++;
      note('outside range', i);
    }
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) {
        tally.missedNonFinite++;
        note('not NaN where the truth is NaN', i);
      }
      continue;
    }
    if (w === Number.POSITIVE_INFINITY || w === Number.NEGATIVE_INFINITY) {
      if (g !== w) {
        tally.missedNonFinite++;
        note('not ±∞ where the truth is', i);
      }
      continue;
    }
    if (Math.abs(w) > F32_MAX) {
      // the truth overflows float32: the right result is the infinity of its sign (or ±FLT_MAX)
      if (!(Math.sign(g) === Math.sign(w) && Math.abs(g) >= F32_MAX)) {
        tally.beyondBound++;
        note('overflow of the wrong kind', i);
      }
      continue;
    }
    if (!Number.isFinite(g)) {
      tally.badNonFinite++;
      note('NaN or ±∞ where the truth is finite', i);
      continue;
    }
    if (w === 0) {
      if (g !== 0 && !flushForgives(g, w, floor)) {
        tally.beyondBound++;
        note('nonzero where the truth is 0', i);
      } else if (g === 0 && Object.is(g, -0) !== Object.is(w, -0)) {
        tally.wrongZeroSign++;
        note('wrong sign of zero', i);
      }
      continue;
    }
    // a truth that rounds to a float32 zero (|w| < 2^-150) has that zero's sign
    if (g === 0 && Math.fround(w) === 0 && Object.is(g, -0) !== w < 0) {
      tally.wrongZeroSign++;
      note('wrong sign of zero', i);
      continue;
    }
    const normal = Math.abs(Math.fround(w)) >= F32_MIN_NORMAL;
    if (normal && Math.abs(g) < F32_MIN_NORMAL) {
      if (!flushForgives(g, w, floor)) {
        tally.flushed++;
        note('normal result flushed', i);
      }
      continue;
    }
    if (!normal && g === 0 && Math.fround(w) !== 0) tally.subnormalFlushed++;
    // the floor (flush-to-zero devices) forgives errors of subnormal truths only: a normal
    // result is held to ULP however small (GELU′(-13) ≈ -1.03e-36 off by 6e-39 is 68,000 ULP)
    if (flushForgives(g, w, floor)) continue;
    const e = float32Error(g, w);
    if (e > ulps) {
      tally.beyondBound++;
      note(`beyond ${ulps} ULP`, i);
    }
    if (e > tally.worstUlps || (tally.worstAt === null && e > 0)) {
      tally.worstUlps = e;
      tally.worstAt = x[i]!;
      tally.worstGot = g;
      tally.worstWant = w;
    }
  }
  tally.checked += n;
}
