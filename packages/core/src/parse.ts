/**
 * The text form of expressions: `x * sigmoid(1.702 * x)`, `x > 0 ? x : alpha * expm1(x)`.
 * Operators + - * / ^ (integer exponents), comparisons < <= > >= == != inside `c ? a : b`,
 * every unary function by name, min, max, pow(a, n), where(c, a, b); names x, pi, e and declared
 * parameters. Text from outside (a URL, a form) is hostile: names resolve only to the fixed tables
 * and the declared parameters, numbers must be finite, and nesting and length are limited
 * (EXPRESSION_LIMITS), so a hostile formula is refused in time linear in its length.
 */
import { ExpressionTooLargeError, ParseError } from './errors.js';
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
import { EXPRESSION_LIMITS } from './validate.js';

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

const OPERATORS = [
  '<=',
  '>=',
  '==',
  '!=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '^',
  '(',
  ')',
  ',',
  '?',
  ':',
];
const NUMBER = /(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z_0-9]*/y;
const SPACE = /\s+/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    return pattern.exec(source)?.[0];
  };
  while (i < source.length) {
    const space = match(SPACE);
    if (space) {
      i += space.length;
      continue;
    }
    const number = match(NUMBER);
    if (number) {
      const value = Number(number);
      if (!Number.isFinite(value))
        throw new ParseError(source, i, `The number ${number} is too large for a float64`);
      tokens.push({ type: 'number', value, pos: i });
      i += number.length;
      continue;
    }
    const name = match(NAME);
    if (name) {
      tokens.push({ type: 'name', value: name, pos: i });
      i += name.length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw new ParseError(source, i, `Unexpected character '${source[i]}'`);
    tokens.push({ type: 'op', value: op, pos: i });
    i += op.length;
  }
  tokens.push({ type: 'end', pos: source.length });
  return tokens;
}

// Maps, not object literals: a name such as 'constructor' must not find Object.prototype's
const COMPARE_OPS: ReadonlyMap<string, CompareOp> = new Map([
  ['<', 'lt'],
  ['<=', 'le'],
  ['>', 'gt'],
  ['>=', 'ge'],
  ['==', 'eq'],
  ['!=', 'ne'],
]);
const NAMED_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);
const UNARY_NAMES: ReadonlySet<string> = new Set(UNARY_OPS.filter((op) => op !== 'neg'));
const FUNCTIONS = [
  ...UNARY_OPS.filter((op) => op !== 'neg'),
  'min',
  'max',
  'pow',
  'where',
  'select',
];

/**
 * Parses the text form of an expression. Throws `ParseError` with the position on bad syntax.
 *
 * @example parseExpression('x * sigmoid(1.702 * x)')
 * @example parseExpression('x > 0 ? x : alpha * expm1(x)', { params: ['alpha'] })
 */
export function parseExpression(source: string, options: ParseOptions = {}): Expr {
  if (typeof source !== 'string')
    throw new ParseError(
      String(source).slice(0, 40),
      0,
      `A formula must be a string, got ${typeof source}`,
    );
  const { textLength, depth: maxDepth } = EXPRESSION_LIMITS;
  if (source.length > textLength) {
    throw new ExpressionTooLargeError(
      'length',
      textLength,
      `The formula has ${source.length} characters; the limit is ${textLength} (EXPRESSION_LIMITS.textLength). Write it with fewer operations.`,
    );
  }
  const tokens = tokenize(source);
  const params = new Set(options.params ?? []);
  let index = 0;
  // every rule that recurses counts a level, so a hostile nesting is refused before the stack runs out
  let depth = 0;
  const tooDeep = () =>
    new ExpressionTooLargeError(
      'depth',
      maxDepth,
      `The formula nests more than ${maxDepth} levels at position ${peek().pos}; the limit is EXPRESSION_LIMITS.depth. Write it with fewer nested operations.`,
    );
  const nested = <T>(rule: () => T): T => {
    if (++depth > maxDepth) throw tooDeep();
    try {
      return rule();
    } finally {
      depth--;
    }
  };
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
  const describe = (t: Token) =>
    t.type === 'end' ? ' but the text ended' : ` but found '${source.slice(t.pos, t.pos + 1)}'`;

  function expression(): Expr {
    return nested(expressionRule);
  }

  function expressionRule(): Expr {
    const start = peek();
    const left = additive();
    const t = peek();
    const compareOp = t.type === 'op' ? COMPARE_OPS.get(t.value) : undefined;
    if (compareOp) {
      index++;
      const cond = applyCompare(compareOp, left, additive());
      if (!isOp('?')) fail(peek(), `A comparison is not a number: write 'cond ? a : b'`);
      return conditional(cond);
    }
    if (t.type === 'op' && t.value === '?')
      fail(start, `'?' needs a comparison before it, such as 'x > 0 ?'`);
    return left;
  }

  function conditional(cond: Condition): Expr {
    expectOp('?');
    const then = expression();
    expectOp(':');
    return select(cond, then, expression());
  }

  // a chain a + b + c … is a left-deep tree: each term adds a level
  function additive(): Expr {
    let left = multiplicative();
    for (let chain = 1; ; chain++) {
      if ((isOp('+') || isOp('-')) && depth + chain > maxDepth) throw tooDeep();
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
    for (let chain = 1; ; chain++) {
      if ((isOp('*') || isOp('/')) && depth + chain > maxDepth) throw tooDeep();
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
      const operand = nested(unary);
      return operand.kind === 'const' ? constant(-operand.value) : neg(operand);
    }
    if (isOp('+')) {
      index++;
      return nested(unary);
    }
    return power();
  }

  function power(): Expr {
    const base = primary();
    if (!isOp('^')) return base;
    index++;
    const at = peek();
    return powi(base, integerExponent(nested(unary), at));
  }

  function integerExponent(e: Expr, at: Token): number {
    const folded = simplify(e);
    if (folded.kind !== 'const' || !Number.isInteger(folded.value) || Math.abs(folded.value) > 64) {
      return fail(
        at,
        'Exponents must be integer constants (|n| <= 64); for other powers write exp(b * log(a)) or sqrt(a)',
      );
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
      const named = NAMED_CONSTANTS.get(t.value);
      if (named !== undefined) return constant(named);
      if (params.has(t.value)) return param(t.value);
      if (t.value === 'inf' || t.value === 'Infinity') {
        return fail(
          t,
          'Constants must be finite numbers; write a large finite value such as 1e30 instead of inf',
        );
      }
      const known = ['x', ...NAMED_CONSTANTS.keys(), ...params];
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
    if (UNARY_NAMES.has(fn)) {
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
    return fail(
      name,
      `Unknown function '${fn}'${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}`,
    );
  }

  function condition(): Condition {
    const left = additive();
    const t = peek();
    const op = t.type === 'op' ? COMPARE_OPS.get(t.value) : undefined;
    if (!op) return fail(t, `Expected a comparison such as '<' or '>='${describe(t)}`);
    index++;
    return applyCompare(op, left, additive());
  }

  const result = expression();
  const rest = peek();
  if (rest.type !== 'end')
    fail(rest, `Unexpected '${source.slice(rest.pos, rest.pos + 1)}' after a complete expression`);
  return result;
}
