/**
 * Expressions from outside — JSON, hand-built objects, the result of a formula function — are
 * hostile until checked. `validateExpression` reads each node's own data properties once, accepts
 * only the known kinds and operators, finite numbers as constants and declared parameter names,
 * refuses cycles, and returns a fresh frozen tree in which equal sub-expressions are one object.
 * Limits on depth and size keep every later step (simplify, derivative, bounds, emitters) fast.
 */
import { BadExpressionError, ExpressionTooLargeError } from './errors.js';
import {
  applyBinary,
  applyCompare,
  applyUnary,
  type Condition,
  constant,
  describeValue,
  type Expr,
  isBinaryOp,
  isCompareOp,
  isUnaryOp,
  MAX_EXPONENT,
  param,
  powi,
  select,
  x,
} from './expression.js';
import { StructuralIds } from './structure.js';

/**
 * The documented limits of an expression: nesting `depth` (a leaf is 1), distinct `nodes`, and
 * `textLength` of its text form. Past them definitions are refused with ExpressionTooLargeError,
 * within milliseconds. The zoo's largest expression is nested 14 deep with 40 distinct nodes.
 */
export const EXPRESSION_LIMITS = Object.freeze({ depth: 200, nodes: 4096, textLength: 10_000 });

/** What `validateExpression` takes. */
export interface ValidateOptions {
  /** Parameter names the expression may use (any other is refused). */
  readonly params?: Iterable<string>;
  /** The name of what is checked, for messages (default 'expression'). */
  readonly label?: string;
}

/** The value of an own data property, or undefined when absent; a getter or a throwing proxy is refused. */
function field(node: object, key: string, path: () => string): unknown {
  let descriptor: PropertyDescriptor | undefined;
  try {
    descriptor = Object.getOwnPropertyDescriptor(node, key);
  } catch (cause) {
    throw new BadExpressionError(
      path(),
      `reading '${key}' failed (${cause instanceof Error ? cause.message : 'error'}); pass plain data`,
    );
  }
  if (descriptor === undefined) return undefined;
  if (!('value' in descriptor))
    throw new BadExpressionError(
      path(),
      `'${key}' is a getter; pass plain data (e.g. from JSON.parse)`,
    );
  return descriptor.value;
}

const KINDS = 'const, input, param, unary, binary, powi, select';

/**
 * Checks an expression tree that came from outside and returns a safe copy of it: the only way
 * such a tree reaches a backend. Throws BadExpressionError naming the node's path and the problem,
 * or ExpressionTooLargeError past EXPRESSION_LIMITS.
 *
 * @example validateExpression(JSON.parse('{"kind":"unary","op":"tanh","arg":{"kind":"input"}}'))
 */
export function validateExpression(input: unknown, options: ValidateOptions = {}): Expr {
  const declared = new Set(options.params ?? []);
  const label = options.label ?? 'expression';
  const ids = new StructuralIds();
  const done = new Map<object, Expr | Condition>();
  const active = new Set<object>();
  const trail: string[] = [];
  const path = () => [label, ...trail].join('.');
  const { depth: maxDepth, nodes: maxNodes } = EXPRESSION_LIMITS;

  const child = (node: object, key: string, depth: number): unknown => {
    trail.push(key);
    try {
      const value = field(node, key, path);
      return visit(value, depth + 1);
    } finally {
      trail.pop();
    }
  };
  const expr = (node: object, key: string, depth: number): Expr => {
    const value = child(node, key, depth) as Expr | Condition;
    if (value.kind === 'compare') {
      trail.push(key);
      const where = path();
      trail.pop();
      throw new BadExpressionError(
        where,
        'a comparison is not a number: use it as the cond of a select',
      );
    }
    return value;
  };

  function visit(value: unknown, depth: number): Expr | Condition {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BadExpressionError(
        path(),
        `expected an expression node (an object with a kind), got ${describeValue(value)}`,
      );
    }
    const known = done.get(value);
    if (known) return known;
    if (active.has(value))
      throw new BadExpressionError(
        path(),
        'the node contains itself (a cycle); expressions are trees',
      );
    if (depth > maxDepth) {
      throw new ExpressionTooLargeError(
        'depth',
        maxDepth,
        `The ${label} is nested more than ${maxDepth} levels deep (at ${path()}); the limit is EXPRESSION_LIMITS.depth. Write it with fewer nested operations.`,
      );
    }
    if (done.size >= maxNodes) {
      throw new ExpressionTooLargeError(
        'nodes',
        maxNodes,
        `The ${label} has more than ${maxNodes} nodes; the limit is EXPRESSION_LIMITS.nodes. Write it with fewer operations.`,
      );
    }
    active.add(value);
    const kind = field(value, 'kind', path);
    let result: Expr | Condition;
    switch (kind) {
      case 'const': {
        const v = field(value, 'value', path);
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new BadExpressionError(
            path(),
            `a constant must be a finite number, got ${describeValue(v)}`,
          );
        }
        result = constant(v);
        break;
      }
      case 'input':
        result = x;
        break;
      case 'param': {
        const name = field(value, 'name', path);
        if (typeof name !== 'string' || !declared.has(name)) {
          const list = [...declared].map((n) => `'${n}'`).join(', ');
          throw new BadExpressionError(
            path(),
            `parameter ${describeValue(name)} is not declared; ${list ? `declared: ${list}` : 'declare it in params'}`,
          );
        }
        result = param(name);
        break;
      }
      case 'unary': {
        const op = field(value, 'op', path);
        if (!isUnaryOp(op))
          throw new BadExpressionError(path(), `unknown unary op ${describeValue(op)}`);
        result = applyUnary(op, expr(value, 'arg', depth));
        break;
      }
      case 'binary': {
        const op = field(value, 'op', path);
        if (!isBinaryOp(op))
          throw new BadExpressionError(path(), `unknown binary op ${describeValue(op)}`);
        result = applyBinary(op, expr(value, 'left', depth), expr(value, 'right', depth));
        break;
      }
      case 'powi': {
        const n = field(value, 'exponent', path);
        if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > MAX_EXPONENT) {
          throw new BadExpressionError(
            path(),
            `the exponent must be an integer with |n| <= ${MAX_EXPONENT}, got ${describeValue(n)}`,
          );
        }
        result = powi(expr(value, 'base', depth), n);
        break;
      }
      case 'select': {
        const cond = child(value, 'cond', depth) as Expr | Condition;
        if (cond.kind !== 'compare') {
          trail.push('cond');
          const where = path();
          trail.pop();
          throw new BadExpressionError(
            where,
            "a select's cond must be a comparison (kind 'compare')",
          );
        }
        result = select(cond, expr(value, 'ifTrue', depth), expr(value, 'ifFalse', depth));
        break;
      }
      case 'compare': {
        const op = field(value, 'op', path);
        if (!isCompareOp(op))
          throw new BadExpressionError(path(), `unknown comparison ${describeValue(op)}`);
        result = applyCompare(op, expr(value, 'left', depth), expr(value, 'right', depth));
        break;
      }
      default:
        throw new BadExpressionError(
          path(),
          `unknown node kind ${describeValue(kind)}; one of ${KINDS}`,
        );
    }
    result = ids.canonical(result);
    active.delete(value);
    done.set(value, result);
    return result;
  }

  const root = visit(input, 1);
  if (root.kind === 'compare')
    throw new BadExpressionError(
      label,
      'a comparison is not a number: use it as the cond of a select',
    );
  return root;
}
