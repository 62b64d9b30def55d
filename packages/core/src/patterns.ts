/**
 * Patterns that let float32 kernels (wasm f32 lanes, WGSL) compute x² exactly: (c·x)² is exact
 * when c² is a power of two (the normal CDF's 1/√2), and k·x² when k is one too.
 */
import type { Expr } from './expression.js';

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
