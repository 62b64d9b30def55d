import { type Expr, gt, lt, select } from '@activations/core';

/**
 * `f` with its limits at ±∞ made explicit once |gate| > 1000. Gated activations (x · g(x) with
 * g → 0 or 1) give 0 · ∞ = NaN at x = ±∞ when computed as written; beyond ±1000 every one of
 * them has already rounded to its limit in float64, so the select changes no finite result.
 */
export function withLimits(gate: Expr, f: Expr, limits: { readonly left?: number; readonly right?: number }): Expr {
  let result = f;
  if (limits.right !== undefined) result = select(gt(gate, 1000), limits.right, result);
  if (limits.left !== undefined) result = select(lt(gate, -1000), limits.left, result);
  return result;
}
