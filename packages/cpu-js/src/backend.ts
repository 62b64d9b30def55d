/** The cpu-js backend: compiled JS loops over typed arrays, synchronous and asynchronous. */
import {
  type Activation,
  BackendUnavailableError,
  checkGradient,
  checkInput,
  type ElementwiseActivation,
  type FloatArray,
  type LossActivation,
  outputFor,
  rejectLoss,
  requireElementwise,
  requireLoss,
  softmaxBackwardRows,
  softmaxCrossEntropy,
  softmaxCrossEntropyGradient,
  softmaxRows,
  type SyncBackend,
  type Targets,
} from '@activations/core';
import { type CodegenMode, canGenerateCode, KernelCache } from './kernels.js';

/** Options for `cpuJs()`. */
export interface CpuJsOptions {
  /**
   * 'auto' (default): generated code where `new Function` is allowed, closures where a
   * Content-Security-Policy forbids it. 'generate' or 'closures' to force one.
   */
  readonly codegen?: 'auto' | CodegenMode;
}

const NAME = 'cpu-js';

/**
 * Runs activations as plain JS loops over Float32Array or Float64Array (computing in float64).
 * Every method has a synchronous twin (`forwardSync`, …).
 *
 * @example
 * const backend = new CpuJsBackend();
 * backend.forwardSync(zoo.gelu.create(), new Float32Array([-1, 0, 1]));
 */
export class CpuJsBackend implements SyncBackend {
  readonly name = NAME;
  readonly supportsFloat64 = true;
  /** How kernels are built here. */
  readonly codegen: CodegenMode;
  readonly #kernels: KernelCache;
  #disposed = false;

  constructor(options: CpuJsOptions = {}) {
    const requested = options.codegen ?? 'auto';
    this.codegen = requested === 'auto' ? (canGenerateCode() ? 'generate' : 'closures') : requested;
    this.#kernels = new KernelCache(this.codegen);
  }

  #alive(): void {
    if (this.#disposed) throw new BackendUnavailableError(NAME, 'this backend was disposed; ask the registry for a new one.');
  }

  forwardSync<T extends FloatArray>(act: Activation, x: T, out?: T): T {
    this.#alive();
    rejectLoss(act, 'forward');
    checkInput(NAME, x, true);
    const result = outputFor(x, out);
    if (act.kind === 'vector') softmaxRows(act.softmax, x, act.params.rowLength!, result);
    else this.#kernels.map(act as ElementwiseActivation, 'forward', result)(x, result, x.length);
    return result;
  }

  derivativeSync<T extends FloatArray>(act: Activation, x: T, out?: T): T {
    this.#alive();
    requireElementwise(act, 'derivative');
    checkInput(NAME, x, true);
    const result = outputFor(x, out);
    this.#kernels.map(act, 'derivative', result)(x, result, x.length);
    return result;
  }

  backwardSync<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): T {
    this.#alive();
    rejectLoss(act, 'backward');
    checkInput(NAME, x, true);
    checkGradient(NAME, x, dy, true);
    const result = outputFor(x, out);
    if (act.kind === 'vector') softmaxBackwardRows(act.softmax, x, dy, act.params.rowLength!, result);
    else this.#kernels.backward(act as ElementwiseActivation, result)(x, dy, result, x.length);
    return result;
  }

  paramGradientSync(act: ElementwiseActivation, name: string, x: FloatArray, dy: FloatArray): number {
    this.#alive();
    requireElementwise(act, 'paramGradient');
    checkInput(NAME, x, true);
    checkGradient(NAME, x, dy, true);
    return this.#kernels.paramGradient(act, name)(x, dy, x.length);
  }

  lossSync(act: LossActivation, logits: FloatArray, targets: Targets): number {
    this.#alive();
    requireLoss(act, 'loss');
    checkInput(NAME, logits, true, 'logits');
    return softmaxCrossEntropy(logits, targets, act.params.rowLength!);
  }

  lossGradientSync<T extends FloatArray>(act: LossActivation, logits: T, targets: Targets, out?: T): T {
    this.#alive();
    requireLoss(act, 'lossGradient');
    checkInput(NAME, logits, true, 'logits');
    const result = outputFor(logits, out);
    softmaxCrossEntropyGradient(logits, targets, act.params.rowLength!, result);
    return result;
  }

  async forward<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    return this.forwardSync(act, x, out);
  }

  async derivative<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    return this.derivativeSync(act, x, out);
  }

  async backward<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): Promise<T> {
    return this.backwardSync(act, x, dy, out);
  }

  async paramGradient(act: ElementwiseActivation, name: string, x: FloatArray, dy: FloatArray): Promise<number> {
    return this.paramGradientSync(act, name, x, dy);
  }

  async loss(act: LossActivation, logits: FloatArray, targets: Targets): Promise<number> {
    return this.lossSync(act, logits, targets);
  }

  async lossGradient<T extends FloatArray>(act: LossActivation, logits: T, targets: Targets, out?: T): Promise<T> {
    return this.lossGradientSync(act, logits, targets, out);
  }

  /** Number of compiled kernels held. */
  get cachedKernels(): number {
    return this.#kernels.size;
  }

  dispose(): void {
    this.#disposed = true;
    this.#kernels.clear();
  }
}
