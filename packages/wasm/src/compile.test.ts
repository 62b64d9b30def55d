import { compileScalar, constant, exp, neg, parseExpression, powi, x } from '@activations/core';
import { describe, expect, it } from 'vitest';
import { compileKernel, float32ResultBounds, kernelExpression, minimumLanes } from './compile.js';

describe('kernel compiler', () => {
  it('puts erfc of x/√2 on f32 lanes and other erf/sin uses on f64 lanes', () => {
    expect(minimumLanes(parseExpression('0.5 * x * erfc(-0.7071067811865476 * x)'))).toBe('f32');
    expect(minimumLanes(parseExpression('erfc(0.3 * x)'))).toBe('f64');
    expect(minimumLanes(parseExpression('x * sin(x)'))).toBe('f64');
    expect(minimumLanes(exp(neg(powi(x, 2))))).toBe('f32');
  });

  it('writes -|y| as one sign-bit or', () => {
    // (f32 lanes alone: the float64 path for tiny results has its own abs)
    const bytes = Array.from(
      compileKernel(parseExpression('min(-abs(x), x - 1)'), 'map', 'f32').bytes,
    );
    const has = (...op: number[]) => bytes.some((_, i) => op.every((b, j) => bytes[i + j] === b));
    expect(has(0xfd, 0x50)).toBe(true); // v128.or
    expect(has(0xfd, 0xe0, 0x01)).toBe(false); // f32x4.abs
    expect(has(0xfd, 0xe1, 0x01)).toBe(false); // f32x4.neg
  });

  it('emits valid modules for every op in both lane types', () => {
    const e = parseExpression(
      'x > 0 ? sqrt(abs(x)) + log1p(x^2) - log(1 + x^2) : sign(x) * tanh(x) * expm1(x) / (2 + cos(x)) + erf(x) + min(x, 1) - max(x, -1) + x^(-2)',
    );
    for (const lanes of ['f64'] as const) {
      for (const shape of ['map', 'backward'] as const) {
        const module = compileKernel(e, shape, lanes);
        expect(WebAssembly.validate(module.bytes), `${lanes} ${shape}`).toBe(true);
        expect(module.hostFunctions).toEqual(['cos']);
      }
    }
    const f32 = compileKernel(
      parseExpression('x > 0 ? sqrt(abs(x)) + log1p(x^2) : sign(x) * tanh(x) * expm1(x)'),
      'map',
      'f32',
      [[-3, -1]],
    );
    expect(WebAssembly.validate(f32.bytes)).toBe(true);
    expect(compileKernel(constant(2), 'map', 'f32').bytes.length).toBeLessThan(400); // 8 stores a loop
  });

  it('runs the f32 gates (σ, tanh∘softplus, Φ) and, inside patch intervals, their f64 expansions', () => {
    const e = parseExpression(
      'tanh(softplus(x)) * exp(-x * x) + sigmoid(2 * x) + softplus(x) + x * sigmoid(x) + x * tanh(softplus(x)) + 0.5 * x * erfc(-0.7071067811865476 * x) + erfc(0.7071067811865476 * x)',
    );
    const reference = compileScalar(e);
    const inputs = Float32Array.from({ length: 400 }, (_, i) => -10 + i / 20);
    for (const patches of [[], [[-2, 2]]] as const) {
      const { bytes, lanes } = compileKernel(e, 'map', 'f32', patches);
      const memory = new WebAssembly.Memory({ initial: 1 });
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
        env: { memory },
      });
      new Float32Array(memory.buffer, 0, inputs.length).set(inputs);
      (exports.kernel as (x: number, out: number, n: number) => void)(0, 4096, inputs.length);
      const out = new Float32Array(memory.buffer, 4096, inputs.length);
      expect(lanes).toBe('f32');
      inputs.forEach((v, i) => {
        const want = reference(v);
        expect(Math.abs(out[i]! - want), `x = ${v}, patches ${patches.length}`).toBeLessThan(
          1e-5 * (1 + Math.abs(want)),
        );
      });
    }
  });

  it('knows which result bounds the f32 plans keep by construction (those clamps are left out)', () => {
    const bounds = (text: string) =>
      float32ResultBounds(
        kernelExpression(parseExpression(text), new Set(['sigmoid', 'softplus'])),
      );
    const inf = Number.POSITIVE_INFINITY;
    expect(bounds('sigmoid(x)')).toEqual([0, 1]);
    expect(bounds('sigmoid(3 * x) * 2 - 1')).toEqual([-inf, inf]); // a difference: no sign shown
    expect(bounds('tanh(x)')).toEqual([-1, 1]);
    expect(bounds('x > 0 ? x : 1.5 * expm1(x)')).toEqual([-1.5, inf]);
    expect(bounds('softplus(x)')).toEqual([0, inf]);
    expect(bounds('max(x, 0)')).toEqual([0, inf]);
    expect(bounds('min(max(x, 0), 6)')).toEqual([0, 6]);
    // x·σ(x) and x·Φ(x) are fused plans whose minimum is only approximated: they keep the clamp
    expect(bounds('x * sigmoid(x)')).toEqual([-inf, inf]);
    expect(bounds('0.5 * x * erfc(-0.7071067811865476 * x)')).toEqual([-inf, inf]);
    expect(bounds('x')).toEqual([-inf, inf]);
  });

  it('recomputes a tiny result in float64 wherever it falls in a block of vectors', () => {
    // 24 floats = one block of 6 unrolled vectors: one input with a tiny σ(x) at each position in
    // turn, the rest ordinary; backward with dy = 2^20 scales the tiny result back up
    const e = parseExpression('sigmoid(x)');
    const reference = compileScalar(e);
    const { bytes } = compileKernel(e, 'backward', 'f32', [], { shared: false }, { lo: 0, hi: 1 });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
    });
    const kernel = exports.kernel as (x: number, dy: number, out: number, n: number) => void;
    const n = 48;
    for (let at = 0; at < n; at++) {
      const inputs = Float32Array.from({ length: n }, (_, i) => (i === at ? -99.5 : i / 8 - 3));
      new Float32Array(memory.buffer, 0, n).set(inputs);
      new Float32Array(memory.buffer, 1024, n).fill(2 ** 20);
      kernel(0, 1024, 2048, n);
      const out = new Float32Array(memory.buffer, 2048, n);
      inputs.forEach((v, i) => {
        const want = Math.fround(2 ** 20 * reference(v));
        expect(Math.abs(out[i]! - want), `x = ${v} at ${i}`).toBeLessThanOrEqual(
          3 * 2 ** -23 * Math.abs(want),
        );
      });
    }
  });
});
