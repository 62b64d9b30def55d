/** Float64 evaluation of expressions: a tree walker and a closure compiler (no `new Function`). */
import { ActivationError } from './errors.js';
import type { BinaryOp, Condition, Expr } from './expression.js';
import { BINARY_FLOAT64, COMPARE_FLOAT64, powi64, UNARY_FLOAT64 } from './math.js';
import { children, type Node, nodesOf } from './structure.js';

/** A compiled scalar function of x. */
export type ScalarFunction = (x: number) => number;

/**
 * Evaluates an expression at one x in float64. Parameters must be bound or given in `params`.
 *
 * @example evaluate(mul(x, sigmoid(x)), 1) // 0.7310585786300049
 */
export function evaluate(
  e: Expr,
  xValue: number,
  params: Readonly<Record<string, number>> = {},
): number {
  return compileScalar(e, params)(xValue);
}

/**
 * Compiles an expression into closures. Works where a Content-Security-Policy forbids
 * `new Function`, at a few times the cost of generated code. A sub-expression used more than once
 * is computed once per call into a slot, so the cost per call grows with the number of distinct
 * nodes, not with the size of the tree they unfold into.
 */
export function compileScalar(
  e: Expr,
  params: Readonly<Record<string, number>> = {},
): ScalarFunction {
  const order = nodesOf(e);
  const uses = new Map<Node, number>();
  for (const node of order)
    for (const child of children(node)) uses.set(child, (uses.get(child) ?? 0) + 1);
  const steps: ScalarFunction[] = [];
  const slots = new Float64Array(order.length);
  const compiled = new Map<Node, ScalarFunction>();
  const conditions = new Map<Node, (x: number) => boolean>();
  const value = (node: Expr): ScalarFunction => compiled.get(node)!;
  for (const node of order) {
    if (node.kind === 'compare') {
      conditions.set(node, compileCondition(node, value));
      continue;
    }
    const f = compileNode(node, params, value, (c) => conditions.get(c)!);
    const shared =
      (uses.get(node) ?? 0) > 1 &&
      node.kind !== 'const' &&
      node.kind !== 'input' &&
      node.kind !== 'param';
    if (!shared) {
      compiled.set(node, f);
      continue;
    }
    const k = steps.length;
    steps.push(f);
    compiled.set(node, () => slots[k]!);
  }
  const root = value(e);
  if (steps.length === 0) return root;
  const n = steps.length;
  return (v) => {
    for (let k = 0; k < n; k++) slots[k] = steps[k]!(v);
    return root(v);
  };
}

function compileNode(
  e: Expr,
  params: Readonly<Record<string, number>>,
  value: (e: Expr) => ScalarFunction,
  condition: (c: Condition) => (x: number) => boolean,
): ScalarFunction {
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'input':
      return (v) => v;
    case 'param': {
      const v = Object.hasOwn(params, e.name) ? params[e.name] : undefined;
      if (typeof v !== 'number') {
        throw new ActivationError(
          'BAD_PARAMETER',
          `Parameter '${e.name}' has no value; pass it in params.`,
        );
      }
      return () => v;
    }
    case 'unary': {
      const f = UNARY_FLOAT64[e.op];
      const a = value(e.arg);
      return (v) => f(a(v));
    }
    case 'binary':
      return compileBinary(e.op, e.left, e.right, value);
    case 'powi': {
      const a = value(e.base);
      const n = e.exponent;
      if (n === 2)
        return (v) => {
          const t = a(v);
          return t * t;
        };
      return (v) => powi64(a(v), n);
    }
    case 'select': {
      const c = condition(e.cond);
      const t = value(e.ifTrue);
      const f = value(e.ifFalse);
      return (v) => (c(v) ? t(v) : f(v));
    }
  }
}

// arithmetic written out, and a constant operand read directly: a closure call less per node
function compileBinary(
  op: BinaryOp,
  left: Expr,
  right: Expr,
  value: (e: Expr) => ScalarFunction,
): ScalarFunction {
  const a = value(left);
  const b = value(right);
  const c = right.kind === 'const' ? right.value : undefined;
  switch (op) {
    case 'add':
      return c === undefined ? (v) => a(v) + b(v) : (v) => a(v) + c;
    case 'sub':
      return c === undefined ? (v) => a(v) - b(v) : (v) => a(v) - c;
    case 'mul':
      if (left.kind === 'const') {
        const k = left.value;
        return (v) => k * b(v);
      }
      return c === undefined ? (v) => a(v) * b(v) : (v) => a(v) * c;
    case 'div':
      if (left.kind === 'const') {
        const k = left.value;
        return (v) => k / b(v);
      }
      return c === undefined ? (v) => a(v) / b(v) : (v) => a(v) / c;
    default: {
      const f = BINARY_FLOAT64[op];
      return (v) => f(a(v), b(v));
    }
  }
}

function compileCondition(
  c: Condition,
  value: (e: Expr) => ScalarFunction,
): (x: number) => boolean {
  const f = COMPARE_FLOAT64[c.op];
  const a = value(c.left);
  const b = value(c.right);
  return (v) => f(a(v), b(v));
}
