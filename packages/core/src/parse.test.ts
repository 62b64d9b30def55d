import { describe, expect, it } from 'vitest';
import { ExpressionTooLargeError, ParseError } from './errors.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parse.js';
import { toLatex, toText } from './print.js';
import { randomExpression, rng } from './random-expression.test-util.js';
import { exprKey } from './expression.js';

describe('parseExpression', () => {
  it('reads the documented syntax', () => {
    const cases: Array<[string, number, number]> = [
      ['x * sigmoid(1.702 * x)', 1, 0.8457957659328212],
      ['x > 0 ? x : 0.1 * x', -2, -0.2],
      ['-x^2', 3, -9],
      ['2^-1 + pow(x, 3)', 2, 8.5],
      ['where(x >= 1, 1, x)', 5, 1],
      ['min(max(x, -1), 1)', -7, -1],
      ['exp(-1e300) + pi - pi + e - e', 0, 0],
      ['1e-3 * x + .5', 1000, 1.5],
      ['erfc(-x / sqrt(2)) / 2', 0, 0.5],
    ];
    for (const [text, at, value] of cases)
      expect(evaluate(parseExpression(text), at), text).toBeCloseTo(value, 12);
  });

  it('takes declared parameters', () => {
    const e = parseExpression('x > 0 ? x : alpha * expm1(x)', { params: ['alpha'] });
    expect(evaluate(e, -1, { alpha: 2 })).toBeCloseTo(2 * Math.expm1(-1), 15);
  });

  it('reports the position of bad syntax, with suggestions', () => {
    const bad: Array<[string, number, RegExp]> = [
      ['x * (1 + ', 9, /text ended/],
      ['x * sigmoud(x)', 4, /did you mean 'sigmoid'/],
      ['x + y', 4, /Unknown name 'y'/],
      ['x $ 2', 2, /Unexpected character/],
      ['x > 0', 5, /comparison is not a number/],
      ['x ^ 0.5', 4, /integer constants/],
      ['sin(x, 2)', 0, /takes 1 argument/],
      ['x x', 2, /after a complete expression/],
      ['exp(-inf)', 5, /Constants must be finite numbers/],
      ['x * 1e400', 4, /too large for a float64/],
    ];
    for (const [text, position, message] of bad) {
      let error: unknown;
      try {
        parseExpression(text);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(ParseError);
      expect((error as ParseError).position, text).toBe(position);
      expect((error as ParseError).message, text).toMatch(message);
      expect((error as ParseError).code).toBe('PARSE_ERROR');
    }
  });
});

describe('printing', () => {
  it('text round-trips through the parser for 300 random expressions', () => {
    const random = rng(3);
    for (let k = 0; k < 300; k++) {
      const e = randomExpression(random, 4);
      const text = toText(e);
      const parsed = parseExpression(text);
      // same values, and a fixed point after one round (the parser folds -(c) into the constant -c)
      expect(exprKey(parseExpression(toText(parsed))), text).toBe(exprKey(parsed));
      for (const v of [-1.3, 0.4, 2.2]) {
        const a = evaluate(e, v);
        const b = evaluate(parsed, v);
        if (Number.isNaN(a)) expect(b).toBeNaN();
        else expect(b, text).toBeCloseTo(a, 12);
      }
    }
  });

  it('writes LaTeX', () => {
    expect(toLatex(parseExpression('1 / (1 + exp(-x))'))).toBe('\\frac{1}{1 + e^{-x}}');
    expect(toLatex(parseExpression('x * sigmoid(1.702 * x)'))).toBe(
      'x \\cdot \\sigma\\left(1.702 x\\right)',
    );
    expect(toLatex(parseExpression('x > 0 ? x : alpha * expm1(x)', { params: ['alpha'] }))).toBe(
      '\\begin{cases} x & \\text{if } x > 0 \\\\ \\alpha \\cdot \\left(e^{x} - 1\\right) & \\text{otherwise} \\end{cases}',
    );
    expect(toLatex(parseExpression('abs(x)^2 + 1e-30'))).toBe(
      '{\\left|x\\right|}^{2} + 1 \\times 10^{-30}',
    );
  });
});

describe('hostile formulas', () => {
  it('names resolve to own entries only: prototype names are unknown names', () => {
    for (const text of [
      'constructor',
      '__proto__',
      'toString + 1',
      'valueOf * x',
      'hasOwnProperty(x)',
    ]) {
      expect(() => parseExpression(text), text).toThrow(ParseError);
    }
    expect(() => parseExpression('constructor')).toThrow(/Unknown name 'constructor'/);
  });

  it('nesting and length past EXPRESSION_LIMITS are refused with ExpressionTooLargeError, not a stack overflow', () => {
    const cases = [
      `${'('.repeat(1406)}x${')'.repeat(1406)}`,
      Array.from({ length: 6249 }, () => 'x').join(' + '),
      `${'-'.repeat(10_000)}x`,
      `${Array.from({ length: 2000 }, (_, i) => `x < ${i} ? ${i} : `).join('')}x`,
      `${'2^'.repeat(300)}2`,
      'x'.padEnd(20_000, ' '),
    ];
    for (const text of cases) {
      let caught: unknown;
      try {
        parseExpression(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text.slice(0, 30)).toBeInstanceOf(ExpressionTooLargeError);
    }
  });
});
