/**
 * Float64 implementations of every op: the scalar reference that the zoo's tests check against
 * independent formulas, and that every backend is checked against.
 */
import { erf, erfc } from './erf.js';
import type { BinaryOp, CompareOp, UnaryOp } from './expression.js';

/** Logistic function in float64 (the 'float64' library form): 1/(1+e^-a), and e^a below -708. */
export function sigmoid64(a: number): number {
  return a < -708 ? Math.exp(a) : 1 / (1 + Math.exp(-a));
}

/** ln(1 + e^a) = max(a, 0) + log1p(e^-|a|): exact for both tails, Inf only for a = Inf. */
export function softplus64(a: number): number {
  return Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
}

/** Float64 implementation of each unary op. */
export const UNARY_FLOAT64: Readonly<Record<UnaryOp, (a: number) => number>> = {
  neg: (a) => -a,
  abs: Math.abs,
  sign: Math.sign,
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  erf,
  erfc,
  sin: Math.sin,
  cos: Math.cos,
  sigmoid: sigmoid64,
  softplus: softplus64,
};

/** Float64 implementation of each binary op. */
export const BINARY_FLOAT64: Readonly<Record<BinaryOp, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  min: Math.min,
  max: Math.max,
};

/** Each comparison, with IEEE semantics (false for NaN except `ne`). */
export const COMPARE_FLOAT64: Readonly<Record<CompareOp, (a: number, b: number) => boolean>> = {
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
};

/** a^n for integer n by repeated squaring (exact sign for negative a). */
export function powi64(a: number, n: number): number {
  if (n < 0) return 1 / powi64(a, -n);
  let result = 1;
  let base = a;
  let k = n;
  while (k > 0) {
    if (k & 1) result *= base;
    base *= base;
    k >>>= 1;
  }
  return result;
}
