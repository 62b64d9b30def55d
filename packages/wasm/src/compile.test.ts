import { compileScalar, constant, exp, neg, parseExpression, powi, x } from '@activations/core';
import { describe, expect, it } from 'vitest';
import { compileKernel, minimumLanes } from './compile.js';

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
    expect(compileKernel(constant(2), 'map', 'f32').bytes.length).toBeLessThan(300);
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
});
