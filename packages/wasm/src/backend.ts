/** The wasm backend: SIMD128 kernels over typed arrays (copied in blocks) or wasm-resident arrays. */
import {
  type Activation,
  BackendUnavailableError,
  resolveRowLength,
  resolveTargets,
  type SoftmaxSpec,
  type VectorActivation,
  BadInputError,
  checkGradient,
  checkInput,
  type ElementwiseActivation,
  type FloatArray,
  type LossActivation,
  outputFor,
  rejectLoss,
  requireElementwise,
  requireLoss,
  softmaxRows,
  type SyncBackend,
  softmaxBackwardFromProbabilities,
  crossEntropyFromLogProbabilities,
  crossEntropyGradientFromProbabilities,
  type Targets,
} from '@activations/core';
import { computeBound, type KernelShape } from './compile.js';
import {
  type KernelFunction,
  KernelCache,
  type KernelRequest,
  type LaneReport,
} from './kernels.js';
import { BLOCK, SCRATCH, WasmArray, WasmHeap } from './memory.js';
import { compileSoftmax } from './softmax.js';
import { ThreadPool, threadsUnavailable } from './threads.js';

const NAME = 'wasm';

type Op = 'forward' | 'derivative';

function request(act: ElementwiseActivation, op: Op): KernelRequest {
  return op === 'forward'
    ? { key: `${act.key}|forward`, expression: act.kernels.forward, reference: act.forward }
    : {
        key: `${act.key}|derivative`,
        expression: act.kernels.derivative,
        reference: act.derivative,
        scaledByGradient: true,
      };
}

function paramRequest(act: ElementwiseActivation, name: string): KernelRequest {
  return {
    key: `${act.key}|d/d${name}`,
    expression: act.paramDerivativeExpression(name),
    reference: (v) => act.paramDerivative(name, v),
    scaledByGradient: true,
  };
}

/** Options for `WasmBackend` and `wasm()`. */
export interface WasmBackendOptions {
  /**
   * Worker threads for large arrays in the asynchronous methods (default 0: none). Needs
   * SharedArrayBuffer: Node, or a cross-origin-isolated page. The main thread computes a share too.
   */
  readonly threads?: number;
  /** Arrays shorter than this stay on one thread (default 1,048,576: below it threads do not pay). */
  readonly threadMinElements?: number;
}

/**
 * Runs activations as WebAssembly SIMD128 kernels compiled at run time from their expressions, so
 * user-defined activations get SIMD code too. Float32 only (Float64Array input is refused with
 * BadInputError: use cpu-js for float64).
 *
 * @example
 * const backend = new WasmBackend();
 * backend.forwardSync(zoo.gelu.create(), new Float32Array([-1, 0, 1]));
 */
export class WasmBackend implements SyncBackend {
  readonly name = NAME;
  readonly supportsFloat64 = false;
  readonly #threadCount: number;
  readonly #threadMinElements: number;
  readonly #heap = new WasmHeap();
  readonly #kernels = new KernelCache(this.#heap);
  /** Worker threads get their own shared memory: ordinary memory is faster for everything else. */
  #shared: { heap: WasmHeap; kernels: KernelCache } | undefined;
  #pool: Promise<ThreadPool> | undefined;
  readonly #rowKernels = new Map<
    string,
    (x: number, out: number, info: number, rows: number, length: number) => void
  >();
  #disposed = false;

  /** Worker threads in use: 0 when off, unavailable here (`threadsUnavailable()`), or failed to start. */
  get threads(): number {
    return this.#shared ? this.#threadCount : 0;
  }

  constructor(options: WasmBackendOptions = {}) {
    const wanted = Math.max(0, Math.floor(options.threads ?? 0));
    this.#threadCount = wanted > 0 && threadsUnavailable() === undefined ? wanted : 0;
    this.#threadMinElements = options.threadMinElements ?? 1 << 20;
    if (this.#threadCount > 0) {
      const heap = new WasmHeap(true);
      this.#shared = { heap, kernels: new KernelCache(heap) };
    }
  }

  /**
   * The parallel path of the asynchronous methods: the array is copied once into shared memory,
   * split into 4-aligned slices, and the workers and this thread each run one.
   */
  async #parallel<T extends FloatArray>(
    act: ElementwiseActivation,
    op: Op,
    shape: KernelShape,
    x: T,
    dy: T | undefined,
    out: T | undefined,
  ): Promise<T> {
    checkInput(NAME, x, false);
    if (dy !== undefined) checkGradient(NAME, x, dy, false);
    const { heap, kernels } = this.#shared!;
    this.#pool ??= ThreadPool.start(this.#threadCount, heap.memory);
    let pool: ThreadPool;
    try {
      pool = await this.#pool;
    } catch {
      // workers could not start here: one thread from now on
      this.#shared = undefined;
      return this.#elementwise(act, op, shape, x, dy, out);
    }
    const result = outputFor(x, out);
    const kernel = kernels.get(request(act, op), shape);
    const { id, module } = kernels.moduleOf(kernel);
    const n = x.length;
    const input = heap.allocate(n, false);
    const gradient = dy === undefined ? undefined : heap.allocate(n, false);
    const output = heap.allocate(n, false);
    try {
      input.array.set(x);
      gradient?.array.set(dy!);
      const slice = Math.ceil(Math.ceil(n / 4) / (pool.size + 1)) * 4;
      const jobs: Promise<void>[] = [];
      for (let part = 0, start = 0; start < n; part++, start += slice) {
        const count = Math.ceil(Math.min(slice, n - start) / 4) * 4; // allocations are whole vectors
        const at = (a: WasmArray) => a.byteOffset + start * 4;
        const args =
          gradient === undefined
            ? [at(input), at(output), count]
            : [at(input), at(gradient), at(output), count];
        if (part < pool.size) jobs.push(pool.run(part, id, module, args));
        else kernel(...args);
      }
      await Promise.all(jobs);
      result.set(output.array.subarray(0, n));
      return result;
    } finally {
      input.free();
      gradient?.free();
      output.free();
    }
  }

  /**
   * Threads pay only for large arrays and for kernels with a transcendental function: piecewise
   * linear ones (relu, clamps) are bound by memory bandwidth, and two threads copying is slower.
   */
  #useThreads(act: Activation, x: unknown, op: Op): act is ElementwiseActivation {
    return (
      this.#shared !== undefined &&
      act.kind === 'elementwise' &&
      x instanceof Float32Array &&
      x.length >= this.#threadMinElements &&
      computeBound(op === 'forward' ? act.kernels.forward : act.kernels.derivative)
    );
  }

  /**
   * softmax(s·x) or its log over rows, by the SIMD row kernel; rows holding ±∞ (whose maximum is
   * not finite) are recomputed by the float64 reference, which defines those limits.
   */
  #softmaxRows(
    spec: SoftmaxSpec,
    x: ArrayLike<number>,
    rowLength: number,
    out: Float32Array | Float64Array,
  ): void {
    const n = x.length;
    if (n === 0) return;
    const length = resolveRowLength(n, rowLength);
    const rows = n / length;
    const key = `${spec.scale}|${spec.log}`;
    let kernel = this.#rowKernels.get(key);
    if (!kernel) {
      const instance = new WebAssembly.Instance(
        new WebAssembly.Module(compileSoftmax(spec, this.#heap.import)),
        { env: { memory: this.#heap.memory } },
      );
      kernel = instance.exports.kernel as (
        x: number,
        out: number,
        info: number,
        rows: number,
        length: number,
      ) => void;
      this.#rowKernels.set(key, kernel);
    }
    // padded by one vector: the kernel reads and writes whole vectors at the end of a row
    const input = this.#heap.allocate(n + 4);
    const output = this.#heap.allocate(n + 4, false);
    const info = this.#heap.allocate(rows, false);
    try {
      input.array.set(x);
      kernel(input.byteOffset, output.byteOffset, info.byteOffset, rows, length);
      out.set(output.array.subarray(0, n));
      const maxima = info.array;
      for (let r = 0; r < rows; r++) {
        const m = maxima[r]!;
        if (m === Number.POSITIVE_INFINITY || m === Number.NEGATIVE_INFINITY) {
          const start = r * length;
          softmaxRows(
            spec,
            Array.prototype.slice.call(x, start, start + length) as number[],
            0,
            out.subarray(start, start + length),
          );
        }
      }
    } finally {
      input.free();
      output.free();
      info.free();
    }
  }

  /** The vector-Jacobian product over rows, from probabilities computed by the SIMD kernel. */
  #softmaxBackward(
    act: VectorActivation,
    x: Float32Array,
    dy: Float32Array,
    out: Float32Array,
  ): void {
    if (x.length === 0) return;
    const length = resolveRowLength(x.length, act.params.rowLength!);
    const p = new Float32Array(x.length);
    this.#softmaxRows({ scale: act.softmax.scale, log: false }, x, length, p);
    softmaxBackwardFromProbabilities(act.softmax, p, dy, length, out);
  }

  #alive(): void {
    if (this.#disposed)
      throw new BackendUnavailableError(
        NAME,
        'this backend was disposed; ask the registry for a new one.',
      );
  }

  /** The backend's WebAssembly memory (grows as arrays are allocated). */
  get memory(): WebAssembly.Memory {
    return this.#heap.memory;
  }

  /** Number of compiled kernels held. */
  get cachedKernels(): number {
    return this.#kernels.size;
  }

  /** How an activation's op computes once compiled: 'f32', 'f64', or 'hybrid' (f32 with f64 patches). */
  lanesOf(act: ElementwiseActivation, op: Op = 'forward'): LaneReport | undefined {
    return this.#kernels.lanesOf(request(act, op).key);
  }

  /** Size in bytes of the compiled kernel an activation's op runs (once compiled), else undefined. */
  kernelBytes(act: ElementwiseActivation, op: Op = 'forward'): number | undefined {
    return this.#kernels.bytesOf(request(act, op), 'map');
  }

  /**
   * An array in wasm memory: pass it to `forwardArray` / `derivativeArray` / `backwardArray` to skip
   * the copies. Free it when done.
   */
  allocate(length: number): WasmArray {
    this.#alive();
    return this.#heap.allocate(length);
  }

  /**
   * Copies typed-array data through a scratch block, one cache-sized block at a time; kernels
   * work in place there (they load a whole unrolled group before storing it), so a forward block
   * touches 16 KB of cache, not 32.
   */
  #runBlocks(
    kernel: KernelFunction,
    shape: KernelShape,
    x: Float32Array,
    dy: Float32Array | undefined,
    out: Float32Array,
  ): void {
    const sx = this.#heap.scratch('x');
    const sdy = this.#heap.scratch('dy');
    for (let start = 0; start < x.length; start += BLOCK) {
      const length = Math.min(BLOCK, x.length - start);
      const vectors = Math.ceil(length / 4) * 4;
      sx.set(x.subarray(start, start + length));
      if (vectors > length) sx.fill(0, length, vectors);
      if (shape === 'backward') {
        sdy.set(dy!.subarray(start, start + length));
        if (vectors > length) sdy.fill(0, length, vectors);
        kernel(SCRATCH.x, SCRATCH.dy, SCRATCH.x, vectors);
      } else {
        kernel(SCRATCH.x, SCRATCH.x, vectors);
      }
      out.set(length === BLOCK ? sx : sx.subarray(0, length), start);
    }
  }

  #elementwise<T extends FloatArray>(
    act: ElementwiseActivation,
    op: Op,
    shape: KernelShape,
    x: T,
    dy: T | undefined,
    out: T | undefined,
  ): T {
    checkInput(NAME, x, false);
    if (dy !== undefined) checkGradient(NAME, x, dy, false);
    const result = outputFor(x, out);
    const kernel = this.#kernels.get(request(act, op), shape);
    this.#runBlocks(
      kernel,
      shape,
      x as Float32Array,
      dy as Float32Array | undefined,
      result as Float32Array,
    );
    return result;
  }

  forwardSync<T extends FloatArray>(act: Activation, x: T, out?: T): T {
    this.#alive();
    rejectLoss(act, 'forward');
    if (act.kind === 'vector') {
      checkInput(NAME, x, false);
      const result = outputFor(x, out);
      this.#softmaxRows(act.softmax, x, act.params.rowLength!, result);
      return result;
    }
    return this.#elementwise(act as ElementwiseActivation, 'forward', 'map', x, undefined, out);
  }

  derivativeSync<T extends FloatArray>(act: Activation, x: T, out?: T): T {
    this.#alive();
    requireElementwise(act, 'derivative');
    return this.#elementwise(act, 'derivative', 'map', x, undefined, out);
  }

  backwardSync<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): T {
    this.#alive();
    rejectLoss(act, 'backward');
    if (act.kind === 'vector') {
      checkInput(NAME, x, false);
      checkGradient(NAME, x, dy, false);
      const result = outputFor(x, out);
      this.#softmaxBackward(act, x as Float32Array, dy as Float32Array, result as Float32Array);
      return result;
    }
    return this.#elementwise(act as ElementwiseActivation, 'derivative', 'backward', x, dy, out);
  }

  paramGradientSync(
    act: ElementwiseActivation,
    name: string,
    x: FloatArray,
    dy: FloatArray,
  ): number {
    this.#alive();
    requireElementwise(act, 'paramGradient');
    checkInput(NAME, x, false);
    checkGradient(NAME, x, dy, false);
    const g = new Float32Array(x.length);
    this.#runBlocks(
      this.#kernels.get(paramRequest(act, name), 'map'),
      'map',
      x as Float32Array,
      undefined,
      g,
    );
    let sum = 0;
    for (let i = 0; i < g.length; i++) sum += dy[i]! * g[i]!;
    return sum;
  }

  lossSync(act: LossActivation, logits: FloatArray, targets: Targets): number {
    this.#alive();
    requireLoss(act, 'loss');
    checkInput(NAME, logits, false, 'logits');
    const { length } = resolveTargets(logits.length, targets, act.params.rowLength!);
    const logp = new Float32Array(logits.length);
    this.#softmaxRows({ scale: 1, log: true }, logits, length, logp);
    return crossEntropyFromLogProbabilities(logp, targets, length);
  }

  lossGradientSync<T extends FloatArray>(
    act: LossActivation,
    logits: T,
    targets: Targets,
    out?: T,
  ): T {
    this.#alive();
    requireLoss(act, 'lossGradient');
    checkInput(NAME, logits, false, 'logits');
    const result = outputFor(logits, out);
    const { length } = resolveTargets(logits.length, targets, act.params.rowLength!);
    this.#softmaxRows({ scale: 1, log: false }, logits, length, result);
    crossEntropyGradientFromProbabilities(result, targets, length);
    return result;
  }

  #checkArray(a: unknown, name: string): asserts a is WasmArray {
    if (!(a instanceof WasmArray) || !a.belongsTo(this.#heap)) {
      throw new BadInputError(
        `${name} must be a live WasmArray from this backend's allocate(); typed arrays go to forward().`,
      );
    }
  }

  #arrayOp(
    act: Activation,
    op: Op,
    shape: KernelShape,
    x: WasmArray,
    dy: WasmArray | undefined,
    out: WasmArray | undefined,
  ): WasmArray {
    this.#alive();
    requireElementwise(act, `${op} on WasmArrays`);
    this.#checkArray(x, 'x');
    if (dy !== undefined) this.#checkArray(dy, 'dy');
    if (dy !== undefined && dy.length !== x.length)
      throw new BadInputError(`dy must have the same length as x (${x.length}), got ${dy.length}.`);
    const kernel = this.#kernels.get(request(act, op), shape);
    const result = out ?? this.#heap.allocate(x.length);
    this.#checkArray(result, 'out');
    if (result.length !== x.length)
      throw new BadInputError(`out must have length ${x.length} like x, got ${result.length}.`);
    const vectors = Math.ceil(x.length / 4) * 4; // allocations are whole vectors
    if (dy === undefined) kernel(x.byteOffset, result.byteOffset, vectors);
    else kernel(x.byteOffset, dy.byteOffset, result.byteOffset, vectors);
    return result;
  }

  /** f(x) over arrays in wasm memory, no copies (elementwise activations). */
  forwardArray(act: Activation, x: WasmArray, out?: WasmArray): WasmArray {
    return this.#arrayOp(act, 'forward', 'map', x, undefined, out);
  }

  /** f'(x) over arrays in wasm memory. */
  derivativeArray(act: Activation, x: WasmArray, out?: WasmArray): WasmArray {
    return this.#arrayOp(act, 'derivative', 'map', x, undefined, out);
  }

  /** dy · f'(x) over arrays in wasm memory. */
  backwardArray(act: Activation, x: WasmArray, dy: WasmArray, out?: WasmArray): WasmArray {
    return this.#arrayOp(act, 'derivative', 'backward', x, dy, out);
  }

  /** Compiles (asynchronously) the kernels an activation needs, so later calls start at once. */
  async prepare(
    act: Activation,
    ops: readonly ('forward' | 'derivative' | 'backward')[] = ['forward'],
  ): Promise<void> {
    this.#alive();
    if (act.kind !== 'elementwise') return;
    for (const op of ops) {
      await this.#kernels.prepare(
        request(act, op === 'forward' ? 'forward' : 'derivative'),
        op === 'backward' ? 'backward' : 'map',
      );
    }
  }

  async forward<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    await this.prepare(act, ['forward']);
    if (this.#useThreads(act, x, 'forward'))
      return this.#parallel(act, 'forward', 'map', x, undefined, out);
    return this.forwardSync(act, x, out);
  }

  async derivative<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    if (act.kind === 'elementwise') await this.prepare(act, ['derivative']);
    if (this.#useThreads(act, x, 'derivative'))
      return this.#parallel(act, 'derivative', 'map', x, undefined, out);
    return this.derivativeSync(act, x, out);
  }

  async backward<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): Promise<T> {
    await this.prepare(act, ['backward']);
    if (this.#useThreads(act, x, 'derivative'))
      return this.#parallel(act, 'derivative', 'backward', x, dy, out);
    return this.backwardSync(act, x, dy, out);
  }

  async paramGradient(
    act: ElementwiseActivation,
    name: string,
    x: FloatArray,
    dy: FloatArray,
  ): Promise<number> {
    return this.paramGradientSync(act, name, x, dy);
  }

  async loss(act: LossActivation, logits: FloatArray, targets: Targets): Promise<number> {
    return this.lossSync(act, logits, targets);
  }

  async lossGradient<T extends FloatArray>(
    act: LossActivation,
    logits: T,
    targets: Targets,
    out?: T,
  ): Promise<T> {
    return this.lossGradientSync(act, logits, targets, out);
  }

  dispose(): void {
    this.#disposed = true;
    this.#kernels.clear();
    this.#shared?.kernels.clear();
    void this.#pool?.then((pool) => pool.terminate());
    this.#pool = undefined;
  }
}
