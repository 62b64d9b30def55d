/**
 * Float32 inputs for accuracy checks that a kernel cannot slip between. A float32 function has
 * 2^32 inputs; a check that runs in milliseconds sees a sample of them, and a sample proves
 * nothing between its points unless it is spread over every binade, sign and mantissa pattern
 * (a step of 4,096 bit patterns from 0 leaves the low 12 mantissa bits zero, so x·x is exact
 * and an x² error never shows), and dense where kernels switch between plans.
 */
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
    bits[0] = p;
    const center = word[0]!;
    for (let d = -64; d <= 64; d++) {
      word[0] = center + d;
      out.push(bits[0]!);
    }
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
  const near = thresholdInputs(switchPoints(e));
  const out = new Float32Array(spread.length + near.length + FLOAT32_SPECIALS.length);
  out.set(spread);
  out.set(near, spread.length);
  out.set(FLOAT32_SPECIALS, spread.length + near.length);
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
