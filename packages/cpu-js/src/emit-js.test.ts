import { add, exp, max, mul, neg, param, sigmoid, x } from '@activations/core';
import { gelu, silu } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { emitKernelSource, emitScalar, toJSFunction } from './emit-js.js';
import { toJS } from './index.js';

describe('JS emitter', () => {
  it('emits a readable kernel with shared sub-expressions bound once (sigmoid, portable form)', () => {
    expect(emitKernelSource(sigmoid(x), 'map', 'portable')).toBe(
      [
        'return function kernel(x, out, n) {',
        '  for (let i = 0; i < n; i++) {',
        '    const v = x[i];',
        '    const t0 = Math.exp((-Math.abs(v)));',
        '    out[i] = ((v >= 0 ? 1 : t0) / (1 + t0));',
        '  }',
        '};',
      ].join('\n'),
    );
  });

  it('keeps float64 denormals in σ (they sign a zero) and compares NaN-safely against constants', () => {
    expect(emitScalar(sigmoid(x), 'v', 'float64').result).toBe(
      '(v < (-708) ? Math.exp(v) : (1 / (1 + Math.exp((-v)))))',
    );
    expect(emitScalar(max(x, 0), 'v').result).toBe('(v <= 0 ? 0 : v)');
    expect(emitScalar(max(0, exp(x)), 'v').result).toBe('(Math.exp(v) <= 0 ? 0 : Math.exp(v))');
  });

  it('emits backward and reduce shapes', () => {
    expect(emitKernelSource(mul(2, x), 'backward')).toContain('out[i] = dy[i] * (2 * v);');
    expect(emitKernelSource(mul(2, x), 'reduce')).toContain('sum += dy[i] * (2 * v);');
  });

  it('refuses unbound parameters', () => {
    expect(() => emitScalar(mul(param('alpha'), x), 'v')).toThrow(/parameter 'alpha' is unbound/);
  });

  it('exports standalone functions that compute the activation', async () => {
    const source = toJS(silu.create());
    expect(source).toMatch(/^export function silu\(x\) \{/);
    const f = new Function(`${source.replace('export ', '')}; return silu;`)() as (
      v: number,
    ) => number;
    expect(f(1)).toBeCloseTo(silu.create().forward(1), 15);
    expect(f(Number.NEGATIVE_INFINITY)).toBe(0);
    const geluSource = toJS(gelu.create(), 'derivative');
    expect(geluSource).toContain("import { erfc64 as erfc } from '@activations/core';");
    expect(geluSource).toContain('export function geluDerivative(x)');
    expect(toJSFunction(add(neg(x), 1), 'f')).toBe('export function f(x) {\n  return (1 - x);\n}');
  });
});
