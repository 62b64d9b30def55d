/**
 * Patterns that let float32 kernels (wasm f32 lanes, WGSL) compute x² exactly: (c·x)² is exact
 * when c² is a power of two (the normal CDF's 1/√2), and k·x² when k is one too.
 */
import type { Expr } from './expression.js';
import { float32Above, float32Below } from './ulp.js';

/** Is v ± a power of two (so multiplying or dividing by it is exact)? */
export function isPowerOfTwo(v: number): boolean {
  const a = Math.abs(v);
  return a > 0 && Number.isFinite(a) && a === 2 ** Math.round(Math.log2(a));
}

/** Is c² (within double rounding) a power of two? Then (c·x)² = c²·x² can be formed exactly. */
export function exactSquareOf(c: number): number | undefined {
  if (c === 0 || !Number.isFinite(c)) return undefined;
  const square = c * c;
  const power = 2 ** Math.round(Math.log2(square));
  return Math.abs(square - power) <= 4e-16 * power ? power : undefined;
}

/** c if `e` is c·x (or x·c) for the input x and a constant c. */
export function constTimesInput(e: Expr): number | undefined {
  if (e.kind !== 'binary' || e.op !== 'mul') return undefined;
  if (e.left.kind === 'const' && e.right.kind === 'input') return e.left.value;
  if (e.right.kind === 'const' && e.left.kind === 'input') return e.right.value;
  return undefined;
}

/** k if `e` is k·x² for the input x and a power of two k (forms: x^2, (c·x)^2, -Q, a·Q). */
export function scaledSquare(e: Expr): number | undefined {
  if (e.kind === 'powi' && e.exponent === 2) {
    if (e.base.kind === 'input') return 1;
    const c = constTimesInput(e.base);
    return c === undefined ? undefined : exactSquareOf(c);
  }
  if (e.kind === 'unary' && e.op === 'neg') {
    const k = scaledSquare(e.arg);
    return k === undefined ? undefined : -k;
  }
  if (
    e.kind === 'binary' &&
    e.op === 'mul' &&
    e.left.kind === 'const' &&
    isPowerOfTwo(e.left.value)
  ) {
    const k = scaledSquare(e.right);
    return k === undefined ? undefined : e.left.value * k;
  }
  return undefined;
}

/** c if `e` is c·x for the input x with c² a power of two. */
export function scaledInput(e: Expr): number | undefined {
  const c = constTimesInput(e);
  return c !== undefined && exactSquareOf(c) !== undefined ? c : undefined;
}

/**
 * Is c ±1/√2 (the normal CDF's scale, Φ(x) = erfc(-x/√2)/2), allowing the last-bit difference
 * of spellings such as x / sqrt(2), where 1/fl(√2) is one float64 ULP below fl(1/√2)?
 */
export function isNormalCdfScale(c: number): boolean {
  return Math.abs(Math.abs(c) - Math.SQRT1_2) <= 2.5e-16;
}

/**
 * Is `a` the input or c·x with 0 < c ≤ 16? Then in x·σ(a), x is large where σ's scale is large
 * (a ≥ 0.35), so a float32 plan can divide x by the gate's denominator without losing bits to
 * the denormal range.
 */
function isGateOfInput(a: Expr): boolean {
  if (a.kind === 'input') return true;
  const c = constTimesInput(a);
  return c !== undefined && c > 0 && c <= 16;
}

/**
 * The float32 shapes backends give their own plans (see each backend's emitter), recognised
 * here once so every backend and every spelling (after `canonicalize`) agrees on them.
 */
export type Float32Shape =
  /** x·σ(a) (SiLU, swish) or x·tanh(softplus(a)) (mish), a = c·x with 0 < c ≤ 16. */
  | { readonly shape: 'gated'; readonly gate: 'sigmoid' | 'tanh-softplus'; readonly arg: Expr }
  /** k·x·erfc(-x/√2) = 2k·x·Φ(x) (GELU: k = 1/2); `scale` is 2k. */
  | { readonly shape: 'x-normal-cdf'; readonly scale: number }
  /** sqrt(b² + c) for a constant c > 0: no overflow of b² where the root is finite. */
  | { readonly shape: 'sqrt-square-plus'; readonly base: Expr; readonly c: number };

/** x·σ(a) or x·tanh(softplus(a)) with a = c·x (see isGateOfInput): the gate and its argument. */
function gatedInput(e: Expr): Float32Shape | undefined {
  if (e.kind !== 'binary' || e.op !== 'mul') return undefined;
  for (const [other, gate] of [
    [e.left, e.right],
    [e.right, e.left],
  ] as const) {
    if (other.kind !== 'input' || gate.kind !== 'unary') continue;
    if (gate.op === 'sigmoid' && isGateOfInput(gate.arg))
      return { shape: 'gated', gate: 'sigmoid', arg: gate.arg };
    const inner = gate.arg;
    if (gate.op === 'tanh' && inner.kind === 'unary' && inner.op === 'softplus') {
      if (isGateOfInput(inner.arg))
        return { shape: 'gated', gate: 'tanh-softplus', arg: inner.arg };
    }
  }
  return undefined;
}

/** 2k if `e` is a product of constants (k in all), the input once and erfc(-x/√2) once. */
function normalCdfGate(e: Expr): Float32Shape | undefined {
  if (e.kind !== 'binary' || e.op !== 'mul') return undefined;
  const factors: Expr[] = [];
  const collect = (f: Expr): void => {
    if (f.kind === 'binary' && f.op === 'mul') {
      collect(f.left);
      collect(f.right);
    } else factors.push(f);
  };
  collect(e);
  let k = 1;
  let inputs = 0;
  let gates = 0;
  for (const f of factors) {
    if (f.kind === 'const') k *= f.value;
    else if (f.kind === 'input') inputs++;
    else if (f.kind === 'unary' && f.op === 'erfc') {
      const c = scaledInput(f.arg);
      if (c === undefined || c > 0 || !isNormalCdfScale(c)) return undefined;
      gates++;
    } else return undefined;
  }
  return inputs === 1 && gates === 1 && Number.isFinite(k) && k !== 0
    ? { shape: 'x-normal-cdf', scale: 2 * k }
    : undefined;
}

/** sqrt(b² + c) for a finite constant c > 0 (float32-representable). */
function sqrtOfSquarePlus(e: Expr): Float32Shape | undefined {
  if (e.kind !== 'unary' || e.op !== 'sqrt') return undefined;
  const arg = e.arg;
  if (arg.kind !== 'binary' || arg.op !== 'add') return undefined;
  const [sq, c] = arg.left.kind === 'powi' ? [arg.left, arg.right] : [arg.right, arg.left];
  if (
    sq.kind !== 'powi' ||
    sq.exponent !== 2 ||
    c.kind !== 'const' ||
    !(c.value > 0) ||
    !Number.isFinite(Math.fround(c.value))
  )
    return undefined;
  return { shape: 'sqrt-square-plus', base: sq.base, c: c.value };
}

/**
 * The float32 shape `e` has at its root, if any (see Float32Shape).
 *
 * @example float32Shape(mul(x, sigmoid(x))) // { shape: 'gated', gate: 'sigmoid', arg: x }
 */
export function float32Shape(e: Expr): Float32Shape | undefined {
  return normalCdfGate(e) ?? gatedInput(e) ?? sqrtOfSquarePlus(e);
}

/**
 * A comparison of c·x + d (or c·x, or x) with a constant k as the same comparison of x itself with
 * a float32 threshold, so a float32 kernel decides as the float64 reference does: in float32,
 * fl(fl(c·x) + d) may round to k where the exact value is below it (hard-sigmoid′ at 2.9999998).
 * For float32 x, x < t ⟺ x < (the smallest float32 ≥ t), and likewise for the other orders.
 * Undefined for other conditions (or c = 0, or a non-finite threshold); eq/ne are left alone.
 */
export function inputThreshold(
  op: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne',
  left: Expr,
  right: Expr,
): { op: 'lt' | 'le' | 'gt' | 'ge'; threshold: number } | undefined {
  if (op === 'eq' || op === 'ne' || right.kind !== 'const') return undefined;
  const k = right.value;
  // max(a, c0) < k ⟺ a < k when c0 < k (≤ likewise); min(a, c1) > k ⟺ a > k when c1 > k
  if (left.kind === 'binary' && left.right.kind === 'const') {
    const c0 = left.right.value;
    const stripped =
      (left.op === 'max' && ((op === 'lt' && c0 < k) || (op === 'le' && c0 <= k))) ||
      (left.op === 'min' && ((op === 'gt' && c0 > k) || (op === 'ge' && c0 >= k)));
    if (stripped) return inputThreshold(op, left.left, right);
  }
  let c: number | undefined;
  let d = 0;
  if (left.kind === 'binary' && left.op === 'add' && left.right.kind === 'const') {
    c = constTimesInput(left.left) ?? (left.left.kind === 'input' ? 1 : undefined);
    d = left.right.value;
  } else if (left.kind === 'binary' && left.op === 'add' && left.left.kind === 'const') {
    c = constTimesInput(left.right) ?? (left.right.kind === 'input' ? 1 : undefined);
    d = left.left.value;
  } else c = left.kind === 'input' ? 1 : constTimesInput(left);
  if (c === undefined || c === 0 || !Number.isFinite(c) || !Number.isFinite(d)) return undefined;
  const t = (k - d) / c;
  if (!Number.isFinite(t)) return undefined;
  // dividing by a negative c flips the order
  const flipped = c < 0 ? ({ lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' } as const)[op] : op;
  const threshold = flipped === 'lt' || flipped === 'ge' ? float32Above(t) : float32Below(t);
  return { op: flipped, threshold };
}
