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
  constant,
  type Expr,
  ne,
  powi,
  select,
  x,
} from './expression.js';
import { memoized, StructuralIds } from './structure.js';

function isConst(e: Expr, value: number): boolean {
  return e.kind === 'const' && e.value === value;
}

function fold(e: Expr): Expr {
  return constant(compileScalar(e)(0));
}

/**
 * Simplifies an expression bottom-up. Each distinct node is simplified once, and structurally
 * equal results are returned as one object (so later steps can share them by identity).
 *
 * @example toText(simplify(add(mul(1, x), 0))) // 'x'
 */
export function simplify(e: Expr): Expr {
  return new Simplifier().expr(e);
}

class Simplifier {
  readonly #ids = new StructuralIds();
  /** Results by input node; a result maps to itself, so simplified operands are not walked again. */
  readonly #memo = new Map<Expr, Expr>();

  expr(e: Expr): Expr {
    let result = this.#memo.get(e);
    if (result === undefined) {
      result = this.#ids.canonical(this.#node(e));
      this.#memo.set(e, result);
      this.#memo.set(result, result);
    }
    return result;
  }

  #node(e: Expr): Expr {
    switch (e.kind) {
      case 'const':
      case 'input':
      case 'param':
        return e;
      case 'unary': {
        const arg = this.expr(e.arg);
        if (arg.kind === 'const') return fold(applyUnary(e.op, arg));
        if (e.op === 'neg' && arg.kind === 'unary' && arg.op === 'neg') return arg.arg;
        // canonical form of a negated product: a negative constant factor, -(c · a) = (-c) · a
        if (
          e.op === 'neg' &&
          arg.kind === 'binary' &&
          arg.op === 'mul' &&
          arg.left.kind === 'const'
        ) {
          return this.#binary('mul', constant(-arg.left.value), arg.right);
        }
        if (e.op === 'abs' && arg.kind === 'unary' && (arg.op === 'abs' || arg.op === 'neg')) {
          return this.expr(applyUnary('abs', arg.arg));
        }
        return applyUnary(e.op, arg);
      }
      case 'powi': {
        const base = this.expr(e.base);
        if (e.exponent === 0) return constant(1);
        if (e.exponent === 1) return base;
        if (base.kind === 'const') return fold(powi(base, e.exponent));
        return powi(base, e.exponent);
      }
      case 'binary':
        return this.#binary(e.op, this.expr(e.left), this.expr(e.right));
      case 'select': {
        const cond = applyCompare(e.cond.op, this.expr(e.cond.left), this.expr(e.cond.right));
        const then = this.expr(e.ifTrue);
        const otherwise = this.expr(e.ifFalse);
        // simplified, a side free of x and parameters is a constant
        if (cond.left.kind === 'const' && cond.right.kind === 'const') {
          return compileScalar(select(cond, 1, 0))(0) === 1 ? then : otherwise;
        }
        if (this.#ids.same(then, otherwise)) return then;
        return select(cond, then, otherwise);
      }
    }
  }

  /** Simplifies a binary node whose operands are already simplified. */
  #binary(op: BinaryOp, a: Expr, b: Expr): Expr {
    return this.#ids.canonical(this.#binaryNode(op, a, b));
  }

  #binaryNode(op: BinaryOp, a: Expr, b: Expr): Expr {
    if (a.kind === 'const' && b.kind === 'const') return fold(applyBinary(op, a, b));
    switch (op) {
      case 'add':
        if (isConst(a, 0)) return b;
        if (isConst(b, 0)) return a;
        if (b.kind === 'unary' && b.op === 'neg') return this.#binary('sub', a, b.arg);
        if (a.kind === 'unary' && a.op === 'neg') return this.#binary('sub', b, a.arg);
        if (b.kind === 'const' && b.value < 0) return applyBinary('sub', a, constant(-b.value));
        break;
      case 'sub':
        if (isConst(b, 0)) return a;
        if (isConst(a, 0)) return this.expr(applyUnary('neg', b));
        if (b.kind === 'unary' && b.op === 'neg') return this.#binary('add', a, b.arg);
        break;
      case 'mul':
        if (isConst(a, 0) || isConst(b, 0)) return constant(0);
        if (isConst(a, 1)) return b;
        if (isConst(b, 1)) return a;
        if (isConst(a, -1)) return this.expr(applyUnary('neg', b));
        if (isConst(b, -1)) return this.expr(applyUnary('neg', a));
        // constants first, and merged: c1 · (c2 · e) = (c1 c2) · e
        if (b.kind === 'const') return this.#binary('mul', b, a);
        if (
          a.kind === 'const' &&
          b.kind === 'binary' &&
          b.op === 'mul' &&
          b.left.kind === 'const'
        ) {
          return this.#binary('mul', constant(a.value * b.left.value), b.right);
        }
        if (a.kind === 'unary' && a.op === 'neg')
          return this.expr(applyUnary('neg', applyBinary('mul', a.arg, b)));
        if (b.kind === 'unary' && b.op === 'neg')
          return this.expr(applyUnary('neg', applyBinary('mul', a, b.arg)));
        if (this.#ids.same(a, b)) return powi(a, 2);
        // a · (1/b) = a/b, with one rounding instead of two
        if (b.kind === 'binary' && b.op === 'div' && isConst(b.left, 1))
          return this.#binary('div', a, b.right);
        if (a.kind === 'binary' && a.op === 'div' && isConst(a.left, 1))
          return this.#binary('div', b, a.right);
        break;
      case 'div':
        if (isConst(a, 0)) return constant(0);
        if (isConst(b, 1)) return a;
        if (isConst(b, -1)) return this.expr(applyUnary('neg', a));
        if (a.kind === 'unary' && a.op === 'neg')
          return this.expr(applyUnary('neg', applyBinary('div', a.arg, b)));
        break;
      case 'min':
      case 'max':
        if (this.#ids.same(a, b)) return a;
        break;
    }
    return applyBinary(op, a, b);
  }
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
  return memoized<Expr, boolean>((node, self) => {
    switch (node.kind) {
      case 'input':
        return true;
      case 'const':
      case 'param':
        return false;
      case 'unary':
        return self(node.arg); // every unary op maps NaN to NaN
      case 'binary':
        return self(node.left) || self(node.right);
      case 'powi':
        return node.exponent !== 0 && self(node.base);
      case 'select': {
        // a NaN operand makes every comparison false except ≠, so NaN takes one known branch
        const { cond } = node;
        if (self(cond.left) || self(cond.right))
          return self(cond.op === 'ne' ? node.ifTrue : node.ifFalse);
        return self(node.ifTrue) && self(node.ifFalse);
      }
    }
  })(e);
}
