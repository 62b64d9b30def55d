/**
 * Symbolic differentiation with respect to the input or a parameter, followed by simplification.
 * Conventions: at a kink the derivative is PyTorch's (relu'(0) = 0, |x|'(0) = 0); stable forms are
 * used for derivatives that would otherwise cancel (sigmoid' = σ(a)σ(-a), tanh' = sech² via e^-2|a|).
 */
import {
  abs,
  add,
  constant,
  cos,
  div,
  type Expr,
  exp,
  gt,
  lt,
  mul,
  neg,
  powi,
  select,
  sigmoid,
  sign,
  sin,
  sqrt,
  sub,
} from './expression.js';
import { simplify } from './simplify.js';
import { memoized } from './structure.js';

/** What to differentiate with respect to: the input `x`, or a named parameter. */
export type DerivativeTarget = 'x' | { readonly param: string };

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * d e / d target, simplified.
 *
 * @example toText(derivative(mul(x, x))) // '2 * x'
 */
export function derivative(e: Expr, target: DerivativeTarget = 'x'): Expr {
  // once per distinct node: d(a·b) = da·b + a·db shares a, b, da and db
  const d = memoized<Expr, Expr>((node, self) => rule(node, target, self));
  return simplify(d(e));
}

/** The derivative of one node, given `d` for its children. */
function rule(e: Expr, t: DerivativeTarget, d: (e: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'const':
      return constant(0);
    case 'input':
      return constant(t === 'x' ? 1 : 0);
    case 'param':
      return constant(t !== 'x' && t.param === e.name ? 1 : 0);
    case 'unary':
      return mul(unaryDerivative(e.op, e.arg), d(e.arg));
    case 'binary': {
      const a = e.left;
      const b = e.right;
      switch (e.op) {
        case 'add':
          return add(d(a), d(b));
        case 'sub':
          return sub(d(a), d(b));
        case 'mul':
          return add(mul(d(a), b), mul(a, d(b)));
        case 'div':
          return sub(div(d(a), b), div(mul(a, d(b)), powi(b, 2)));
        case 'max':
          return select(gt(a, b), d(a), d(b));
        case 'min':
          return select(lt(a, b), d(a), d(b));
      }
      break;
    }
    case 'powi':
      return mul(mul(e.exponent, powi(e.base, e.exponent - 1)), d(e.base));
    case 'select':
      return select(e.cond, d(e.ifTrue), d(e.ifFalse));
  }
}

/** The derivative of op(a) with respect to a. */
function unaryDerivative(op: Extract<Expr, { kind: 'unary' }>['op'], a: Expr): Expr {
  switch (op) {
    case 'neg':
      return constant(-1);
    case 'abs':
      return sign(a);
    case 'sign':
      return constant(0);
    case 'exp':
    case 'expm1':
      return exp(a);
    case 'log':
      return div(1, a);
    case 'log1p':
      return div(1, add(1, a));
    case 'sqrt':
      return div(0.5, sqrt(a));
    case 'tanh': {
      // sech²(a) = 4e / (1 + e)² with e = exp(-2|a|): no 1 - tanh² cancellation for large |a|
      const e = exp(mul(-2, abs(a)));
      return div(mul(4, e), powi(add(1, e), 2));
    }
    case 'erf':
      return mul(TWO_OVER_SQRT_PI, exp(neg(powi(a, 2))));
    case 'erfc':
      return mul(-TWO_OVER_SQRT_PI, exp(neg(powi(a, 2))));
    case 'sin':
      return cos(a);
    case 'cos':
      return neg(sin(a));
    case 'sigmoid':
      return mul(sigmoid(a), sigmoid(neg(a)));
    case 'softplus':
      return sigmoid(a);
  }
}
