import { describe, expect, it } from 'vitest';
import { defineActivation } from './activation.js';
import { BadExpressionError, ExpressionTooLargeError } from './errors.js';
import { evaluate } from './evaluate.js';
import { add, exprKey, mul, sin, x } from './expression.js';
import { EXPRESSION_LIMITS, validateExpression } from './validate.js';

const sentinel = globalThis as { PWNED?: number };

function refusal(input: unknown, params?: string[]): BadExpressionError {
  let caught: unknown;
  try {
    validateExpression(input, params ? { params } : {});
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BadExpressionError);
  return caught as BadExpressionError;
}

describe('validateExpression', () => {
  it('accepts plain JSON trees and returns a frozen copy that evaluates the same', () => {
    const json =
      '{"kind":"binary","op":"mul","left":{"kind":"input"},"right":{"kind":"unary","op":"tanh","arg":{"kind":"input"}}}';
    const tree = JSON.parse(json);
    const checked = validateExpression(tree);
    expect(checked).not.toBe(tree);
    expect(Object.isFrozen(checked)).toBe(true);
    expect(evaluate(checked, 0.5)).toBeCloseTo(0.5 * Math.tanh(0.5), 15);
    tree.right.op = 'exp'; // later changes to the input do not reach the checked tree
    expect(evaluate(checked, 0.5)).toBeCloseTo(0.5 * Math.tanh(0.5), 15);
  });

  it('refuses every constant that is not a finite number: strings, objects with toString, NaN, ∞', () => {
    const hostile: unknown[] = [
      '(globalThis.PWNED=1,0)',
      { toString: () => '(globalThis.PWNED=1,0)' },
      { valueOf: () => 0 },
      [0],
      null,
      true,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      10n,
    ];
    for (const value of hostile) {
      const error = refusal({
        kind: 'binary',
        op: 'add',
        left: { kind: 'input' },
        right: { kind: 'const', value },
      });
      expect(error.code).toBe('BAD_EXPRESSION');
      expect(error.path).toBe('expression.right');
      expect(error.message).toMatch(/a constant must be a finite number/);
    }
    expect(sentinel.PWNED).toBeUndefined();
  });

  it('the injection of the issue: a string constant in a select is refused by defineActivation, and nothing runs', () => {
    const t = JSON.parse(
      '{"kind":"select","cond":{"kind":"compare","op":"lt","left":{"kind":"binary","op":"add","left":{"kind":"input"},"right":{"kind":"const","value":"(globalThis.PWNED=1,0)"}},"right":{"kind":"const","value":0}},"ifTrue":{"kind":"input"},"ifFalse":{"kind":"unary","op":"neg","arg":{"kind":"input"}}}',
    );
    expect(() => defineActivation({ id: 't', forward: t })).toThrow(BadExpressionError);
    expect(() => defineActivation({ id: 't', forward: t })).toThrow(
      /forward\.cond\.left\.right: a constant must be a finite number, got the string/,
    );
    expect(sentinel.PWNED).toBeUndefined();
  });

  it('looks names up as own entries only: prototype names are unknown kinds, ops and parameters', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']) {
      expect(refusal({ kind: name }).message).toMatch(/unknown node kind/);
      expect(refusal({ kind: 'unary', op: name, arg: { kind: 'input' } }).message).toMatch(
        /unknown unary op/,
      );
      expect(
        refusal({ kind: 'binary', op: name, left: { kind: 'input' }, right: { kind: 'input' } })
          .message,
      ).toMatch(/unknown binary op/);
      expect(refusal({ kind: 'param', name }, ['alpha']).message).toMatch(
        /not declared; declared: 'alpha'/,
      );
    }
    // an inherited `kind` does not count
    expect(refusal(Object.create({ kind: 'input' })).message).toMatch(
      /unknown node kind undefined/,
    );
  });

  it('refuses getters, throwing proxies, cycles and comparisons used as numbers', () => {
    const getter = {
      kind: 'const',
      get value() {
        return 1;
      },
    };
    expect(refusal(getter).message).toMatch(/'value' is a getter/);
    const proxy = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw new Error('trap');
        },
      },
    );
    expect(refusal(proxy).message).toMatch(/reading 'kind' failed/);
    const cycle: Record<string, unknown> = { kind: 'unary', op: 'neg' };
    cycle.arg = cycle;
    expect(refusal(cycle).message).toMatch(/contains itself/);
    expect(
      refusal({ kind: 'compare', op: 'lt', left: { kind: 'input' }, right: { kind: 'input' } })
        .message,
    ).toMatch(/comparison is not a number/);
    expect(
      refusal({
        kind: 'select',
        cond: { kind: 'input' },
        ifTrue: { kind: 'input' },
        ifFalse: { kind: 'input' },
      }).message,
    ).toMatch(/must be a comparison/);
    expect(refusal({ kind: 'powi', base: { kind: 'input' }, exponent: 0.5 }).message).toMatch(
      /integer/,
    );
    expect(refusal({ kind: 'powi', base: { kind: 'input' }, exponent: 1e9 }).message).toMatch(
      /\|n\| <= 64/,
    );
  });

  it('refuses depth and size past EXPRESSION_LIMITS in milliseconds, without exhausting the stack', () => {
    let deep: unknown = { kind: 'input' };
    for (let i = 0; i < 100_000; i++) deep = { kind: 'unary', op: 'neg', arg: deep };
    const start = performance.now();
    expect(() => validateExpression(deep)).toThrow(ExpressionTooLargeError);
    expect(() => validateExpression(deep)).toThrow(/nested more than 200 levels/);
    // a balanced tree: shallow but large
    const balanced = (d: number): unknown =>
      d === 0
        ? { kind: 'input' }
        : { kind: 'binary', op: 'add', left: balanced(d - 1), right: balanced(d - 1) };
    expect(() => validateExpression(balanced(13))).toThrow(/more than 4096 nodes/);
    expect(performance.now() - start).toBeLessThan(5000); // generous: the work is bounded, not timed here
    expect(EXPRESSION_LIMITS).toEqual({ depth: 200, nodes: 4096, textLength: 10_000 });
  });

  it('shares equal sub-expressions, so a tree built with sharing stays linear', () => {
    // 2^100 paths through 100 distinct nodes
    let e = x;
    for (let i = 0; i < 100; i++) e = add(e, e);
    const checked = validateExpression(e);
    expect(exprKey(checked).length).toBeLessThan(10_000);
    const twoCopies = validateExpression({
      kind: 'binary',
      op: 'mul',
      left: JSON.parse(JSON.stringify(sin(x))),
      right: JSON.parse(JSON.stringify(sin(x))),
    });
    expect((twoCopies as { left: unknown }).left).toBe((twoCopies as { right: unknown }).right);
    expect(evaluate(checked, 1)).toBe(2 ** 100);
    expect(evaluate(mul(checked, 0), 1)).toBe(0);
  });
});

describe('fuzz: 10,000 random trees, well-formed and hostile', () => {
  it('none runs code; each is accepted or refused with a typed error; accepted ones get a derivative, bounds and properties', async () => {
    const { hostileTrees, sentinel } = await import('./testing/hostile.js');
    const { ActivationError } = await import('./errors.js');
    const trees = hostileTrees(10_000, 7);
    let accepted = 0;
    const definitions = [];
    for (const [k, tree] of trees.entries()) {
      try {
        definitions.push(
          defineActivation({
            id: `fuzz-${k}`,
            params: { alpha: { default: 0.5, description: 'a parameter' } },
            forward: tree as never,
          }),
        );
        accepted++;
      } catch (error) {
        expect(error, `tree ${k}`).toBeInstanceOf(ActivationError);
      }
    }
    expect(sentinel()).toBe(false);
    expect(accepted).toBeGreaterThan(2000);
    expect(accepted).toBeLessThan(9000);
    // a sample of the accepted ones all the way: derivative, bounds, properties (the robustness
    // report of apps/bench creates every one; here a few, so the suite stays fast on a loaded machine)
    for (const d of definitions.slice(0, 40)) {
      const act = d.create();
      const y = act.forward(0.7);
      expect(Object.is(y, act.forward(0.7))).toBe(true);
      expect(act.bounds.output.lo).toBeLessThanOrEqual(act.bounds.output.hi);
    }
    expect(sentinel()).toBe(false);
  });
});
