/**
 * The expression language activations are written in: immutable trees over one input `x`,
 * named parameters and constants. Backends compile these trees; nothing here runs per element.
 */

/** Unary functions. `sigmoid` and `softplus` are library functions with stable expansions. */
export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'expm1'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'tanh'
  | 'erf'
  | 'erfc'
  | 'sin'
  | 'cos'
  | 'sigmoid'
  | 'softplus';

/** Binary arithmetic. `min`/`max` propagate NaN. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max';

/** Comparisons; with a NaN operand every comparison is false except `ne`. */
export type CompareOp = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

/** A numeric expression. */
export type Expr =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'input' }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'powi'; readonly base: Expr; readonly exponent: number }
  | { readonly kind: 'select'; readonly cond: Condition; readonly ifTrue: Expr; readonly ifFalse: Expr };

/** A boolean condition, used only by `select`. */
export type Condition = {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: Expr;
  readonly right: Expr;
};

/** A number or an expression: every constructor accepts both. */
export type ExprLike = Expr | number;

/** Every unary op, in a fixed order. */
export const UNARY_OPS: readonly UnaryOp[] = [
  'neg',
  'abs',
  'sign',
  'exp',
  'expm1',
  'log',
  'log1p',
  'sqrt',
  'tanh',
  'erf',
  'erfc',
  'sin',
  'cos',
  'sigmoid',
  'softplus',
];

/** Library functions: defined in terms of primitives (see `expandLibrary`), with their own rules. */
export const LIBRARY_OPS: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['sigmoid', 'softplus']);

/** Lifts a number to a constant expression. */
export function lift(e: ExprLike): Expr {
  return typeof e === 'number' ? constant(e) : e;
}

/** A numeric constant. @example constant(0.5) */
export function constant(value: number): Expr {
  return Object.freeze({ kind: 'const', value });
}

/** The input variable `x`. */
export const x: Expr = Object.freeze({ kind: 'input' });

/** A named parameter, bound to a number when an activation is created. @example param('alpha') */
export function param(name: string): Expr {
  return Object.freeze({ kind: 'param', name });
}

function unary(op: UnaryOp) {
  return (arg: ExprLike): Expr => Object.freeze({ kind: 'unary', op, arg: lift(arg) });
}

function binary(op: BinaryOp) {
  return (left: ExprLike, right: ExprLike): Expr =>
    Object.freeze({ kind: 'binary', op, left: lift(left), right: lift(right) });
}

function compare(op: CompareOp) {
  return (left: ExprLike, right: ExprLike): Condition =>
    Object.freeze({ kind: 'compare', op, left: lift(left), right: lift(right) });
}

/** -a */
export const neg = unary('neg');
/** |a| */
export const abs = unary('abs');
/** sign(a): -1, 0 or 1 (NaN for NaN). */
export const sign = unary('sign');
/** e^a */
export const exp = unary('exp');
/** e^a - 1, accurate for small a. */
export const expm1 = unary('expm1');
/** ln a */
export const log = unary('log');
/** ln(1 + a), accurate for small a. */
export const log1p = unary('log1p');
/** √a */
export const sqrt = unary('sqrt');
/** tanh a (never NaN for large |a|). */
export const tanh = unary('tanh');
/** The error function. */
export const erf = unary('erf');
/** 1 - erf(a), accurate in the tail. */
export const erfc = unary('erfc');
/** sin a */
export const sin = unary('sin');
/** cos a */
export const cos = unary('cos');
/** The logistic function 1 / (1 + e^-a), in a stable form. */
export const sigmoid = unary('sigmoid');
/** ln(1 + e^a), in a stable form with a linear tail. */
export const softplus = unary('softplus');

/** a + b */
export const add = binary('add');
/** a - b */
export const sub = binary('sub');
/** a · b */
export const mul = binary('mul');
/** a / b */
export const div = binary('div');
/** The smaller of a and b (NaN if either is NaN). */
export const min = binary('min');
/** The larger of a and b (NaN if either is NaN). */
export const max = binary('max');

/** a < b */
export const lt = compare('lt');
/** a ≤ b */
export const le = compare('le');
/** a > b */
export const gt = compare('gt');
/** a ≥ b */
export const ge = compare('ge');
/** a = b */
export const eq = compare('eq');
/** a ≠ b (true when either is NaN) */
export const ne = compare('ne');

/** a^n for an integer n. @example powi(x, 3) */
export function powi(base: ExprLike, exponent: number): Expr {
  if (!Number.isInteger(exponent)) {
    throw new RangeError(`powi needs an integer exponent, got ${exponent}; use exp(b * log(a)) or sqrt.`);
  }
  return Object.freeze({ kind: 'powi', base: lift(base), exponent });
}

/** `cond ? then : else`, the only branching construct. @example select(gt(x, 0), x, 0) */
export function select(cond: Condition, ifTrue: ExprLike, ifFalse: ExprLike): Expr {
  return Object.freeze({ kind: 'select', cond, ifTrue: lift(ifTrue), ifFalse: lift(ifFalse) });
}

/** a · b · c … */
export function product(...factors: ExprLike[]): Expr {
  if (factors.length === 0) return constant(1);
  return factors.map(lift).reduce((acc, f) => mul(acc, f));
}

/** a + b + c … */
export function sum(...terms: ExprLike[]): Expr {
  if (terms.length === 0) return constant(0);
  return terms.map(lift).reduce((acc, t) => add(acc, t));
}

const keys = new WeakMap<object, string>();

/**
 * A string that is equal for structurally equal expressions: used for caching kernels and for
 * common-subexpression elimination in the emitters.
 */
export function exprKey(e: Expr | Condition): string {
  const cached = keys.get(e);
  if (cached !== undefined) return cached;
  let key: string;
  switch (e.kind) {
    case 'const':
      key = Object.is(e.value, -0) ? '-0' : String(e.value);
      break;
    case 'input':
      key = 'x';
      break;
    case 'param':
      key = `$${e.name}`;
      break;
    case 'unary':
      key = `${e.op}(${exprKey(e.arg)})`;
      break;
    case 'binary':
      key = `${e.op}(${exprKey(e.left)},${exprKey(e.right)})`;
      break;
    case 'powi':
      key = `powi(${exprKey(e.base)},${e.exponent})`;
      break;
    case 'select':
      key = `select(${exprKey(e.cond)},${exprKey(e.ifTrue)},${exprKey(e.ifFalse)})`;
      break;
    case 'compare':
      key = `${e.op}(${exprKey(e.left)},${exprKey(e.right)})`;
      break;
  }
  keys.set(e, key);
  return key;
}

/** The direct sub-expressions of an expression or condition. */
export function children(e: Expr | Condition): Array<Expr | Condition> {
  switch (e.kind) {
    case 'const':
    case 'input':
    case 'param':
      return [];
    case 'unary':
      return [e.arg];
    case 'binary':
    case 'compare':
      return [e.left, e.right];
    case 'powi':
      return [e.base];
    case 'select':
      return [e.cond, e.ifTrue, e.ifFalse];
  }
}

/** Names of the parameters an expression uses. */
export function paramNames(e: Expr | Condition, into = new Set<string>()): Set<string> {
  if (e.kind === 'param') into.add(e.name);
  for (const child of children(e)) paramNames(child, into);
  return into;
}

/** Does the expression read the input `x`? */
export function dependsOnInput(e: Expr | Condition): boolean {
  return e.kind === 'input' || children(e).some(dependsOnInput);
}

/**
 * Rebuilds a node with `fn` applied to each direct child (leaves are returned as they are): the
 * one recursion that transformations such as `bindParams` and `expandLibrary` share.
 */
export function mapChildren(e: Expr, fn: <T extends Expr | Condition>(child: T) => T): Expr;
export function mapChildren(e: Condition, fn: <T extends Expr | Condition>(child: T) => T): Condition;
export function mapChildren(e: Expr | Condition, fn: <T extends Expr | Condition>(child: T) => T): Expr | Condition;
export function mapChildren(e: Expr | Condition, fn: <T extends Expr | Condition>(child: T) => T): Expr | Condition {
  switch (e.kind) {
    case 'const':
    case 'input':
    case 'param':
      return e;
    case 'unary':
      return unary(e.op)(fn(e.arg));
    case 'binary':
      return binary(e.op)(fn(e.left), fn(e.right));
    case 'powi':
      return powi(fn(e.base), e.exponent);
    case 'select':
      return select(fn(e.cond), fn(e.ifTrue), fn(e.ifFalse));
    case 'compare':
      return compare(e.op)(fn(e.left), fn(e.right));
  }
}

/** Replaces every parameter by its value (unknown names are left as parameters). */
export function bindParams<T extends Expr | Condition>(e: T, values: Readonly<Record<string, number>>): T {
  if (e.kind === 'param') {
    const v = values[e.name];
    return (v === undefined ? e : constant(v)) as T;
  }
  return mapChildren(e, (child) => bindParams(child, values)) as T;
}

/** Builds a unary node for an op chosen at run time. */
export function applyUnary(op: UnaryOp, arg: ExprLike): Expr {
  return unary(op)(arg);
}

/** Builds a binary node for an op chosen at run time. */
export function applyBinary(op: BinaryOp, left: ExprLike, right: ExprLike): Expr {
  return binary(op)(left, right);
}

/** Builds a comparison for an op chosen at run time. */
export function applyCompare(op: CompareOp, left: ExprLike, right: ExprLike): Condition {
  return compare(op)(left, right);
}
