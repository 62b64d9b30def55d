/**
 * Float32 inputs for accuracy checks that a kernel cannot slip between. A float32 function has
 * 2^32 inputs; a check that runs in milliseconds sees a sample of them, and a sample proves
 * nothing between its points unless it is spread over every binade, sign and mantissa pattern
 * (a step of 4,096 bit patterns from 0 leaves the low 12 mantissa bits zero, so x·x is exact
 * and an x² error never shows), and dense where kernels switch between plans.
 */
import { compileScalar } from './evaluate.js';
import type { Condition, Expr } from './expression.js';
import { nodesOf } from './structure.js';
import { accuracyInputs } from './ulp.js';

/** The default size of the spread part of a sample. */
export const SAMPLE_SIZE = 65_536;

/** 2^32 / SAMPLE_SIZE rounded to a prime: 65,537 (a Fermat prime), so the step is odd and visits every residue. */
const PRIME_STEP = 65_537;

/**
 * `count` float32 values whose bit patterns are offset + k·step (mod 2^32), k = 0 … count - 1,
 * for a prime `step`: every binade, both signs and every mantissa pattern, lined up with nothing.
 *
 * @example primeStepSample(65536, 1365) // 65,536 inputs, one every 65,537 bit patterns from 1,365
 */
export function primeStepSample(count: number, offset: number, step = PRIME_STEP): Float32Array {
  const out = new Float32Array(count);
  const words = new Uint32Array(out.buffer);
  for (let k = 0; k < count; k++) words[k] = (offset + k * step) >>> 0;
  return out;
}

/**
 * Where float32 kernels change behaviour on their own, whatever the expression: ±1, e^x's overflow
 * (88.72), its normal and denormal underflow (-87.34, -103.97), the x² of exp(-x²) reaching them
 * (9.35, 10.2), the smallest normal and subnormal magnitudes, and the largest finite float.
 */
const KERNEL_EDGES = [
  1,
  88.72284,
  87.33655,
  103.97208,
  9.3454,
  10.1968,
  44.36142,
  43.66827,
  51.98604,
  2 ** -126,
  2 ** -149,
  3.4028234663852886e38,
  2 ** 64,
  2 ** 60,
];

/**
 * The switch points of an expression's kernels: every constant its selects compare the input
 * with, and for each exp, expm1 or σ of c·x the inputs where the argument meets e^x's edges,
 * plus the generic kernel edges (both signs).
 */
export function switchPoints(e: Expr): number[] {
  const points = new Set<number>();
  const add = (v: number) => {
    if (Number.isFinite(v) && v !== 0) {
      points.add(Math.fround(v));
      points.add(Math.fround(-v));
    }
  };
  for (const v of KERNEL_EDGES) add(v);
  for (const node of nodesOf(e)) {
    if (node.kind === 'select') {
      const c: Condition = node.cond;
      if (c.left.kind === 'const') add(c.left.value);
      if (c.right.kind === 'const') add(c.right.value);
    }
    if (
      node.kind === 'unary' &&
      ['exp', 'expm1', 'sigmoid', 'softplus', 'tanh'].includes(node.op)
    ) {
      const a = node.arg;
      const scale =
        a.kind === 'input'
          ? 1
          : a.kind === 'binary' &&
              a.op === 'mul' &&
              a.left.kind === 'const' &&
              a.right.kind === 'input'
            ? a.left.value
            : undefined;
      if (scale !== undefined && scale !== 0)
        for (const edge of [88.72284, 87.33655, 103.97208, 17.33, 9.01]) add(edge / scale);
    }
  }
  return [...points].sort((a, b) => a - b);
}

/**
 * Inputs around each point: the 129 floats centred on it, and 512 spread over the two binades
 * either side of it (a prime step through their bit patterns), so a kernel's edge cases near a
 * switch — where one plan hands over to another — are all looked at.
 */
export function thresholdInputs(points: readonly number[]): Float32Array {
  const out: number[] = [];
  const bits = new Float32Array(1);
  const word = new Int32Array(bits.buffer);
  for (const p of points) {
    out.push(...floatsAround(p, 64));
    bits[0] = p;
    const center = word[0]!;
    // two binades below and two above: 2^24 bit patterns each side, every 65,537th of them
    for (let k = -256; k < 256; k++) {
      word[0] = center + k * PRIME_STEP;
      if (Math.sign(bits[0]!) === Math.sign(p)) out.push(bits[0]!);
    }
  }
  return Float32Array.from(out.filter((v) => !Number.isNaN(v)));
}

/** Values every sample holds: ±0, ±∞, NaN, the ends of the subnormal and normal ranges. */
export const FLOAT32_SPECIALS: readonly number[] = Object.freeze([
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  2 ** -149,
  -(2 ** -149),
  2 ** -126,
  -(2 ** -126),
  3.4028234663852886e38,
  -3.4028234663852886e38,
]);

/**
 * The sample a check runs on an expression: SAMPLE_SIZE prime-step inputs from an offset that
 * rotates with `seed` (different functions see different patterns; the same function always the
 * same), the inputs around its switch points, and the special values.
 *
 * @example float32Sample(gelu.create().kernels.forward, 7) // ~90K inputs, deterministic
 */
export function float32Sample(e: Expr, seed = 0, size = SAMPLE_SIZE): Float32Array {
  // an offset below the step, odd, different per seed (Knuth's multiplicative hash)
  const offset = ((Math.imul(seed + 1, 2654435761) >>> 0) % PRIME_STEP) | 1;
  const spread = primeStepSample(size, offset);
  const near = thresholdInputs([...switchPoints(e), ...rootsOf(compileScalar(e))]);
  const out = new Float32Array(spread.length + near.length + FLOAT32_SPECIALS.length);
  out.set(spread);
  out.set(near, spread.length);
  out.set(FLOAT32_SPECIALS, spread.length + near.length);
  return out;
}

/**
 * The simple roots of f in [lo, hi] (sign changes on a grid of step 2^-4, refined by bisection to
 * float64; jumps across 0 are not roots). Near a root r other than 0, f(x) ≈ f′(r)(x - r) is
 * small while the terms it is computed from are not: an absolute error a kernel's arithmetic
 * leaves there (1e-14 from float64 lanes' erfc) is many float32 ULP of the result, on a few
 * floats either side of r (GELU′ at -0.75179: 22 ULP; mish′ at -1.19243: 26). Samples include the
 * floats around each root, and a backend may hand them to the float64 reference
 * (BackendProvider.referenceIntervals).
 */
export function rootsOf(f: (x: number) => number, lo = -64, hi = 64): number[] {
  const roots: number[] = [];
  const step = 2 ** -4;
  let a = lo;
  let fa = f(a);
  for (let k = 1; a < hi; k++) {
    const b = lo + k * step;
    const fb = f(b);
    // a root on a grid point (not 0, where kernels compute x·(…) relatively)
    if (fb === 0 && b !== 0 && fa !== 0 && Number.isFinite(fa)) {
      const fc = f(b + step);
      if (fc !== 0 && Number.isFinite(fc) && fa > 0 !== fc > 0) roots.push(b);
    }
    if (Number.isFinite(fa) && Number.isFinite(fb) && fa !== 0 && fb !== 0 && fa > 0 !== fb > 0) {
      let [l, r, fl] = [a, b, fa];
      for (let i = 0; i < 80 && r - l > 0; i++) {
        const m = (l + r) / 2;
        if (m === l || m === r) break;
        const fm = f(m);
        if (fm === 0) {
          l = r = m;
          break;
        }
        if (fm > 0 === fl > 0) [l, fl] = [m, fm];
        else r = m;
      }
      // continuous: f at the bracket is far below f at the grid points (a jump is not)
      const scale = Math.max(Math.abs(fa), Math.abs(fb));
      if (Math.max(Math.abs(f(l)), Math.abs(f(r))) <= 1e-9 * scale) roots.push(l);
    }
    [a, fa] = [b, fb];
  }
  return roots;
}

/** The 2k + 1 float32 values centred on v's float32 (k bit patterns either side). */
export function floatsAround(v: number, k: number): number[] {
  const bits = new Float32Array(1);
  const word = new Int32Array(bits.buffer);
  bits[0] = v;
  const center = word[0]!;
  const out: number[] = [];
  for (let d = -k; d <= k; d++) {
    word[0] = center + d;
    out.push(bits[0]!);
  }
  return out;
}

/**
 * Intervals around `roots` that cover every `failing` input (each root's interval is the failing
 * inputs near it, doubled about the root), or undefined when some failing input is not within
 * 2^-16·max(1, |r|) of a root: those failures are not the cancellation at a root.
 */
export function rootIntervals(
  failing: readonly number[],
  roots: readonly number[],
): Array<readonly [number, number]> | undefined {
  const reach = new Map<number, number>();
  for (const v of failing) {
    let best: number | undefined;
    for (const r of roots)
      if (Math.abs(v - r) <= 2 ** -16 * Math.max(1, Math.abs(r)))
        if (best === undefined || Math.abs(v - r) < Math.abs(v - best)) best = r;
    if (best === undefined) return undefined;
    reach.set(best, Math.max(reach.get(best) ?? 0, Math.abs(v - best)));
  }
  return [...reach].map(
    ([r, d]) => [r - 2 * d - 2 ** -24 * Math.abs(r), r + 2 * d + 2 ** -24 * Math.abs(r)] as const,
  );
}

/**
 * Intervals that cover every `failing` input of a probe and no `passing` one inside: around each
 * failing input, the gap between the passing inputs on either side (±∞ past the last), merged —
 * so a kernel that misses its bound only in a few places (a tail where a device flushes a
 * denormal factor, a root) can hand exactly those inputs to the float64 reference
 * (BackendProvider.referenceIntervals). Each interval ends on passing inputs, so the untested
 * floats between a failing and a passing probe point are inside it. Undefined when more than
 * `limit` intervals would be needed: the failures are spread out, not holes.
 */
export function holeIntervals(
  failing: ArrayLike<number>,
  passing: ArrayLike<number>,
  limit = 8,
): Array<readonly [number, number]> | undefined {
  const ok = Float64Array.from(passing)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const bad = Float64Array.from(failing)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const out: Array<[number, number]> = [];
  let j = 0;
  for (const v of bad) {
    const last = out.at(-1);
    if (last && v <= last[1]) continue;
    while (j < ok.length && ok[j]! <= v) j++;
    // passing inputs equal to a failing one (the same float twice) do not split a hole
    let below = j - 1;
    while (below >= 0 && ok[below] === v) below--;
    const lo = below >= 0 ? ok[below]! : Number.NEGATIVE_INFINITY;
    const hi = j < ok.length ? ok[j]! : Number.POSITIVE_INFINITY;
    if (last && lo <= last[1]) last[1] = hi;
    else out.push([lo, hi]);
    if (out.length > limit) return undefined;
  }
  return out;
}

/** A seed from a string (an activation's key): FNV-1a. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The inputs a backend's kernel accuracy probe runs on, the same for every kernel (so they can be
 * allocated once): core's dense grid (accuracyInputs), the prime-step spread and the inputs around
 * the generic kernel edges.
 */
export function probeSample(): Float32Array {
  const grid = accuracyInputs();
  const spread = primeStepSample(SAMPLE_SIZE, 1365);
  const near = thresholdInputs(switchPoints({ kind: 'input' }));
  const out = new Float32Array(grid.length + spread.length + near.length + FLOAT32_SPECIALS.length);
  out.set(grid);
  out.set(spread, grid.length);
  out.set(near, grid.length + spread.length);
  out.set(FLOAT32_SPECIALS, grid.length + spread.length + near.length);
  return out;
}
