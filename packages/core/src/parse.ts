/**
 * The text form of expressions: `x * sigmoid(1.702 * x)`, `x > 0 ? x : alpha * expm1(x)`.
 * Operators + - * / ^ (integer exponents), comparisons < <= > >= == != inside `c ? a : b`,
 * every unary function by name, min, max, pow(a, n), where(c, a, b); names x, pi, e, inf and
 * declared parameters.
 */
import { ParseError } from './errors.js';
import {
  applyBinary,
  applyCompare,
  applyUnary,
  type CompareOp,
  type Condition,
  constant,
  type Expr,
  neg,
  param,
  powi,
  select,
  UNARY_OPS,
  x,
} from './expression.js';
import { simplify } from './simplify.js';
import { closestNames } from './suggest.js';

/** Options for `parseExpression`. */
export interface ParseOptions {
  /** Names that are parameters (anything else but x, pi, e, inf is an error). */
  readonly params?: readonly string[];
}

type Token =
  | { readonly type: 'number'; readonly value: number; readonly pos: number }
  | { readonly type: 'name'; readonly value: string; readonly pos: number }
  | { readonly type: 'op'; readonly value: string; readonly pos: number }
  | { readonly type: 'end'; readonly pos: number };

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>', '+', '-', '*', '/', '^', '(', ')', ',', '?', ':'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]), pos: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z_0-9]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ type: 'name', value: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw new ParseError(source, i, `Unexpected character '${ch}'`);
    tokens.push({ type: 'op', value: op, pos: i });
    i += op.length;
  }
  tokens.push({ type: 'end', pos: source.length });
  return tokens;
}

const COMPARE_OPS: Record<string, CompareOp> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '!=': 'ne' };
const NAMED_CONSTANTS: Record<string, number> = {
  pi: Math.PI,
  e: Math.E,
  inf: Number.POSITIVE_INFINITY,
  Infinity: Number.POSITIVE_INFINITY,
};
const FUNCTIONS = [...UNARY_OPS.filter((op) => op !== 'neg'), 'min', 'max', 'pow', 'where', 'select'];

/**
 * Parses the text form of an expression. Throws `ParseError` with the position on bad syntax.
 *
 * @example parseExpression('x * sigmoid(1.702 * x)')
 * @example parseExpression('x > 0 ? x : alpha * expm1(x)', { params: ['alpha'] })
 */
export function parseExpression(source: string, options: ParseOptions = {}): Expr {
  const tokens = tokenize(source);
  const params = new Set(options.params ?? []);
  let index = 0;
  const peek = () => tokens[index]!;
  const fail = (token: Token, problem: string): never => {
    throw new ParseError(source, token.pos, problem);
  };
  const isOp = (value: string) => {
    const t = peek();
    return t.type === 'op' && t.value === value;
  };
  const expectOp = (value: string) => {
    const t = peek();
    if (t.type !== 'op' || t.value !== value) fail(t, `Expected '${value}'${describe(t)}`);
    index++;
  };
  const describe = (t: Token) => (t.type === 'end' ? ' but the text ended' : ` but found '${source.slice(t.pos, t.pos + 1)}'`);

  function expression(): Expr {
    const start = peek();
    const left = additive();
    const t = peek();
    if (t.type === 'op' && t.value in COMPARE_OPS) {
      index++;
      const cond = applyCompare(COMPARE_OPS[t.value]!, left, additive());
      if (!isOp('?')) fail(peek(), `A comparison is not a number: write 'cond ? a : b'`);
      return conditional(cond);
    }
    if (t.type === 'op' && t.value === '?') fail(start, `'?' needs a comparison before it, such as 'x > 0 ?'`);
    return left;
  }

  function conditional(cond: Condition): Expr {
    expectOp('?');
    const then = expression();
    expectOp(':');
    return select(cond, then, expression());
  }

  function additive(): Expr {
    let left = multiplicative();
    for (;;) {
      if (isOp('+')) {
        index++;
        left = applyBinary('add', left, multiplicative());
      } else if (isOp('-')) {
        index++;
        left = applyBinary('sub', left, multiplicative());
      } else return left;
    }
  }

  function multiplicative(): Expr {
    let left = unary();
    for (;;) {
      if (isOp('*')) {
        index++;
        left = applyBinary('mul', left, unary());
      } else if (isOp('/')) {
        index++;
        left = applyBinary('div', left, unary());
      } else return left;
    }
  }

  function unary(): Expr {
    if (isOp('-')) {
      index++;
      const operand = unary();
      return operand.kind === 'const' ? constant(-operand.value) : neg(operand);
    }
    if (isOp('+')) {
      index++;
      return unary();
    }
    return power();
  }

  function power(): Expr {
    const base = primary();
    if (!isOp('^')) return base;
    index++;
    const at = peek();
    return powi(base, integerExponent(unary(), at));
  }

  function integerExponent(e: Expr, at: Token): number {
    const folded = simplify(e);
    if (folded.kind !== 'const' || !Number.isInteger(folded.value) || Math.abs(folded.value) > 64) {
      return fail(at, 'Exponents must be integer constants (|n| <= 64); for other powers write exp(b * log(a)) or sqrt(a)');
    }
    return folded.value;
  }

  function primary(): Expr {
    const t = peek();
    if (t.type === 'number') {
      index++;
      return constant(t.value);
    }
    if (t.type === 'op' && t.value === '(') {
      index++;
      const inner = expression();
      expectOp(')');
      return inner;
    }
    if (t.type === 'name') {
      index++;
      if (isOp('(')) return call(t);
      if (t.value === 'x') return x;
      const named = NAMED_CONSTANTS[t.value];
      if (named !== undefined) return constant(named);
      if (params.has(t.value)) return param(t.value);
      const known = ['x', ...Object.keys(NAMED_CONSTANTS), ...params];
      const close = closestNames(t.value, known);
      return fail(
        t,
        `Unknown name '${t.value}'${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}; the input is x, and parameters must be declared`,
      );
    }
    return fail(t, `Expected a number, a name or '('${describe(t)}`);
  }

  function call(name: Extract<Token, { type: 'name' }>): Expr {
    expectOp('(');
    const fn = name.value;
    if (fn === 'where' || fn === 'select') {
      const cond = condition();
      expectOp(',');
      const then = expression();
      expectOp(',');
      const otherwise = expression();
      expectOp(')');
      return select(cond, then, otherwise);
    }
    const args: Expr[] = [expression()];
    const argStarts: Token[] = [name];
    while (isOp(',')) {
      index++;
      argStarts.push(peek());
      args.push(expression());
    }
    expectOp(')');
    const arity = fn === 'min' || fn === 'max' || fn === 'pow' ? 2 : 1;
    if ((UNARY_OPS as readonly string[]).includes(fn) && fn !== 'neg') {
      if (args.length !== 1) fail(name, `${fn}() takes 1 argument, got ${args.length}`);
      return applyUnary(fn as (typeof UNARY_OPS)[number], args[0]!);
    }
    if (fn === 'min' || fn === 'max') {
      if (args.length !== arity) fail(name, `${fn}() takes 2 arguments, got ${args.length}`);
      return applyBinary(fn, args[0]!, args[1]!);
    }
    if (fn === 'pow') {
      if (args.length !== 2) fail(name, `pow() takes 2 arguments, got ${args.length}`);
      return powi(args[0]!, integerExponent(args[1]!, argStarts[1]!));
    }
    const close = closestNames(fn, FUNCTIONS);
    return fail(name, `Unknown function '${fn}'${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}`);
  }

  function condition(): Condition {
    const left = additive();
    const t = peek();
    if (t.type !== 'op' || !(t.value in COMPARE_OPS)) return fail(t, `Expected a comparison such as '<' or '>='${describe(t)}`);
    index++;
    return applyCompare(COMPARE_OPS[t.value]!, left, additive());
  }

  const result = expression();
  const rest = peek();
  if (rest.type !== 'end') fail(rest, `Unexpected '${source.slice(rest.pos, rest.pos + 1)}' after a complete expression`);
  return result;
}
