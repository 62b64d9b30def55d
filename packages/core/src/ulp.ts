/** Distances in units in the last place, for accuracy checks. */

const F32_MIN_NORMAL = 1.1754943508222875e-38;
const F32_MAX = 3.4028234663852886e38;
const F32_DENORMAL_STEP = 2 ** -149;

/** The spacing of float32 numbers at |v| (the denormal step below the normal range). */
export function ulpFloat32(v: number): number {
  const a = Math.abs(v);
  if (a < F32_MIN_NORMAL) return F32_DENORMAL_STEP;
  if (!Number.isFinite(a)) return Number.POSITIVE_INFINITY;
  const e = binadeOf(a);
  return e <= 129 ? POWERS_FOR_FLOAT32[e + 126]! : 2 ** (e - 23);
}

const WORD = new Float64Array(1);
const HALVES = new Uint32Array(WORD.buffer);
const HIGH = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;

/**
 * ⌊log2 a⌋ for a normal float64 a > 0, from its exponent bits: exact (Math.log2 of a value just
 * below a power of two can round up to it and double the ULP), and a few times faster.
 */
function binadeOf(a: number): number {
  WORD[0] = a;
  return ((HALVES[HIGH]! >>> 20) & 0x7ff) - 1023;
}

/** 2^(e - 23) for the binades e = -126 … 129. */
const POWERS_FOR_FLOAT32 = Float64Array.from({ length: 256 }, (_, i) => 2 ** (i - 126 - 23));

/** The spacing of float64 numbers at |v|. */
export function ulpFloat64(v: number): number {
  const a = Math.abs(v);
  if (a < 2.2250738585072014e-308) return 2 ** -1074;
  if (!Number.isFinite(a)) return Number.POSITIVE_INFINITY;
  return 2 ** (binadeOf(a) - 52);
}

/**
 * How many float32 ULPs `actual` is from the float64 `reference` (0 when both are the same
 * infinity or both NaN, Infinity when only one is NaN or infinite).
 *
 * @example ulpDistanceFloat32(Math.fround(0.1), 0.1) // < 0.5
 */
export function ulpDistanceFloat32(actual: number, reference: number): number {
  if (Number.isNaN(actual) || Number.isNaN(reference)) {
    return Number.isNaN(actual) && Number.isNaN(reference) ? 0 : Number.POSITIVE_INFINITY;
  }
  if (actual === reference) return 0;
  if (!Number.isFinite(actual) || !Number.isFinite(reference)) {
    // a float32 result may overflow where the float64 reference is just above float32's range
    return Math.abs(reference) > 3.4028235677973366e38 && Math.sign(actual) === Math.sign(reference)
      ? 0
      : Number.POSITIVE_INFINITY;
  }
  return Math.abs(actual - reference) / ulpFloat32(reference);
}

/** The same in float64 ULPs. */
export function ulpDistanceFloat64(actual: number, reference: number): number {
  if (Number.isNaN(actual) || Number.isNaN(reference)) {
    return Number.isNaN(actual) && Number.isNaN(reference) ? 0 : Number.POSITIVE_INFINITY;
  }
  if (actual === reference) return 0;
  if (!Number.isFinite(actual) || !Number.isFinite(reference)) return Number.POSITIVE_INFINITY;
  return Math.abs(actual - reference) / ulpFloat64(reference);
}

/** The next float32 after f in a direction (f a float32; from ±0, the smallest subnormal). */
function nextFloat32(f: number, direction: 1 | -1): number {
  if (f === 0) return direction * 2 ** -149;
  const bits = new Float32Array([f]);
  const word = new Int32Array(bits.buffer);
  word[0]! += f > 0 === direction > 0 ? 1 : -1;
  return bits[0]!;
}

/** The largest float32 ≤ v (v finite): where a correctly rounded result may fall below v. */
export function float32Below(v: number): number {
  const f = Math.fround(v);
  return f <= v ? f : nextFloat32(f, -1);
}

/** The smallest float32 ≥ v (v finite). */
export function float32Above(v: number): number {
  const f = Math.fround(v);
  return f >= v ? f : nextFloat32(f, 1);
}

/** Is v a normal float32 magnitude (or zero)? Accuracy targets apply to those results. */
export function isNormalFloat32(v: number): boolean {
  const a = Math.abs(v);
  return a === 0 || (a >= F32_MIN_NORMAL && a <= F32_MAX);
}

/**
 * The error of a float32 result against a float64 reference, as accuracy checks count it: float32
 * ULP for normal-range references; 0 for a result within 1.2e-38 of a reference outside the normal
 * range; 0 for the same-signed overflow of a reference beyond float32's range; ∞ for a NaN or ∞
 * where the reference is finite (or a number where it is NaN).
 *
 * @example float32Error(Math.fround(0.1), 0.1) // < 0.5
 */
export function float32Error(value: number, expected: number): number {
  if (Number.isNaN(expected)) return Number.isNaN(value) ? 0 : Number.POSITIVE_INFINITY;
  if (Math.abs(expected) > F32_MAX) {
    return Math.sign(value) === Math.sign(expected) && Math.abs(value) >= F32_MAX
      ? 0
      : Number.POSITIVE_INFINITY;
  }
  if (!Number.isFinite(value)) return Number.POSITIVE_INFINITY;
  if (!isNormalFloat32(expected))
    return Math.abs(value - expected) <= F32_MIN_NORMAL ? 0 : Number.POSITIVE_INFINITY;
  return ulpDistanceFloat32(value, expected);
}

/**
 * What devices that flush subnormals to zero (WGSL allows it) may get wrong: a result whose truth
 * is below 2^-126 (a float32 subnormal) can come back as 0 or any subnormal. Normal results are
 * held to ULP however small (`flushForgives`).
 */
export const FLUSH_FLOOR = 2 ** -126;

/**
 * Is `v` a nonzero float32 subnormal — an input a device that flushes subnormals may read as +0 or
 * -0 (WGSL allows both), so that the truth at ±0 counts for it?
 */
export function readsAsZero(v: number): boolean {
  return v !== 0 && Math.abs(v) < FLUSH_FLOOR;
}

/**
 * Does a flush-to-zero allowance forgive `value` for `expected`? Only where the truth is below
 * `floor` (a subnormal, for FLUSH_FLOOR; for dy·f′, `floor` scaled by dy) and the result within
 * `floor` of it: 0, a subnormal, a sign of zero. Never for a normal truth.
 */
export function flushForgives(value: number, expected: number, floor: number): boolean {
  return Math.abs(expected) < floor && Math.abs(value - expected) <= floor;
}

/**
 * The worst float32Error of results `got` at `inputs` against a float64 reference; a result
 * `flushForgives` with `floor` counts as 0 (FLUSH_FLOOR for flush-to-zero devices).
 */
export function worstUlps(
  got: ArrayLike<number>,
  inputs: ArrayLike<number>,
  reference: (x: number) => number,
  floor = 0,
): number {
  let worst = 0;
  for (let i = 0; i < inputs.length; i++) {
    const expected = reference(inputs[i]!);
    if (flushForgives(got[i]!, expected, floor)) continue;
    worst = Math.max(worst, float32Error(got[i]!, expected));
  }
  return worst;
}

/**
 * The inputs accuracy checks use: every 1/40 over [-100, 100], every 1/1000 over [-20, 20] (where
 * activations bend and rounding errors peak between coarser points), the float32 extremes, ±∞.
 */
export function accuracyInputs(): Float32Array {
  const xs: number[] = [];
  for (let i = -4000; i <= 4000; i++) xs.push(i / 40);
  for (let i = -20000; i <= 20000; i++) if (i % 25 !== 0) xs.push(i / 1000);
  for (const v of [
    0,
    1e-30,
    1e-45,
    1e-38,
    1e-7,
    88.7,
    89,
    1e4,
    1e30,
    F32_MAX,
    Number.POSITIVE_INFINITY,
  ])
    xs.push(v, -v);
  return Float32Array.from(xs);
}
