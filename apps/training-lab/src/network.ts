/**
 * A small multilayer perceptron trained by full-batch gradient descent. Activations, their
 * derivatives, softmax and the softmax-cross-entropy loss run on a backend from the registry;
 * the (tiny) matrix products are plain loops. Also Rosenblatt's perceptron rule for a single
 * layer with a step function, which needs no derivative (and cannot learn XOR).
 */
import type {
  Backend,
  ElementwiseActivation,
  LossActivation,
  Registry,
  VectorActivation,
} from '@activations/core';
import { type Dataset, gaussian, rng } from './datasets.js';

export interface NetworkConfig {
  /** Weight layers, 1–20 (1: no hidden layer). */
  readonly layers: number;
  /** Units per hidden layer. */
  readonly width: number;
  /** Hidden-layer activation (a zoo id), with its parameters. */
  readonly activation: string;
  readonly params?: Readonly<Record<string, number>>;
  readonly init: 'xavier' | 'he';
  readonly learningRate: number;
  readonly seed: number;
  /** 'backprop' (default) or 'perceptron': one layer, a step output, the perceptron rule (two classes). */
  readonly rule?: 'backprop' | 'perceptron';
}

export interface StepStats {
  readonly step: number;
  readonly loss: number;
  readonly accuracy: number;
  /** ‖∂L/∂W‖ (weights and biases) per weight layer, first layer first. */
  readonly gradientNorms: readonly number[];
  /** Per hidden layer: the fraction of units whose derivative is 0 on every training point. */
  readonly dead: readonly number[];
}

interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  readonly w: Float32Array; // outputs × inputs
  readonly b: Float32Array;
}

/** y (n × out) = x (n × in) · Wᵀ + b */
function affine(x: Float32Array, n: number, layer: Layer): Float32Array {
  const { inputs, outputs, w, b } = layer;
  const y = new Float32Array(n * outputs);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outputs; o++) {
      let s = b[o]!;
      for (let i = 0; i < inputs; i++) s += x[r * inputs + i]! * w[o * inputs + i]!;
      y[r * outputs + o] = s;
    }
  }
  return y;
}

export class Network {
  readonly config: NetworkConfig;
  readonly classes: number;
  readonly layers: Layer[] = [];
  step = 0;
  readonly #backend: Backend;
  readonly #act: ElementwiseActivation;
  readonly #loss: LossActivation;
  readonly #softmax: VectorActivation;
  readonly #step: ElementwiseActivation;

  constructor(registry: Registry, backend: Backend, config: NetworkConfig, classes: number) {
    if (!(Number.isInteger(config.layers) && config.layers >= 1 && config.layers <= 20))
      throw new RangeError(`layers must be a whole number from 1 to 20, got ${config.layers}`);
    if (!(Number.isInteger(config.width) && config.width >= 1 && config.width <= 256))
      throw new RangeError(`width must be a whole number from 1 to 256, got ${config.width}`);
    if (!(config.learningRate > 0 && Number.isFinite(config.learningRate)))
      throw new RangeError(`the learning rate must be positive, got ${config.learningRate}`);
    if (config.rule === 'perceptron' && (config.layers !== 1 || classes !== 2))
      throw new RangeError('the perceptron rule trains a single layer on two classes');
    const act = registry.activation(config.activation, config.params);
    if (act.kind !== 'elementwise')
      throw new RangeError(`${config.activation} is not an elementwise activation`);
    this.config = config;
    this.classes = classes;
    this.#backend = backend;
    this.#act = act;
    this.#loss = registry.activation('softmax-cross-entropy', {
      rowLength: classes,
    }) as LossActivation;
    this.#softmax = registry.activation('softmax', { rowLength: classes }) as VectorActivation;
    this.#step = registry.activation('binary-step') as ElementwiseActivation;
    const random = rng(config.seed);
    const outputsOfLast = config.rule === 'perceptron' ? 1 : classes;
    for (let l = 0; l < config.layers; l++) {
      const inputs = l === 0 ? 2 : config.width;
      const outputs = l === config.layers - 1 ? outputsOfLast : config.width;
      const w = new Float32Array(outputs * inputs);
      const limit = Math.sqrt(6 / (inputs + outputs)); // Glorot uniform
      const std = Math.sqrt(2 / inputs); // He normal
      for (let i = 0; i < w.length; i++)
        w[i] = config.init === 'xavier' ? (2 * random() - 1) * limit : std * gaussian(random);
      this.layers.push({ inputs, outputs, w, b: new Float32Array(outputs) });
    }
  }

  /** Pre-activations z of every layer and hidden activations a (a[0] is the input). */
  async #forward(x: Float32Array, n: number): Promise<{ a: Float32Array[]; z: Float32Array[] }> {
    const a = [x];
    const z: Float32Array[] = [];
    for (const [l, layer] of this.layers.entries()) {
      z.push(affine(a[l]!, n, layer));
      if (l < this.layers.length - 1) a.push(await this.#backend.forward(this.#act, z[l]!));
    }
    return { a, z };
  }

  /** Class probabilities for n points (n × classes); the perceptron gives 0/1 for class 1. */
  async predict(x: Float32Array): Promise<Float32Array> {
    const n = x.length / 2;
    const { z } = await this.#forward(x, n);
    const out = z.at(-1)!;
    if (this.config.rule === 'perceptron') {
      const s = await this.#backend.forward(this.#step, out);
      return Float32Array.from({ length: 2 * n }, (_, i) =>
        i % 2 === 1 ? s[i >> 1]! : 1 - s[i >> 1]!,
      );
    }
    return this.#backend.forward(this.#softmax, out);
  }

  /** One full-batch step on the dataset; returns the statistics before the update. */
  async train(data: Dataset): Promise<StepStats> {
    return this.config.rule === 'perceptron'
      ? this.#perceptronStep(data)
      : this.#backpropStep(data);
  }

  async #backpropStep(data: Dataset): Promise<StepStats> {
    const n = data.y.length;
    const { a, z } = await this.#forward(data.x, n);
    const logits = z.at(-1)!;
    const loss = await this.#backend.loss(this.#loss, logits, data.y);
    const probabilities = await this.#backend.forward(this.#softmax, logits);
    let dz = await this.#backend.lossGradient(this.#loss, logits, data.y);
    const gradientNorms: number[] = new Array(this.layers.length);
    const dead: number[] = [];
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const { inputs, outputs } = layer;
      const input = a[l]!;
      const dw = new Float32Array(outputs * inputs);
      const db = new Float32Array(outputs);
      for (let r = 0; r < n; r++) {
        for (let o = 0; o < outputs; o++) {
          const g = dz[r * outputs + o]!;
          db[o]! += g;
          for (let i = 0; i < inputs; i++) dw[o * inputs + i]! += g * input[r * inputs + i]!;
        }
      }
      let norm = 0;
      for (const v of dw) norm += v * v;
      for (const v of db) norm += v * v;
      gradientNorms[l] = Math.sqrt(norm);
      if (l > 0) {
        const da = new Float32Array(n * inputs);
        for (let r = 0; r < n; r++) {
          for (let o = 0; o < outputs; o++) {
            const g = dz[r * outputs + o]!;
            for (let i = 0; i < inputs; i++) da[r * inputs + i]! += g * layer.w[o * inputs + i]!;
          }
        }
        const pre = z[l - 1]!;
        // f′ once: it gives both dz = da · f′(z) and which units are dead
        const d = await this.#backend.derivative(this.#act, pre);
        for (let i = 0; i < da.length; i++) da[i]! *= d[i]!;
        dz = da;
        dead.unshift(deadFraction(d, n, inputs));
      }
      const lr = this.config.learningRate;
      for (let i = 0; i < dw.length; i++) layer.w[i]! -= lr * dw[i]!;
      for (let o = 0; o < outputs; o++) layer.b[o]! -= lr * db[o]!;
    }
    return {
      step: this.step++,
      loss,
      accuracy: accuracy(probabilities, data),
      gradientNorms,
      dead,
    };
  }

  async #perceptronStep(data: Dataset): Promise<StepStats> {
    const n = data.y.length;
    const layer = this.layers[0]!;
    const out = await this.#backend.forward(this.#step, affine(data.x, n, layer));
    let errors = 0;
    for (let r = 0; r < n; r++) {
      const e = data.y[r]! - out[r]!; // t - y ∈ {-1, 0, 1}
      if (e === 0) continue;
      errors++;
      const lr = this.config.learningRate;
      for (let i = 0; i < 2; i++) layer.w[i]! += lr * e * data.x[2 * r + i]!;
      layer.b[0]! += lr * e;
    }
    return {
      step: this.step++,
      loss: errors / n,
      accuracy: 1 - errors / n,
      gradientNorms: [],
      dead: [],
    };
  }
}

/** The fraction of units (columns of the n × units derivatives d) whose derivative is 0 at every point. */
function deadFraction(d: ArrayLike<number>, n: number, units: number): number {
  let deadUnits = 0;
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let r = 0; r < n && !alive; r++) alive = d[r * units + u] !== 0;
    if (!alive) deadUnits++;
  }
  return deadUnits / units;
}

/** Fraction of points whose most probable class is their class. */
export function accuracy(probabilities: ArrayLike<number>, data: Dataset): number {
  const k = data.classes;
  let right = 0;
  for (let r = 0; r < data.y.length; r++) {
    let best = 0;
    for (let c = 1; c < k; c++)
      if (probabilities[r * k + c]! > probabilities[r * k + best]!) best = c;
    if (best === data.y[r]) right++;
  }
  return right / data.y.length;
}
