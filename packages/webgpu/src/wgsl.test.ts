import { defineActivation, parseExpression as parse, toText } from '@activations/core';
import { zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { hornerChain, toWGSL, wgslName } from './wgsl.js';
import { f32Literal, TWO_OVER_PI_WORDS } from './wgsl-math.js';

/** 2/π to `bits` fractional bits, from Machin's formula in BigInt fixed point. */
function twoOverPi(bits: number): bigint {
  const one = 1n << BigInt(bits + 64);
  const atanInverse = (n: bigint) => {
    let sum = 0n;
    let term = one / n;
    for (let k = 1n; term !== 0n; k += 2n) {
      sum += (k % 4n === 1n ? 1n : -1n) * (term / k);
      term /= n * n;
    }
    return sum;
  };
  const pi = 16n * atanInverse(5n) - 4n * atanInverse(239n);
  return ((2n * one * one) / pi) >> 64n;
}

describe('WGSL source', () => {
  it('writes float32 constants as exact hexadecimal literals', () => {
    expect(f32Literal(1)).toBe('0x1p+0f');
    expect(f32Literal(-0.75)).toBe('-0x1.8p-1f');
    expect(f32Literal(0)).toBe('0.0f');
    expect(f32Literal(1e-45)).toBe('0x0.000002p-126f');
    expect(f32Literal(3.4028234663852886e38)).toBe('0x1.fffffep+127f');
    expect(() => f32Literal(Number.POSITIVE_INFINITY)).toThrow(/no WGSL literal/);
  });

  it('holds 2/π to 256 bits for the trigonometric reduction', () => {
    const expected = twoOverPi(256);
    const words = TWO_OVER_PI_WORDS.slice(1).reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
    expect(TWO_OVER_PI_WORDS[0]).toBe(0);
    expect(words).toBe(expected);
  });

  it('exports one self-contained function per activation and op, without WGSL exp/log/tanh builtins', () => {
    for (const d of zoo) {
      if (d.kind !== 'elementwise') continue;
      for (const op of ['forward', 'derivative'] as const) {
        for (const precision of ['f32', 'df32'] as const) {
          const source = toWGSL(d.create(), op, { precision });
          expect(source).toContain(`fn ${wgslName(d.id, op)}(x: f32) -> f32 {`);
          const code = source.replace(/\/\/.*$/gm, '');
          expect(code).not.toMatch(/(?<![\w])(exp|exp2|log|log2|tanh|pow|sinh|cosh)\(/);
          // short-circuit operators are branches, which SwiftShader compiles very slowly in bulk
          if (precision === 'df32') expect(code, `${d.id} ${op}`).not.toMatch(/&&|\|\|/);
        }
      }
    }
    expect(wgslName('leaky-relu', { param: 'negativeSlope' })).toBe('leaky_relu_d_negativeSlope');
  });

  it('finds Horner chains, subtracted constants included, and emits them as double-float loops', () => {
    const poly = parse('((2 * x^2 - 3) * x^2 + 0.5) * x^2 - 7');
    const chain = hornerChain(poly);
    expect(chain?.coefficients).toEqual([2, -3, 0.5, -7]);
    expect(chain && toText(chain.u)).toBe('x^2');
    expect(hornerChain(parse('(x + 1) * x + 2'))).toBeUndefined(); // too short to be worth a loop
    expect(hornerChain(parse('((2 * x - 3) * x^2 + 1) * x + 4'), 3)).toBeUndefined(); // two different factors
    const source = toWGSL(
      defineActivation({
        id: 'poly',
        forward: '((((x - 1) * x + 2) * x - 3) * x + 4) * x',
      }).create(),
      'forward',
      { precision: 'df32' },
    );
    // coefficients 1, -1, 2, -3, 4, 0 (the outer ·x)
    expect(source).toMatch(/for \(var i = 1u; i < 6u; i\+\+\)/);
  });

  it('exports user-defined activations and parameter derivatives', () => {
    const act = defineActivation({
      id: 'scaled-tanh',
      forward: 'a * tanh(b * x)',
      params: {
        a: { default: 1.7159, learnable: true, description: 'output scale' },
        b: { default: 0.6667, description: 'input scale' },
      },
    }).create();
    const source = toWGSL(act, { param: 'a' });
    expect(source).toContain('fn scaled_tanh_d_a(x: f32) -> f32 {');
    expect(source).toContain('act_tanh');
    expect(source.startsWith('// scaled-tanh {"a":1.7159,"b":0.6667}: df/da')).toBe(true);
  });
});
