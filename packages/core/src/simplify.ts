/**
 * Algebraic simplification: constant folding and the identities that keep derivatives short.
 * Rules follow real arithmetic (0 · a = 0 even where a could be infinite); NaN propagation is
 * restored afterwards by `guardNaN`, not by keeping dead terms alive.
 */
import { compileScalar } from './evaluate.js';
import {
  applyBinary,
  applyCompare,
  applyUnary,
  type BinaryOp,
  type Condition,
  constant,
  dependsOnInput,
  type Expr,
  exprKey,
  ne,
  paramNames,
  powi,
  select,
  x,
} from './expression.js';

function isConst(e: Expr, value: number): boolean {
  return e.kind === 'const' && e.value === value;
}

function foldable(e: Expr | Condition): boolean {
  return !dependsOnInput(e) && paramNames(e).size === 0;
}

function fold(e: Expr): Expr {
  return constant(compileScalar(e)(0));
}

/**
 * Simplifies an expression bottom-up.
 *
 * @example toText(simplify(add(mul(1, x), 0))) // 'x'
 */
export function simplify(e: Expr): Expr {
  switch (e.kind) {
    case 'const':
    case 'input':
    case 'param':
      return e;
    case 'unary': {
      const arg = simplify(e.arg);
      if (arg.kind === 'const') return fold(applyUnary(e.op, arg));
      if (e.op === 'neg' && arg.kind === 'unary' && arg.op === 'neg') return arg.arg;
      // canonical form of a negated product: a negative constant factor, -(c · a) = (-c) · a
      if (e.op === 'neg' && arg.kind === 'binary' && arg.op === 'mul' && arg.left.kind === 'const') {
        return simplifyBinary('mul', constant(-arg.left.value), arg.right);
      }
      if (e.op === 'abs' && arg.kind === 'unary' && (arg.op === 'abs' || arg.op === 'neg')) {
        return simplify(applyUnary('abs', arg.arg));
      }
      return applyUnary(e.op, arg);
    }
    case 'powi': {
      const base = simplify(e.base);
      if (e.exponent === 0) return constant(1);
      if (e.exponent === 1) return base;
      if (base.kind === 'const') return fold(powi(base, e.exponent));
      return powi(base, e.exponent);
    }
    case 'binary':
      return simplifyBinary(e.op, simplify(e.left), simplify(e.right));
    case 'select': {
      const cond = simplifyCondition(e.cond);
      const then = simplify(e.ifTrue);
      const otherwise = simplify(e.ifFalse);
      if (foldable(cond)) return compileScalar(select(cond, 1, 0))(0) === 1 ? then : otherwise;
      if (exprKey(then) === exprKey(otherwise)) return then;
      return select(cond, then, otherwise);
    }
  }
}

function simplifyCondition(c: Condition): Condition {
  return applyCompare(c.op, simplify(c.left), simplify(c.right));
}

function simplifyBinary(op: BinaryOp, a: Expr, b: Expr): Expr {
  if (a.kind === 'const' && b.kind === 'const') return fold(applyBinary(op, a, b));
  switch (op) {
    case 'add':
      if (isConst(a, 0)) return b;
      if (isConst(b, 0)) return a;
      if (b.kind === 'unary' && b.op === 'neg') return simplifyBinary('sub', a, b.arg);
      if (a.kind === 'unary' && a.op === 'neg') return simplifyBinary('sub', b, a.arg);
      if (b.kind === 'const' && b.value < 0) return applyBinary('sub', a, constant(-b.value));
      break;
    case 'sub':
      if (isConst(b, 0)) return a;
      if (isConst(a, 0)) return simplify(applyUnary('neg', b));
      if (b.kind === 'unary' && b.op === 'neg') return simplifyBinary('add', a, b.arg);
      break;
    case 'mul':
      if (isConst(a, 0) || isConst(b, 0)) return constant(0);
      if (isConst(a, 1)) return b;
      if (isConst(b, 1)) return a;
      if (isConst(a, -1)) return simplify(applyUnary('neg', b));
      if (isConst(b, -1)) return simplify(applyUnary('neg', a));
      // constants first, and merged: c1 · (c2 · e) = (c1 c2) · e
      if (b.kind === 'const') return simplifyBinary('mul', b, a);
      if (a.kind === 'const' && b.kind === 'binary' && b.op === 'mul' && b.left.kind === 'const') {
        return simplifyBinary('mul', constant(a.value * b.left.value), b.right);
      }
      if (a.kind === 'unary' && a.op === 'neg') return simplify(applyUnary('neg', applyBinary('mul', a.arg, b)));
      if (b.kind === 'unary' && b.op === 'neg') return simplify(applyUnary('neg', applyBinary('mul', a, b.arg)));
      if (exprKey(a) === exprKey(b)) return powi(a, 2);
      // a · (1/b) = a/b, with one rounding instead of two
      if (b.kind === 'binary' && b.op === 'div' && isConst(b.left, 1)) return simplifyBinary('div', a, b.right);
      if (a.kind === 'binary' && a.op === 'div' && isConst(a.left, 1)) return simplifyBinary('div', b, a.right);
      break;
    case 'div':
      if (isConst(a, 0)) return constant(0);
      if (isConst(b, 1)) return a;
      if (isConst(b, -1)) return simplify(applyUnary('neg', a));
      if (a.kind === 'unary' && a.op === 'neg') return simplify(applyUnary('neg', applyBinary('div', a.arg, b)));
      break;
    case 'min':
    case 'max':
      if (exprKey(a) === exprKey(b)) return a;
      break;
  }
  return applyBinary(op, a, b);
}

/**
 * Makes NaN in give NaN out: wraps `e` in `x ≠ x ? x : e` unless every path through `e` already
 * carries a NaN input to the output. Backends compile the guarded form.
 */
export function guardNaN(e: Expr): Expr {
  return propagatesNaN(e) ? e : select(ne(x, x), x, e);
}

/** Whether a NaN input is certain to give a NaN result (conservative: false when unsure). */
export function propagatesNaN(e: Expr): boolean {
  switch (e.kind) {
    case 'input':
      return true;
    case 'const':
    case 'param':
      return false;
    case 'unary':
      return propagatesNaN(e.arg); // every unary op maps NaN to NaN
    case 'binary':
      return propagatesNaN(e.left) || propagatesNaN(e.right);
    case 'powi':
      return e.exponent !== 0 && propagatesNaN(e.base);
    case 'select': {
      // a NaN operand makes every comparison false except ≠, so NaN takes one known branch
      const { cond } = e;
      if (propagatesNaN(cond.left) || propagatesNaN(cond.right)) {
        return propagatesNaN(cond.op === 'ne' ? e.ifTrue : e.ifFalse);
      }
      return propagatesNaN(e.ifTrue) && propagatesNaN(e.ifFalse);
    }
  }
}
