import { describe, expect, it } from 'vitest';
import { derivative } from './derivative.js';
import { compileScalar } from './evaluate.js';
import { add, constant, exprKey, mul, param, sigmoid, sin, softplus, x } from './expression.js';
import { rangeOf } from './interval.js';
import { expandLibrary } from './library.js';
import { toText } from './print.js';
import { guardNaN, simplify } from './simplify.js';
import { measure, memoized, nodesOf, StructuralIds, useCounts } from './structure.js';

describe('structural identity', () => {
  it('gives equal ids exactly to equal structures (-0 apart from 0, parameters by name)', () => {
    const ids = new StructuralIds();
    expect(ids.id(mul(x, sigmoid(x)))).toBe(ids.id(mul(x, sigmoid(x))));
    expect(ids.id(constant(0))).not.toBe(ids.id(constant(-0)));
    expect(ids.id(param('a'))).not.toBe(ids.id(param('b')));
    expect(ids.id(constant(Number.NaN))).toBe(ids.id(constant(Number.NaN)));
    expect(ids.canonical(mul(x, 2))).toBe(ids.canonical(mul(x, 2)));
    expect(exprKey(add(sin(x), sin(x)))).toBe(exprKey(add(sin(x), sin(x))));
  });

  it('counts uses of each structure for common-subexpression binding', () => {
    const ids = new StructuralIds();
    const e = add(sin(x), mul(sin(x), 2));
    const uses = useCounts(e, ids);
    expect(uses.get(ids.id(sin(x)))).toBe(2);
    expect(uses.get(ids.id(e))).toBe(1);
  });

  it('walks deep chains without the call stack and measures depth and size', () => {
    let e = x;
    for (let i = 0; i < 50_000; i++) e = sin(e);
    expect(nodesOf(e)).toHaveLength(50_001);
    let f = x;
    for (let i = 0; i < 30; i++) f = add(f, f);
    expect(measure(f)).toEqual({ depth: 31, nodes: 31 });
    const size = memoized<object, number>(
      (node, self) => 1 + (node === x ? 0 : 2 * self((node as { left: object }).left)),
    );
    expect(size(f)).toBe(2 ** 31 - 1);
  });
});

describe('work grows with distinct nodes, not with depth', () => {
  // softplus nested 24 deep: its derivative shares every level; walked as a tree it has ~2^24 nodes
  const nested = (f: (a: typeof x) => typeof x, depth: number) => {
    let e = x;
    for (let i = 0; i < depth; i++) e = f(e);
    return e;
  };

  it('simplify, derivative, expansion, NaN guard, bounds and evaluation of softplus^24 and sin^100', () => {
    for (const e of [nested(softplus, 24), nested(sin, 100), nested(sigmoid, 40)]) {
      const d = derivative(e);
      const dd = derivative(d);
      const expanded = simplify(expandLibrary(dd, 'portable'));
      expect(measure(expanded).nodes).toBeLessThan(20_000);
      const guarded = guardNaN(expanded);
      const f = compileScalar(guarded);
      expect(Number.isFinite(f(0.3))).toBe(true);
      const range = rangeOf(d);
      expect(range.lo).toBeLessThanOrEqual(range.hi);
    }
  });

  it('text that would repeat shared parts past PRINT_LIMIT is refused with a typed error', () => {
    // softplus(a) expands to max(a, 0) + log1p(exp(-|a|)): a appears twice per level, 2^24 times in text
    const expanded = expandLibrary(nested(softplus, 24), 'portable');
    expect(() => toText(expanded)).toThrow(/would repeat its shared parts/);
    expect(toText(derivative(nested(softplus, 2)))).toMatch(/sigmoid/);
  });
});
