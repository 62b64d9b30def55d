/**
 * Spellings → one canonical form. Users write the same function many ways —
 * `1/(1+exp(-x))`, `x/(1+exp(-x))`, `log(1+exp(x))`, `0.5*x*(1+erf(x/sqrt(2)))` — and a backend's
 * float32 plans (x·σ(x), softplus, x·Φ(x), erfc(c·x), …) are keyed to one form of each. This
 * pass rewrites the common spellings into the library functions they compute, so every spelling
 * gets the same derivative, the same reference and the same kernel as the zoo's own definition.
 *
 * Every rule is an identity of real arithmetic whose right side is at least as accurate in
 * floating point as its left (σ and softplus have stable expansions; 1 + erf(a) cancels where
 * erfc(-a) does not), so the float64 reference gets no worse either.
 */
import { constTimesInput } from './patterns.js';
import {
  abs,
  add,
  applyUnary,
  constant,
  div,
  max,
  x,
  type Expr,
  mul,
  neg,
  powi,
  sigmoid,
  softplus,
  erfc,
  rewrite,
} from './expression.js';
import { simplify } from './simplify.js';
import { StructuralIds } from './structure.js';

const isConst = (e: Expr, value: number): boolean => e.kind === 'const' && e.value === value;

/** a when `e` is exp(a). */
function expArg(e: Expr): Expr | undefined {
  return e.kind === 'unary' && e.op === 'exp' ? e.arg : undefined;
}

/** a when `e` is 1 + exp(a) (either order). */
function onePlusExp(e: Expr): Expr | undefined {
  if (e.kind !== 'binary' || e.op !== 'add') return undefined;
  if (isConst(e.left, 1)) return expArg(e.right);
  if (isConst(e.right, 1)) return expArg(e.left);
  return undefined;
}

/** The negation of `a`, folded (-(-b) = b, -(c·b) = (-c)·b). */
function negated(a: Expr): Expr {
  if (a.kind === 'unary' && a.op === 'neg') return a.arg;
  if (a.kind === 'binary' && a.op === 'mul' && a.left.kind === 'const')
    return mul(constant(-a.left.value), a.right);
  if (a.kind === 'binary' && a.op === 'mul' && a.right.kind === 'const')
    return mul(constant(-a.right.value), a.left);
  return neg(a);
}

/** One node, children already canonical; `same` compares sub-expressions structurally. */
function canonicalNode(e: Expr, same: (a: Expr, b: Expr) => boolean): Expr {
  switch (e.kind) {
    case 'unary': {
      const { op } = e;
      // f(x / c), f(-x / c) → f((±1/c)·x) for a function f: a scaled input, as patterns match it
      const arg = e.op === 'neg' || e.op === 'abs' ? e.arg : (scaledArg(e.arg) ?? e.arg);
      if (arg !== e.arg) return canonicalNode(applyUnary(op, arg), same);
      // log(1 + exp(a)), log1p(exp(a)) → softplus(a)
      if (op === 'log') {
        const a = onePlusExp(arg);
        if (a) return softplus(a);
      }
      if (op === 'log1p') {
        const a = expArg(arg);
        if (a) return softplus(a);
      }
      return e;
    }
    case 'binary': {
      const { op, left, right } = e;
      if (op === 'div') {
        // softplus(c·x)/c = max(x, 0) + softplus(-c·|x|)/c for c > 0: c·x cannot overflow
        if (left.kind === 'unary' && left.op === 'softplus' && right.kind === 'const') {
          const c = constTimesInput(left.arg);
          if (c !== undefined && c === right.value && c > 0 && c !== 1)
            return add(max(x, 0), div(softplus(mul(constant(-c), abs(x))), constant(c)));
        }
        const a = onePlusExp(right);
        if (a) {
          // 1/(1 + e^-a) = σ(a); u/(1 + e^-a) = u·σ(a); e^a/(1 + e^a) = σ(a)
          const gate = sigmoid(negated(a));
          if (isConst(left, 1)) return gate;
          const top = expArg(left);
          if (top !== undefined && same(top, a)) return sigmoid(a);
          return mul(left, gate);
        }
      }
      // 1 + erf(a) = erfc(-a); 1 - erf(a) = erfc(a); 1 - σ(a) = σ(-a)
      if (op === 'add') {
        const [one, other] = isConst(left, 1) ? [left, right] : [right, left];
        if (isConst(one, 1) && other.kind === 'unary' && other.op === 'erf')
          return erfc(negated(other.arg));
      }
      if (op === 'sub' && isConst(left, 1) && right.kind === 'unary') {
        if (right.op === 'erf') return erfc(right.arg);
        if (right.op === 'sigmoid') return sigmoid(negated(right.arg));
      }
      return e;
    }
    case 'powi': {
      const base = scaledArg(e.base);
      return base ? powi(base, e.exponent) : e;
    }
    default:
      return e;
  }
}

/**
 * (±1/c)·x when `a` is x / c, -x / c or -(x / c) for a finite nonzero constant c: inside a
 * function the rounding of 1/c (1e-16) is far below float32's, and x·σ(c·x), erfc(c·x) and
 * exp(k·x²) are recognised in this one form.
 */
function scaledArg(a: Expr): Expr | undefined {
  let sign = 1;
  let e = a;
  if (e.kind === 'unary' && e.op === 'neg') [sign, e] = [-1, e.arg];
  if (e.kind !== 'binary' || e.op !== 'div' || e.right.kind !== 'const') return undefined;
  let b = e.left;
  if (b.kind === 'unary' && b.op === 'neg') [sign, b] = [-sign, b.arg];
  const c = sign / e.right.value;
  if (b.kind !== 'input' || !Number.isFinite(c) || c === 0) return undefined;
  return mul(constant(c), b);
}

/**
 * The canonical spelling of `e` (simplified): common spellings of σ, softplus, x·σ(a), erfc and
 * scaled inputs rewritten into those forms. The zoo's definitions are canonical already.
 *
 * @example toText(canonicalize(parse('x/(1+exp(-x))'))) // 'x * sigmoid(x)'
 */
export function canonicalize(e: Expr): Expr {
  // simplify first (constants folded: sqrt(2) is a number), rewrite, simplify the result
  const ids = new StructuralIds();
  const same = (a: Expr, b: Expr) => ids.same(a, b);
  const rewritten = rewrite(simplify(e), (node) =>
    node.kind === 'compare' ? node : canonicalNode(node, same),
  );
  return simplify(rewritten);
}
