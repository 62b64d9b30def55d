/**
 * Library functions (sigmoid, softplus) in terms of primitives: the stable forms every backend
 * inherits. Which form is stable depends on the arithmetic, so there are two:
 * - 'portable': float32 arithmetic (wasm SIMD, WGSL): sigmoid = (a ≥ 0 ? 1 : e) / (1 + e) with
 *   e = e^{-|a|}, which never overflows.
 * - 'float64': float64 arithmetic (also when rounded to float32 at the end): 1 / (1 + e^{-a}), and
 *   e^a below -708 where that would flush float64's denormal results to 0. Those denormals matter
 *   for float32 results too: they decide the sign of a result that rounds to zero (swish′ with β =
 *   0.5 at x = -1475.75 is -2.6e-318, and dy·swish′ a float32 -0; 1/(1 + e^{737.9}) = +0 gave +0).
 */
import {
  abs,
  add,
  type Condition,
  div,
  type Expr,
  exp,
  ge,
  LIBRARY_OPS,
  log1p,
  lt,
  max,
  neg,
  rewrite,
  select,
  type UnaryOp,
} from './expression.js';

/** Which arithmetic a library expansion is for (see the module comment). */
export type LibraryForm = 'portable' | 'float64';

/** sigmoid(a) in the given form; all are free of overflow and ∞/∞. */
export function expandSigmoid(a: Expr, form: LibraryForm = 'portable'): Expr {
  if (form === 'portable') {
    // (a ≥ 0 ? 1 : e) / (1 + e): one division
    const e = exp(neg(abs(a)));
    return div(select(ge(a, 0), 1, e), add(1, e));
  }
  return select(lt(a, -708), exp(a), div(1, add(1, exp(neg(a)))));
}

/** softplus(a) = max(a, 0) + log1p(exp(-|a|)): linear tail, no overflow. */
export function expandSoftplus(a: Expr): Expr {
  return add(max(a, 0), log1p(exp(neg(abs(a)))));
}

/**
 * Replaces every library function by its primitive expansion in the given form, except those in
 * `keep` (for a backend with its own code for them).
 */
export function expandLibrary<T extends Expr | Condition>(
  e: T,
  form: LibraryForm = 'portable',
  keep: ReadonlySet<UnaryOp> = NONE,
): T {
  return rewrite(e, (node) =>
    node.kind === 'unary' && LIBRARY_OPS.has(node.op) && !keep.has(node.op)
      ? node.op === 'sigmoid'
        ? expandSigmoid(node.arg, form)
        : expandSoftplus(node.arg)
      : node,
  );
}

const NONE: ReadonlySet<UnaryOp> = new Set();
