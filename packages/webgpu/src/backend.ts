/// <reference types="@webgpu/types" />
/** The WebGPU backend: WGSL compute shaders generated from activation expressions. */
import {
  type Activation,
  ActivationError,
  accuracyInputs,
  type Backend,
  BackendUnavailableError,
  BadInputError,
  checkGradient,
  checkInput,
  crossEntropyFromLogProbabilities,
  crossEntropyGradientFromProbabilities,
  DeviceLostError,
  type ElementwiseActivation,
  FLUSH_FLOOR,
  type FloatArray,
  type LossActivation,
  outputFor,
  rejectLoss,
  requireElementwise,
  requireLoss,
  resolveRowLength,
  resolveTargets,
  type SoftmaxSpec,
  softmaxBackwardFromProbabilities,
  type Targets,
  UnsupportedOperationError,
  type VectorActivation,
  worstUlps,
} from '@activations/core';
import { acquireDevice, adapterName, type DeviceOptions, MAP_READ_MODE, Usage } from './device.js';
import {
  bindingsOf,
  elementwiseShader,
  type KernelShape,
  softmaxShader,
  WORKGROUP,
} from './kernels.js';
import { BufferPool } from './pool.js';
import { activationFunction, opExpression, type Precision, type WgslOp } from './wgsl.js';

/** A float32 kernel is kept when its worst error on the probe inputs is at most this (else double-float). */
export const PROBE_ULPS = 3;
/** core's accuracy inputs, built once for every probe. */
let probeInputs: Float32Array | undefined;

/** How one op of an activation is computed, after the probe. */
export interface PrecisionReport {
  readonly precision: Precision;
  /** Worst float32 ULP error of the float32 kernel on core's accuracy inputs. */
  readonly float32Ulps: number;
}

const NAME = 'webgpu';
const FLOAT = 4;
/** Storage-buffer binding offsets must be multiples of 256 bytes: chunks start on 64 floats. */
const ALIGN = 64;

/** Options for `WebGPUBackend.create` and `webgpu()`. */
export interface WebGPUBackendOptions extends DeviceOptions {
  /** Run on this device (shared with your own shaders and buffers); it is not destroyed by `dispose()`. */
  readonly device?: GPUDevice;
  /**
   * Largest number of floats bound per dispatch (default: the device's maxStorageBufferBindingSize
   * / 4). Longer arrays are processed in chunks; a smaller value only exercises that path.
   */
  readonly maxBindingElements?: number;
  /** Largest workgroup count per dispatch (default: the device's limit, 65,535); beyond it a grid-stride loop. */
  readonly maxWorkgroups?: number;
  /**
   * 'auto' (default): each kernel is first compiled in float32 and run on core's accuracy inputs;
   * if it misses PROBE_ULPS there it is recompiled in double-float arithmetic. 'f32' or 'df32'
   * force one.
   */
  readonly precision?: 'auto' | Precision;
}

/** Options of the GPU-resident methods. */
export interface BufferOptions {
  /** Where to write (default: a new buffer from `createBuffer`). May be `x` (or `dy`) itself. */
  readonly out?: GPUBuffer;
  /** Number of floats (default: all of x, `x.size / 4`). */
  readonly length?: number;
  /** Record into this encoder instead of submitting: you submit it, so ops chain with your own passes. */
  readonly encoder?: GPUCommandEncoder;
}

type ElementwiseOp = 'forward' | 'derivative' | { readonly param: string };

/** An op as it appears in cache keys: 'forward', 'derivative' or 'd/dalpha'. */
function opKey(op: ElementwiseOp): string {
  return typeof op === 'string' ? op : `d/d${op.param}`;
}

/** The buffers one dispatch binds (absent ones are not bound). */
interface Bound {
  readonly x?: GPUBuffer | undefined;
  readonly dy?: GPUBuffer | undefined;
  readonly y: GPUBuffer;
  readonly info?: GPUBuffer | undefined;
}

/** Chunks [start, count) of n elements: counts are whole units (rows), starts 256-byte aligned. */
export function chunksOf(n: number, unit: number, maxElements: number): [number, number][] {
  if (n <= maxElements) return [[0, n]];
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const step =
    Math.floor(maxElements / ((unit * ALIGN) / gcd(unit, ALIGN))) *
    ((unit * ALIGN) / gcd(unit, ALIGN));
  if (step === 0) {
    throw new BadInputError(
      `A row of ${unit} floats is longer than this device binds at once (${maxElements}); use shorter rows or another backend.`,
    );
  }
  const chunks: [number, number][] = [];
  for (let start = 0; start < n; start += step) chunks.push([start, Math.min(step, n - start)]);
  return chunks;
}

function isGpuBuffer(value: unknown): value is GPUBuffer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as GPUBuffer).size === 'number' &&
    typeof (value as GPUBuffer).usage === 'number' &&
    typeof (value as GPUBuffer).destroy === 'function'
  );
}

/**
 * Runs activations as WGSL compute shaders on a WebGPU device, in browsers and in Node (npm
 * `webgpu`). Float32 only. Three ways in: typed arrays (`forward`, uploaded and read back with
 * pooled buffers), GPU-resident buffers (`forwardBuffer` and friends, optionally recorded into your
 * command encoder), and WGSL source (`toWGSL`).
 *
 * @example
 * const backend = await WebGPUBackend.create();
 * const y = await backend.forward(zoo.gelu.create(), new Float32Array([-1, 0, 1]));
 */
export class WebGPUBackend implements Backend {
  readonly name = NAME;
  readonly supportsFloat64 = false;
  /** The adapter's description (vendor, device). */
  readonly adapterInfo: GPUAdapterInfo | undefined;
  /** Whether the adapter is a CPU implementation (SwiftShader, WARP, llvmpipe). */
  readonly software: boolean;
  readonly #device: GPUDevice;
  readonly #ownsDevice: boolean;
  readonly #pool: BufferPool;
  readonly #owned = new Set<GPUBuffer>();
  readonly #pipelines = new Map<string, Promise<GPUComputePipeline>>();
  readonly #rowInfo = new Map<number, GPUBuffer>();
  readonly #maxBinding: number;
  readonly #maxWorkgroups: number;
  readonly #precision: 'auto' | Precision;
  readonly #precisions = new Map<string, Promise<PrecisionReport>>();
  #lost: string | undefined;
  #disposed = false;

  private constructor(
    device: GPUDevice,
    info: GPUAdapterInfo | undefined,
    software: boolean,
    owns: boolean,
    options: WebGPUBackendOptions,
  ) {
    this.#device = device;
    this.adapterInfo = info;
    this.software = software;
    this.#ownsDevice = owns;
    this.#pool = new BufferPool(device);
    const bindable = Math.floor(device.limits.maxStorageBufferBindingSize / FLOAT / ALIGN) * ALIGN;
    this.#maxBinding = Math.max(ALIGN, Math.min(bindable, options.maxBindingElements ?? bindable));
    this.#maxWorkgroups = Math.max(
      1,
      Math.min(device.limits.maxComputeWorkgroupsPerDimension, options.maxWorkgroups ?? 65535),
    );
    this.#precision = options.precision ?? 'auto';
    void device.lost.then((info) => {
      if (!this.#disposed) this.#lost = info.message || info.reason || 'unknown reason';
    });
  }

  /**
   * Acquires a device (or uses `options.device`). Throws BackendUnavailableError saying why when
   * there is no WebGPU, no adapter, or only a software adapter without `allowSoftware`.
   */
  static async create(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
    if (options.device) return new WebGPUBackend(options.device, undefined, false, false, options);
    const found = await acquireDevice(options);
    if ('reason' in found) throw new BackendUnavailableError(NAME, found.reason);
    return new WebGPUBackend(found.device, found.adapter, found.software, true, options);
  }

  /** The device kernels run on: create your own buffers and pipelines on it to chain with ours. */
  get device(): GPUDevice {
    return this.#device;
  }

  /** "Google SwiftShader" and the like. */
  get adapterName(): string {
    return adapterName(this.adapterInfo);
  }

  /** Compiled pipelines held. */
  get cachedPipelines(): number {
    return this.#pipelines.size;
  }

  /** Bytes of GPU memory in the reusable buffer pool. */
  get pooledBytes(): number {
    return this.#pool.bytes;
  }

  #alive(): void {
    if (this.#disposed)
      throw new BackendUnavailableError(
        NAME,
        'this backend was disposed; ask the registry for a new one.',
      );
    if (this.#lost !== undefined) throw new DeviceLostError(NAME, this.#lost);
  }

  /** A rejected GPU operation becomes DeviceLostError when the device is gone. */
  async #guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof ActivationError) throw error;
      await Promise.resolve();
      if (this.#lost !== undefined || this.#disposed)
        throw new DeviceLostError(NAME, this.#lost ?? 'the backend was disposed');
      throw error;
    }
  }

  #pipeline(key: string, source: () => string): Promise<GPUComputePipeline> {
    let pending = this.#pipelines.get(key);
    if (!pending) {
      const code = source();
      const module = this.#device.createShaderModule({ code, label: key });
      pending = this.#device
        .createComputePipelineAsync({
          layout: 'auto',
          compute: { module, entryPoint: 'main' },
          label: key,
        })
        .catch(async (error: unknown) => {
          this.#pipelines.delete(key);
          const info = await module.getCompilationInfo().catch(() => undefined);
          const messages =
            info?.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n') ?? '';
          throw new Error(
            `WGSL for ${key} did not compile (please report this): ${error instanceof Error ? error.message : String(error)}\n${messages}`,
          );
        });
      this.#pipelines.set(key, pending);
    }
    return pending;
  }

  #elementwisePipeline(
    act: ElementwiseActivation,
    op: ElementwiseOp,
    shape: KernelShape,
    precision: Precision,
  ): Promise<GPUComputePipeline> {
    return this.#pipeline(`${act.key}|${opKey(op)}|${shape}|${precision}`, () =>
      elementwiseShader(activationFunction(act, op as WgslOp, 'act_f', precision), shape),
    );
  }

  /**
   * The arithmetic an op runs in: float32 when its float32 kernel stays within PROBE_ULPS of the
   * float64 reference on core's accuracy inputs, double-float otherwise (decided once per op).
   */
  #precisionOf(act: ElementwiseActivation, op: ElementwiseOp): Promise<PrecisionReport> {
    if (this.#precision !== 'auto')
      return Promise.resolve({ precision: this.#precision, float32Ulps: Number.NaN });
    const key = `${act.key}|${opKey(op)}`;
    let pending = this.#precisions.get(key);
    if (!pending) {
      pending = (async (): Promise<PrecisionReport> => {
        const { reference } = opExpression(act, op as WgslOp);
        probeInputs ??= accuracyInputs();
        const y = new Float32Array(probeInputs.length);
        const pipeline = await this.#elementwisePipeline(act, op, 'map', 'f32');
        await this.#roundTrip(pipeline, probeInputs, undefined, y, 1);
        // SwiftShader, like most GPUs, flushes subnormals: errors below FLUSH_FLOOR count as none
        const worst = worstUlps(y, probeInputs, reference, FLUSH_FLOOR);
        return { precision: worst <= PROBE_ULPS ? 'f32' : 'df32', float32Ulps: worst };
      })();
      pending.catch(() => this.#precisions.delete(key));
      this.#precisions.set(key, pending);
    }
    return pending;
  }

  /** How an op of an activation computes (probing it first if needed): float32 or double-float. */
  async precisionOf(
    act: ElementwiseActivation,
    op: 'forward' | 'derivative' = 'forward',
  ): Promise<PrecisionReport> {
    this.#alive();
    return this.#guard(this.#precisionOf(act, op));
  }

  async #opPipeline(
    act: ElementwiseActivation,
    op: ElementwiseOp,
    shape: KernelShape,
  ): Promise<GPUComputePipeline> {
    const { precision } = await this.#precisionOf(act, op);
    return this.#elementwisePipeline(act, op, shape, precision);
  }

  #softmaxPipeline(spec: SoftmaxSpec): Promise<GPUComputePipeline> {
    return this.#pipeline(`softmax|${spec.scale}|${spec.log}`, () => softmaxShader(spec));
  }

  /** A uniform holding the row length, one per length, never rewritten (so recorded work stays valid). */
  #rowLengthBuffer(length: number): GPUBuffer {
    let buffer = this.#rowInfo.get(length);
    if (!buffer) {
      buffer = this.#device.createBuffer({
        size: 16,
        usage: Usage.UNIFORM,
        mappedAtCreation: true,
        label: `row length ${length}`,
      });
      new Uint32Array(buffer.getMappedRange()).set([length, 0, 0, 0]);
      buffer.unmap();
      this.#rowInfo.set(length, buffer);
    }
    return buffer;
  }

  /** Records the dispatches of one op over n floats (in chunks of whole rows of `unit`). */
  #encode(
    encoder: GPUCommandEncoder,
    pipeline: GPUComputePipeline,
    buffers: Bound,
    n: number,
    unit: number,
  ): void {
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    const layout = pipeline.getBindGroupLayout(0);
    for (const [start, count] of chunksOf(n, unit, this.#maxBinding)) {
      const range = (buffer: GPUBuffer) => ({ buffer, offset: start * FLOAT, size: count * FLOAT });
      const entries: GPUBindGroupEntry[] = [];
      if (buffers.x) entries.push({ binding: 0, resource: range(buffers.x) });
      if (buffers.dy) entries.push({ binding: 1, resource: range(buffers.dy) });
      entries.push({ binding: 2, resource: range(buffers.y) });
      if (buffers.info) entries.push({ binding: 3, resource: { buffer: buffers.info } });
      pass.setBindGroup(0, this.#device.createBindGroup({ layout, entries }));
      const groups = unit === 1 ? Math.ceil(count / WORKGROUP) : count / unit;
      pass.dispatchWorkgroups(Math.min(groups, this.#maxWorkgroups));
    }
    pass.end();
  }

  #checkSize(n: number): void {
    if (n * FLOAT > this.#device.limits.maxBufferSize) {
      throw new BadInputError(
        `${n} floats exceed this device's largest buffer (${this.#device.limits.maxBufferSize} bytes); split the array or use the wasm backend.`,
      );
    }
  }

  /**
   * Typed arrays through the GPU: upload into pooled buffers, record, copy to a mappable buffer,
   * submit, wait, copy out. Every call has its own buffers, so concurrent calls never mix.
   */
  async #roundTrip(
    pipeline: GPUComputePipeline,
    x: Float32Array,
    dy: Float32Array | undefined,
    out: Float32Array,
    unit: number,
    info?: GPUBuffer,
  ): Promise<void> {
    const n = x.length;
    if (n === 0) return;
    this.#checkSize(n);
    const bytes = n * FLOAT;
    const queue = this.#device.queue;
    const input = this.#pool.acquire(bytes, Usage.STORAGE | Usage.COPY_DST);
    const gradient = dy ? this.#pool.acquire(bytes, Usage.STORAGE | Usage.COPY_DST) : undefined;
    const output = this.#pool.acquire(bytes, Usage.STORAGE | Usage.COPY_SRC);
    const staging = this.#pool.acquire(bytes, Usage.MAP_READ | Usage.COPY_DST);
    try {
      queue.writeBuffer(input, 0, x.buffer, x.byteOffset, bytes);
      if (gradient && dy) queue.writeBuffer(gradient, 0, dy.buffer, dy.byteOffset, bytes);
      const encoder = this.#device.createCommandEncoder();
      this.#encode(encoder, pipeline, { x: input, dy: gradient, y: output, info }, n, unit);
      encoder.copyBufferToBuffer(output, 0, staging, 0, bytes);
      queue.submit([encoder.finish()]);
      await this.#guard(staging.mapAsync(MAP_READ_MODE, 0, bytes));
      out.set(new Float32Array(staging.getMappedRange(0, bytes)));
      staging.unmap();
    } finally {
      for (const b of [input, gradient, output, staging]) if (b) this.#pool.release(b);
    }
  }

  async #elementwise<T extends FloatArray>(
    act: ElementwiseActivation,
    op: ElementwiseOp,
    x: T,
    dy: T | undefined,
    out: T | undefined,
  ): Promise<T> {
    this.#alive();
    checkInput(NAME, x, false);
    if (dy !== undefined) checkGradient(NAME, x, dy, false);
    const result = outputFor(x, out);
    const pipeline = await this.#guard(this.#opPipeline(act, op, dy ? 'backward' : 'map'));
    await this.#roundTrip(
      pipeline,
      x as Float32Array,
      dy as Float32Array | undefined,
      result as Float32Array,
      1,
    );
    return result;
  }

  /** softmax(s·x) or its log over rows of typed arrays. */
  async #softmaxRows(
    spec: SoftmaxSpec,
    x: Float32Array,
    rowLength: number,
    out: Float32Array,
  ): Promise<void> {
    if (x.length === 0) return;
    const length = resolveRowLength(x.length, rowLength);
    const pipeline = await this.#guard(this.#softmaxPipeline(spec));
    await this.#roundTrip(pipeline, x, undefined, out, length, this.#rowLengthBuffer(length));
  }

  async forward<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    this.#alive();
    rejectLoss(act, 'forward');
    if (act.kind === 'vector') {
      checkInput(NAME, x, false);
      const result = outputFor(x, out);
      await this.#softmaxRows(
        act.softmax,
        x as Float32Array,
        act.params.rowLength!,
        result as Float32Array,
      );
      return result;
    }
    return this.#elementwise(act as ElementwiseActivation, 'forward', x, undefined, out);
  }

  async derivative<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    this.#alive();
    requireElementwise(act, 'derivative');
    return this.#elementwise(act, 'derivative', x, undefined, out);
  }

  async backward<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): Promise<T> {
    this.#alive();
    rejectLoss(act, 'backward');
    if (act.kind === 'vector') {
      checkInput(NAME, x, false);
      checkGradient(NAME, x, dy, false);
      const result = outputFor(x, out);
      if (x.length === 0) return result;
      const v = act as VectorActivation;
      const length = resolveRowLength(x.length, v.params.rowLength!);
      const p = new Float32Array(x.length);
      await this.#softmaxRows({ scale: v.softmax.scale, log: false }, x as Float32Array, length, p);
      softmaxBackwardFromProbabilities(v.softmax, p, dy, length, result);
      return result;
    }
    return this.#elementwise(act as ElementwiseActivation, 'derivative', x, dy, out);
  }

  async paramGradient(
    act: ElementwiseActivation,
    name: string,
    x: FloatArray,
    dy: FloatArray,
  ): Promise<number> {
    this.#alive();
    requireElementwise(act, 'paramGradient');
    checkInput(NAME, x, false);
    checkGradient(NAME, x, dy, false);
    act.paramDerivativeExpression(name); // throws BadParameterError for an unknown parameter
    const g = await this.#elementwise(
      act,
      { param: name },
      x as Float32Array,
      undefined,
      undefined,
    );
    let sum = 0;
    for (let i = 0; i < g.length; i++) sum += dy[i]! * g[i]!;
    return sum;
  }

  async loss(act: LossActivation, logits: FloatArray, targets: Targets): Promise<number> {
    this.#alive();
    requireLoss(act, 'loss');
    checkInput(NAME, logits, false, 'logits');
    const { length } = resolveTargets(logits.length, targets, act.params.rowLength!);
    const logp = new Float32Array(logits.length);
    await this.#softmaxRows({ scale: 1, log: true }, logits as Float32Array, length, logp);
    return crossEntropyFromLogProbabilities(logp, targets, length);
  }

  async lossGradient<T extends FloatArray>(
    act: LossActivation,
    logits: T,
    targets: Targets,
    out?: T,
  ): Promise<T> {
    this.#alive();
    requireLoss(act, 'lossGradient');
    checkInput(NAME, logits, false, 'logits');
    const result = outputFor(logits, out);
    const { length } = resolveTargets(logits.length, targets, act.params.rowLength!);
    await this.#softmaxRows(
      { scale: 1, log: false },
      logits as Float32Array,
      length,
      result as Float32Array,
    );
    crossEntropyGradientFromProbabilities(result, targets, length);
    return result;
  }

  /** Compiles the pipelines an activation needs, so later calls start at once. */
  async prepare(
    act: Activation,
    ops: readonly ('forward' | 'derivative' | 'backward')[] = ['forward'],
  ): Promise<void> {
    this.#alive();
    if (act.kind === 'vector') {
      await this.#guard(this.#softmaxPipeline(act.softmax));
      return;
    }
    if (act.kind !== 'elementwise') return;
    for (const op of ops) {
      await this.#guard(
        this.#opPipeline(
          act,
          op === 'forward' ? 'forward' : 'derivative',
          op === 'backward' ? 'backward' : 'map',
        ),
      );
    }
  }

  // ---- GPU-resident buffers ----

  /**
   * A storage buffer on this backend's device (usage STORAGE | COPY_SRC | COPY_DST), filled with
   * `data` or zeroed to `data` floats. Destroyed by `dispose()` unless you destroy it first.
   */
  createBuffer(data: Float32Array | number): GPUBuffer {
    this.#alive();
    const length = typeof data === 'number' ? data : data.length;
    if (
      typeof data === 'number'
        ? !(Number.isInteger(data) && data >= 0)
        : !(data instanceof Float32Array)
    ) {
      throw new BadInputError('createBuffer takes a Float32Array or a whole number of floats.');
    }
    this.#checkSize(length);
    const buffer = this.#device.createBuffer({
      size: Math.max(FLOAT, length * FLOAT),
      usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST,
      mappedAtCreation: typeof data !== 'number',
      label: `activations ${length} floats`,
    });
    if (typeof data !== 'number') {
      new Float32Array(buffer.getMappedRange()).set(data);
      buffer.unmap();
    }
    this.#owned.add(buffer);
    return buffer;
  }

  /** Reads `length` floats (default: the whole buffer) back from a buffer with COPY_SRC usage. */
  async read(
    buffer: GPUBuffer,
    length = Math.floor((buffer?.size ?? 0) / FLOAT),
  ): Promise<Float32Array> {
    this.#alive();
    this.#checkBuffer(buffer, 'buffer', length, Usage.COPY_SRC);
    const result = new Float32Array(length);
    if (length === 0) return result;
    const bytes = length * FLOAT;
    const staging = this.#pool.acquire(bytes, Usage.MAP_READ | Usage.COPY_DST);
    try {
      const encoder = this.#device.createCommandEncoder();
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
      this.#device.queue.submit([encoder.finish()]);
      await this.#guard(staging.mapAsync(MAP_READ_MODE, 0, bytes));
      result.set(new Float32Array(staging.getMappedRange(0, bytes)));
      staging.unmap();
    } finally {
      this.#pool.release(staging);
    }
    return result;
  }

  #checkBuffer(
    buffer: unknown,
    name: string,
    length: number,
    usage: number = Usage.STORAGE,
  ): asserts buffer is GPUBuffer {
    if (!isGpuBuffer(buffer))
      throw new BadInputError(
        `${name} must be a GPUBuffer (make one with backend.createBuffer(data)); typed arrays go to forward().`,
      );
    if ((buffer.usage & usage) === 0) {
      throw new BadInputError(
        `${name} needs usage ${usage === Usage.STORAGE ? 'STORAGE' : 'COPY_SRC'}; create it with backend.createBuffer(data).`,
      );
    }
    if (buffer.size < length * FLOAT)
      throw new BadInputError(
        `${name} holds ${Math.floor(buffer.size / FLOAT)} floats, fewer than the ${length} asked for.`,
      );
  }

  async #bufferOp(
    act: Activation,
    op: 'forward' | 'derivative' | 'backward',
    x: GPUBuffer,
    dy: GPUBuffer | undefined,
    options: BufferOptions,
  ): Promise<GPUBuffer> {
    this.#alive();
    rejectLoss(act, op);
    if (op === 'derivative') requireElementwise(act, 'derivative');
    const length = options.length ?? Math.floor((isGpuBuffer(x) ? x.size : 0) / FLOAT);
    if (!Number.isInteger(length) || length < 0)
      throw new BadInputError(`length must be a whole number of floats, got ${length}.`);
    this.#checkBuffer(x, 'x', length);
    if (dy !== undefined) this.#checkBuffer(dy, 'dy', length);
    const out = options.out ?? this.createBuffer(length);
    this.#checkBuffer(out, 'out', length);
    let pipeline: GPUComputePipeline;
    let buffers: Bound;
    let unit = 1;
    if (act.kind === 'vector') {
      if (op === 'backward')
        throw new UnsupportedOperationError(
          `backwardBuffer is for elementwise activations; use backward() with typed arrays for '${act.id}'.`,
        );
      if (out === x)
        throw new BadInputError(
          `'${act.id}' reads whole rows: out must be a different buffer from x.`,
        );
      unit = resolveRowLength(length, act.params.rowLength!);
      pipeline = await this.#guard(this.#softmaxPipeline(act.softmax));
      buffers = { x, y: out, info: this.#rowLengthBuffer(unit) };
    } else {
      const e = act as ElementwiseActivation;
      let shape: KernelShape = dy === undefined ? 'map' : 'backward';
      if (dy !== undefined && out === x && out === dy)
        throw new BadInputError('x, dy and out cannot all be the same buffer.');
      if (out === x) shape = dy === undefined ? 'map-in-place' : 'backward-out-x';
      else if (dy !== undefined && out === dy) shape = 'backward-out-dy';
      pipeline = await this.#guard(
        this.#opPipeline(e, op === 'forward' ? 'forward' : 'derivative', shape),
      );
      const bound = bindingsOf(shape);
      buffers = { x: bound.x ? x : undefined, dy: bound.dy ? dy : undefined, y: out };
    }
    this.#alive();
    if (length === 0) return out;
    const encoder = options.encoder ?? this.#device.createCommandEncoder();
    this.#encode(encoder, pipeline, buffers, length, unit);
    if (!options.encoder) this.#device.queue.submit([encoder.finish()]);
    return out;
  }

  /**
   * f(x) on GPU buffers: no upload, no readback. Returns `options.out` or a new buffer; with
   * `options.encoder` the dispatches are recorded there and run when you submit it.
   *
   * @example
   * const h = backend.createBuffer(data);
   * const y = await backend.forwardBuffer(gelu, await backend.forwardBuffer(layerNorm, h));
   * const values = await backend.read(y);
   */
  forwardBuffer(act: Activation, x: GPUBuffer, options: BufferOptions = {}): Promise<GPUBuffer> {
    return this.#bufferOp(act, 'forward', x, undefined, options);
  }

  /** f′(x) on GPU buffers (elementwise activations). */
  derivativeBuffer(act: Activation, x: GPUBuffer, options: BufferOptions = {}): Promise<GPUBuffer> {
    return this.#bufferOp(act, 'derivative', x, undefined, options);
  }

  /** dy · f′(x) on GPU buffers (elementwise activations); `out` may be x or dy. */
  backwardBuffer(
    act: Activation,
    x: GPUBuffer,
    dy: GPUBuffer,
    options: BufferOptions = {},
  ): Promise<GPUBuffer> {
    return this.#bufferOp(act, 'backward', x, dy, options);
  }

  /** Destroys every buffer this backend made (pool, `createBuffer`) and, if it acquired it, the device. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pool.destroy();
    for (const b of this.#owned) b.destroy();
    this.#owned.clear();
    for (const b of this.#rowInfo.values()) b.destroy();
    this.#rowInfo.clear();
    this.#pipelines.clear();
    if (this.#ownsDevice) this.#device.destroy();
  }
}
