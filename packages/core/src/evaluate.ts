/** Float64 evaluation of expressions: a tree walker and a closure compiler (no `new Function`). */
import { ActivationError } from './errors.js';
import type { Condition, Expr } from './expression.js';
import { BINARY_FLOAT64, COMPARE_FLOAT64, powi64, UNARY_FLOAT64 } from './math.js';

/** A compiled scalar function of x. */
export type ScalarFunction = (x: number) => number;

/**
 * Evaluates an expression at one x in float64. Parameters must be bound or given in `params`.
 *
 * @example evaluate(mul(x, sigmoid(x)), 1) // 0.7310585786300049
 */
export function evaluate(e: Expr, xValue: number, params: Readonly<Record<string, number>> = {}): number {
  return compileScalar(e, params)(xValue);
}

/**
 * Compiles an expression into nested closures. Works where a Content-Security-Policy forbids
 * `new Function`, at a few times the cost of generated code.
 */
export function compileScalar(e: Expr, params: Readonly<Record<string, number>> = {}): ScalarFunction {
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'input':
      return (v) => v;
    case 'param': {
      const v = params[e.name];
      if (v === undefined) {
        throw new ActivationError('BAD_PARAMETER', `Parameter '${e.name}' has no value; pass it in params.`);
      }
      return () => v;
    }
    case 'unary': {
      const f = UNARY_FLOAT64[e.op];
      const a = compileScalar(e.arg, params);
      return (v) => f(a(v));
    }
    case 'binary': {
      const f = BINARY_FLOAT64[e.op];
      const a = compileScalar(e.left, params);
      const b = compileScalar(e.right, params);
      return (v) => f(a(v), b(v));
    }
    case 'powi': {
      const a = compileScalar(e.base, params);
      const n = e.exponent;
      if (n === 2) return (v) => {
        const t = a(v);
        return t * t;
      };
      return (v) => powi64(a(v), n);
    }
    case 'select': {
      const c = compileCondition(e.cond, params);
      const t = compileScalar(e.ifTrue, params);
      const f = compileScalar(e.ifFalse, params);
      return (v) => (c(v) ? t(v) : f(v));
    }
  }
}

function compileCondition(c: Condition, params: Readonly<Record<string, number>>): (x: number) => boolean {
  const f = COMPARE_FLOAT64[c.op];
  const a = compileScalar(c.left, params);
  const b = compileScalar(c.right, params);
  return (v) => f(a(v), b(v));
}
