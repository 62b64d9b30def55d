/**
 * The expression language activations are written in: immutable trees over one input `x`,
 * named parameters and constants. Backends compile these trees; nothing here runs per element.
 * Constructors check their arguments (a constant is a number, a parameter name an identifier);
 * trees from outside (JSON, hand-built objects) are checked whole by `validateExpression`.
 */
import { BadExpressionError } from './errors.js';
import { memoized, nodesOf } from './structure.js';

export { children, exprKey } from './structure.js';

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
  | {
      readonly kind: 'select';
      readonly cond: Condition;
      readonly ifTrue: Expr;
      readonly ifFalse: Expr;
    };

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
export const UNARY_OPS: readonly UnaryOp[] = Object.freeze([
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
]);

/** Every binary op. */
export const BINARY_OPS: readonly BinaryOp[] = Object.freeze([
  'add',
  'sub',
  'mul',
  'div',
  'min',
  'max',
]);

/** Every comparison. */
export const COMPARE_OPS: readonly CompareOp[] = Object.freeze([
  'lt',
  'le',
  'gt',
  'ge',
  'eq',
  'ne',
]);

/** Library functions: defined in terms of primitives (see `expandLibrary`), with their own rules. */
export const LIBRARY_OPS: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['sigmoid', 'softplus']);

const UNARY_SET: ReadonlySet<string> = new Set(UNARY_OPS);
const BINARY_SET: ReadonlySet<string> = new Set(BINARY_OPS);
const COMPARE_SET: ReadonlySet<string> = new Set(COMPARE_OPS);

/** Is `op` a unary op name (an own entry of the fixed list, never an inherited property)? */
export function isUnaryOp(op: unknown): op is UnaryOp {
  return typeof op === 'string' && UNARY_SET.has(op);
}

/** Is `op` a binary op name? */
export function isBinaryOp(op: unknown): op is BinaryOp {
  return typeof op === 'string' && BINARY_SET.has(op);
}

/** Is `op` a comparison name? */
export function isCompareOp(op: unknown): op is CompareOp {
  return typeof op === 'string' && COMPARE_SET.has(op);
}

/** Largest |n| of `powi(a, n)` in a definition: beyond it every float32 base but ±1 and 0 overflows or underflows. */
export const MAX_EXPONENT = 64;

/** Parameter names: identifiers that are not the input, a named constant or an Object.prototype name. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED_NAMES: ReadonlySet<string> = new Set(['x', 'pi', 'e', 'inf', 'Infinity', 'NaN']);

/** Why `name` cannot name a parameter, or undefined when it can. */
export function badParamName(name: unknown): string | undefined {
  if (typeof name !== 'string') return `a parameter name must be a string, got ${typeof name}`;
  if (!PARAM_NAME.test(name))
    return `'${name.slice(0, 40)}' is not an identifier (letters, digits and _, at most 64)`;
  if (RESERVED_NAMES.has(name)) return `'${name}' is reserved (the input or a named constant)`;
  if (name in Object.prototype) return `'${name}' is an Object.prototype property name`;
  if (UNARY_SET.has(name) || ['min', 'max', 'pow', 'where', 'select'].includes(name)) {
    return `'${name}' is a function name`;
  }
  return undefined;
}

function isNode(value: unknown): value is Expr {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/** Lifts a number to a constant expression. */
export function lift(e: ExprLike): Expr {
  if (typeof e === 'number') return constant(e);
  if (!isNode(e) || (e as { kind: string }).kind === 'compare') {
    throw new BadExpressionError(
      '',
      `an operand must be a number or an expression, got ${describeValue(e)}`,
    );
  }
  return e;
}

/** A numeric constant. @example constant(0.5) */
export function constant(value: number): Expr {
  if (typeof value !== 'number') {
    throw new BadExpressionError('', `a constant must be a number, got ${describeValue(value)}`);
  }
  return Object.freeze({ kind: 'const', value });
}

/** The input variable `x`. */
export const x: Expr = Object.freeze({ kind: 'input' });

/** A named parameter, bound to a number when an activation is created. @example param('alpha') */
export function param(name: string): Expr {
  const problem = badParamName(name);
  if (problem) throw new BadExpressionError('', problem);
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

/**
 * a^n for an integer n (definitions, text and JSON trees allow |n| ≤ MAX_EXPONENT; derivatives
 * may go a little past it). @example powi(x, 3)
 */
export function powi(base: ExprLike, exponent: number): Expr {
  if (!Number.isSafeInteger(exponent)) {
    throw new BadExpressionError(
      '',
      `powi needs an integer exponent, got ${describeValue(exponent)}; use exp(b * log(a)) or sqrt for other powers`,
    );
  }
  return Object.freeze({ kind: 'powi', base: lift(base), exponent });
}

/** `cond ? then : else`, the only branching construct. @example select(gt(x, 0), x, 0) */
export function select(cond: Condition, ifTrue: ExprLike, ifFalse: ExprLike): Expr {
  if (!isNode(cond) || (cond as { kind: string }).kind !== 'compare') {
    throw new BadExpressionError(
      '',
      `select needs a comparison such as gt(x, 0) as its condition, got ${describeValue(cond)}`,
    );
  }
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

/** Names of the parameters an expression uses. */
export function paramNames(e: Expr | Condition, into = new Set<string>()): Set<string> {
  for (const node of nodesOf(e)) if (node.kind === 'param') into.add(node.name);
  return into;
}

/** Does the expression read the input `x`? */
export function dependsOnInput(e: Expr | Condition): boolean {
  return nodesOf(e).some((node) => node.kind === 'input');
}

/**
 * Rebuilds a node with `fn` applied to each direct child (leaves are returned as they are): the
 * one recursion that transformations such as `bindParams` and `expandLibrary` share. Wrap `fn`
 * in `memoized` so shared children are rebuilt once.
 */
export function mapChildren(e: Expr, fn: <T extends Expr | Condition>(child: T) => T): Expr;
export function mapChildren(
  e: Condition,
  fn: <T extends Expr | Condition>(child: T) => T,
): Condition;
export function mapChildren(
  e: Expr | Condition,
  fn: <T extends Expr | Condition>(child: T) => T,
): Expr | Condition;
export function mapChildren(
  e: Expr | Condition,
  fn: <T extends Expr | Condition>(child: T) => T,
): Expr | Condition {
  switch (e.kind) {
    case 'const':
    case 'input':
    case 'param':
      return e;
    case 'unary': {
      const arg = fn(e.arg);
      return arg === e.arg ? e : unary(e.op)(arg);
    }
    case 'binary': {
      const [left, right] = [fn(e.left), fn(e.right)];
      return left === e.left && right === e.right ? e : binary(e.op)(left, right);
    }
    case 'powi': {
      const base = fn(e.base);
      return base === e.base ? e : powi(base, e.exponent);
    }
    case 'select': {
      const [cond, ifTrue, ifFalse] = [fn(e.cond), fn(e.ifTrue), fn(e.ifFalse)];
      return cond === e.cond && ifTrue === e.ifTrue && ifFalse === e.ifFalse
        ? e
        : select(cond, ifTrue, ifFalse);
    }
    case 'compare': {
      const [left, right] = [fn(e.left), fn(e.right)];
      return left === e.left && right === e.right ? e : compare(e.op)(left, right);
    }
  }
}

/**
 * A memoised bottom-up rewrite: `fn` sees each distinct node once, with its children already
 * rewritten, and returns its replacement (or the node). Shared sub-expressions stay shared.
 *
 * @example rewrite(e, (n) => (n.kind === 'param' ? constant(1) : n))
 */
export function rewrite<T extends Expr | Condition>(
  e: T,
  fn: (node: Expr | Condition) => Expr | Condition,
): T {
  const go = memoized<Expr | Condition, Expr | Condition>((node, self) =>
    fn(mapChildren(node, (child) => self(child) as typeof child)),
  );
  return go(e) as T;
}

/** Replaces every parameter by its value (unknown names are left as parameters). */
export function bindParams<T extends Expr | Condition>(
  e: T,
  values: Readonly<Record<string, number>>,
): T {
  return rewrite(e, (node) => {
    if (node.kind !== 'param' || !Object.hasOwn(values, node.name)) return node;
    const v = values[node.name];
    return typeof v === 'number' ? constant(v) : node;
  });
}

/** Builds a unary node for an op chosen at run time. */
export function applyUnary(op: UnaryOp, arg: ExprLike): Expr {
  if (!isUnaryOp(op))
    throw new BadExpressionError(
      '',
      `unknown unary op ${describeValue(op)}; one of ${UNARY_OPS.join(', ')}`,
    );
  return unary(op)(arg);
}

/** Builds a binary node for an op chosen at run time. */
export function applyBinary(op: BinaryOp, left: ExprLike, right: ExprLike): Expr {
  if (!isBinaryOp(op))
    throw new BadExpressionError(
      '',
      `unknown binary op ${describeValue(op)}; one of ${BINARY_OPS.join(', ')}`,
    );
  return binary(op)(left, right);
}

/** Builds a comparison for an op chosen at run time. */
export function applyCompare(op: CompareOp, left: ExprLike, right: ExprLike): Condition {
  if (!isCompareOp(op))
    throw new BadExpressionError(
      '',
      `unknown comparison ${describeValue(op)}; one of ${COMPARE_OPS.join(', ')}`,
    );
  return compare(op)(left, right);
}

/** A short description of a value for error messages (never its full text). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'undefined')
    return String(value);
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : typeof value;
}
