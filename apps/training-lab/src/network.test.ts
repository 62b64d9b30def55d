import { createRegistry } from '@activations/core';
import { cpuJs } from '@activations/cpu-js';
import { zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { DATASETS, type DatasetId, dataset } from './datasets.js';
import { Network, type NetworkConfig } from './network.js';
import { EXPERIMENTS } from './presets.js';

const registry = createRegistry({ activations: zoo, backends: [cpuJs()] });
const backend = await registry.backend('cpu-js');

async function train(config: NetworkConfig, id: DatasetId, steps: number) {
  const data = dataset(id);
  const net = new Network(registry, backend, config, data.classes);
  const history = [];
  for (let s = 0; s < steps; s++) history.push(await net.train(data));
  return { net, data, history };
}

type Trained = Awaited<ReturnType<typeof train>>;

describe('datasets', () => {
  it('are the same for a seed, with every class present', () => {
    for (const id of Object.keys(DATASETS) as DatasetId[]) {
      const a = dataset(id);
      expect(dataset(id).x).toEqual(a.x);
      expect(a.x.length).toBe(2 * a.y.length);
      expect(new Set(a.y).size).toBe(a.classes);
      for (const v of a.x) expect(Math.abs(v)).toBeLessThan(a.extent);
    }
    expect([...dataset('xor').y]).toEqual([0, 1, 1, 0]);
    expect([...dataset('nand').y]).toEqual([1, 1, 1, 0]);
  });
});

describe('network', () => {
  it('backpropagates the exact gradient (finite differences on a small tanh net)', async () => {
    const data = dataset('moons');
    const config: NetworkConfig = {
      layers: 3,
      width: 5,
      activation: 'tanh',
      init: 'xavier',
      learningRate: 1e-3,
      seed: 5,
    };
    const net = new Network(registry, backend, config, data.classes);
    const lossAt = async (n: Network) => {
      const p = await n.predict(data.x);
      let l = 0;
      for (let r = 0; r < data.y.length; r++) l -= Math.log(p[2 * r + data.y[r]!]!);
      return l / data.y.length;
    };
    const w0 = Float32Array.from(net.layers[0]!.w);
    const base = await lossAt(net);
    const eps = 1e-2;
    const numeric: number[] = [];
    for (let i = 0; i < 4; i++) {
      net.layers[0]!.w[i] = w0[i]! + eps;
      const up = await lossAt(net);
      net.layers[0]!.w[i] = w0[i]! - eps;
      const down = await lossAt(net);
      net.layers[0]!.w[i] = w0[i]!;
      numeric.push((up - down) / (2 * eps));
    }
    const stats = await net.train(data);
    expect(stats.loss).toBeCloseTo(base, 5);
    for (let i = 0; i < 4; i++) {
      const analytic = (w0[i]! - net.layers[0]!.w[i]!) / config.learningRate;
      expect(Math.abs(analytic - numeric[i]!)).toBeLessThan(
        2e-3 * Math.max(1, Math.abs(numeric[i]!)) + 1e-4,
      );
    }
    expect(stats.gradientNorms).toHaveLength(3);
    expect(stats.dead).toEqual([0, 0]); // tanh never has a zero derivative
  });

  it('XOR: the single perceptron never gets all four points, two tanh layers do', async () => {
    const xor = EXPERIMENTS.find((e) => e.id === 'xor')!;
    const [perceptron, twoLayers] = await Promise.all(
      xor.runs.map((r) => train(r.config, xor.dataset, xor.steps)),
    );
    expect(Math.max(...perceptron!.history.map((h) => h.accuracy))).toBeLessThanOrEqual(0.75);
    expect(twoLayers!.history.at(-1)!.accuracy).toBe(1);
    // and the perceptron does learn what a line can separate
    const and = await train(xor.runs[0]!.config, 'and', 50);
    expect(and.history.at(-1)!.accuracy).toBe(1);
  });

  it('vanishing gradients: the 10-layer sigmoid net’s first layer gets ≥ 100× less gradient than ReLU’s', async () => {
    const exp = EXPERIMENTS.find((e) => e.id === 'vanishing')!;
    const [sigmoid, relu] = (await Promise.all(
      exp.runs.map((r) => train(r.config, exp.dataset, 50)),
    )) as [Trained, Trained];
    const first = (h: typeof sigmoid.history) =>
      h.reduce((s, x) => s + x.gradientNorms[0]!, 0) / h.length;
    expect(first(relu.history) / first(sigmoid.history)).toBeGreaterThan(100);
    // in the sigmoid net the gradient shrinks layer by layer towards the input
    const norms = sigmoid.history[0]!.gradientNorms;
    expect(norms[0]! * 1000).toBeLessThan(norms.at(-1)!);
  });

  it('dying ReLU: a high learning rate kills ReLU units; leaky ReLU and ELU keep every unit alive', async () => {
    const exp = EXPERIMENTS.find((e) => e.id === 'dying')!;
    const [relu, leaky, elu] = (await Promise.all(
      exp.runs.map((r) => train(r.config, exp.dataset, exp.steps)),
    )) as [Trained, Trained, Trained];
    const deadAtEnd = (h: typeof relu.history) => Math.max(...h.at(-1)!.dead);
    expect(deadAtEnd(relu.history)).toBeGreaterThanOrEqual(0.25);
    expect(deadAtEnd(leaky.history)).toBe(0);
    expect(deadAtEnd(elu.history)).toBe(0);
  });

  it('learns the spiral with softmax cross-entropy over three classes', async () => {
    const { history } = await train(
      { layers: 3, width: 32, activation: 'relu', init: 'he', learningRate: 0.5, seed: 2 },
      'spiral',
      400,
    );
    expect(history.at(-1)!.accuracy).toBeGreaterThan(0.9);
    expect(history.at(-1)!.loss).toBeLessThan(history[0]!.loss / 3);
  });

  it('refuses impossible configurations with a RangeError that says what is allowed', () => {
    const base: NetworkConfig = {
      layers: 2,
      width: 4,
      activation: 'tanh',
      init: 'he',
      learningRate: 0.1,
      seed: 1,
    };
    expect(() => new Network(registry, backend, { ...base, layers: 21 }, 2)).toThrow(
      /layers must be a whole number from 1 to 20/,
    );
    expect(() => new Network(registry, backend, { ...base, learningRate: 0 }, 2)).toThrow(
      /learning rate must be positive/,
    );
    expect(() => new Network(registry, backend, { ...base, activation: 'softmax' }, 2)).toThrow(
      /not an elementwise activation/,
    );
    expect(() => new Network(registry, backend, { ...base, rule: 'perceptron' }, 2)).toThrow(
      /perceptron rule trains a single layer/,
    );
  });
});
