import { createRegistry } from '@activations/core';
import { zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { activationSpec, comparisonSpec, curvesSpec, grid, referenceCurve, shortInterval } from './index.js';

const registry = createRegistry({ activations: zoo });

describe('plots', () => {
  it('samples every activation: elementwise as is, softmax rows as σ-like curves, the loss as softplus(-x)', () => {
    const x = grid(-4, 4, 9);
    expect([...x]).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4]);
    for (const { id } of registry.activations()) {
      const c = referenceCurve(registry.activation(id), x);
      expect([...c.f, ...c.df].every(Number.isFinite), id).toBe(true);
    }
    // softmax([x, 0])₀ is the sigmoid, with derivative σ(1 - σ)
    const softmax = referenceCurve(registry.activation('softmax'), x);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    for (let i = 0; i < x.length; i++) {
      expect(softmax.f[i]).toBeCloseTo(sig(x[i]!), 14);
      expect(softmax.df[i]).toBeCloseTo(sig(x[i]!) * (1 - sig(x[i]!)), 14);
    }
    // cross-entropy of [x, 0] for class 0 is softplus(-x), its derivative σ(x) - 1
    const loss = referenceCurve(registry.activation('softmax-cross-entropy'), x);
    expect(loss.f[8]).toBeCloseTo(Math.log1p(Math.exp(-4)), 14);
    expect(loss.df[4]).toBeCloseTo(-0.5, 14);
  });

  it('shades the declared range, clipped to what is drawn, and dashes derivatives', () => {
    const spec = activationSpec(registry.activation('sigmoid'), -6, 6) as unknown as { layer: Array<{ mark: { type: string }; data: { values: Array<Record<string, number>> } }>; title: { text: string; subtitle: string } };
    expect(spec.title.text).toBe('Sigmoid: f and f′');
    expect(spec.title.subtitle).toBe('f in (0, 1), f′ in (0, 0.25]');
    const band = spec.layer.find((l) => l.mark.type === 'rect')!;
    expect(band.data.values[0]).toMatchObject({ y: 0, y2: 1 });
    const relu = activationSpec(registry.activation('relu'), -2, 2) as unknown as { layer: Array<{ mark: { type: string }; data: { values: Array<Record<string, number>> } }> };
    const reluBand = relu.layer.find((l) => l.mark.type === 'rect')!.data.values[0]!;
    expect(reluBand.y).toBe(0);
    expect(reluBand.y2).toBeCloseTo(2.12, 2); // ∞ clipped to the padded top of the curve
    const line = JSON.stringify(spec);
    expect(line).toContain('"strokeDash"');
    expect(shortInterval(registry.activation('gelu').bounds.output)).toBe('[-0.17, ∞)');
  });

  it('leaves gaps for non-finite values and compares several activations', () => {
    const spec = curvesSpec([{ name: 'a', x: [0, 1, 2], y: [1, Number.NaN, 3] }], { from: 0, to: 2 }) as unknown as { layer: Array<{ data: { values: unknown[] } }> };
    expect(spec.layer.at(-1)!.data.values).toHaveLength(2);
    const compare = comparisonSpec(['relu', 'gelu'].map((id) => registry.activation(id)), -3, 3, 'derivative') as unknown as { layer: Array<{ data: { values: Array<{ series: string }> } }> };
    expect(new Set(compare.layer.at(-1)!.data.values.map((v) => v.series))).toEqual(new Set(['relu', 'gelu']));
  });
});
