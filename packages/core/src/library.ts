/**
 * Library functions (sigmoid, softplus) in terms of primitives: the stable forms every backend
 * inherits. A backend that implements a library function natively may skip the expansion.
 */
import {
  abs,
  add,
  applyBinary,
  applyCompare,
  applyUnary,
  type Condition,
  div,
  type Expr,
  exp,
  ge,
  LIBRARY_OPS,
  log1p,
  max,
  neg,
  powi,
  select,
} from './expression.js';

/** sigmoid(a) with e = exp(-|a|): a ≥ 0 ? 1/(1+e) : e/(1+e) — no overflow, no Inf/Inf. */
export function expandSigmoid(a: Expr): Expr {
  const e = exp(neg(abs(a)));
  const denominator = add(1, e);
  return select(ge(a, 0), div(1, denominator), div(e, denominator));
}

/** softplus(a) = max(a, 0) + log1p(exp(-|a|)): linear tail, no overflow. */
export function expandSoftplus(a: Expr): Expr {
  return add(max(a, 0), log1p(exp(neg(abs(a)))));
}

/** Replaces every library function by its primitive expansion. */
export function expandLibrary(e: Expr): Expr;
export function expandLibrary(e: Condition): Condition;
export function expandLibrary(e: Expr | Condition): Expr | Condition {
  switch (e.kind) {
    case 'const':
    case 'input':
    case 'param':
      return e;
    case 'unary': {
      const arg = expandLibrary(e.arg);
      if (LIBRARY_OPS.has(e.op)) return e.op === 'sigmoid' ? expandSigmoid(arg) : expandSoftplus(arg);
      return applyUnary(e.op, arg);
    }
    case 'binary':
      return applyBinary(e.op, expandLibrary(e.left), expandLibrary(e.right));
    case 'powi':
      return powi(expandLibrary(e.base), e.exponent);
    case 'select':
      return select(expandLibrary(e.cond), expandLibrary(e.then), expandLibrary(e.else));
    case 'compare':
      return applyCompare(e.op, expandLibrary(e.left), expandLibrary(e.right));
  }
}
