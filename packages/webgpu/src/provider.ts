/// <reference types="@webgpu/types" />
/**
 * The webgpu provider for core's façade: WGSL pipelines compiled from op requests (float32, or
 * double-float where the float32 kernel misses the probe), typed arrays through pooled buffers,
 * and device loss and out-of-memory reported as typed errors.
 */
import {
  BadInputError,
  type ElementwiseActivation,
  ExpressionTooLargeError,
  OutOfMemoryError,
  UnsupportedOperationError,
} from '@activations/core';
import {
  floatsAround,
  probeSample,
  holeIntervals,
  rootsOf,
  type BackendProvider,
  FLUSH_FLOOR,
  flushForgives,
  readsAsZero,
  float32Error,
  type Job,
  KERNEL_CACHE_SIZE,
  type MapRequest,
  transcendentalCount,
  type OpRequest,
} from '@activations/core/backend';
import { MAP_READ_MODE, Usage } from './device.js';
import {
  bindingsOf,
  elementwiseShader,
  type KernelShape,
  softmaxShader,
  WORKGROUP,
} from './kernels.js';
import { BufferPool } from './pool.js';
import { activationFunction, type Precision, type WgslOp, wgslExpression } from './wgsl.js';

/**
 * Default largest number of transcendental functions (exp, log, tanh, erf, sin, …) in one kernel.
 * Shader compilers inline every call, and their compile time grows steeply with it: on SwiftShader
 * 8 take 0.1–2 s, 48 over a minute. The zoo's largest kernel (mish′) has 4.
 */
export const MAX_TRANSCENDENTALS = 16;

/** A float32 kernel is kept when its worst error on the probe inputs is at most this (else double-float). */
export const PROBE_ULPS = 3;

/** How one op of an activation is computed, after the probe. */
export interface PrecisionReport {
  readonly precision: Precision;
  /** Worst float32 ULP error of the float32 kernel on core's accuracy inputs. */
  readonly float32Ulps: number;
  /** The same for the double-float kernel, when the float32 one missed. */
  readonly doubleFloatUlps?: number;
  /**
   * Intervals where the chosen kernel misses PROBE_ULPS (holeIntervals of the probe and of the
   * floats around the function's roots): around roots, where the absolute error of GPU arithmetic
   * is many ULP of a result near 0 (GELU′ at -0.75179 was 22 ULP, mish′ at -1.19243 50), and tails
   * where a device that flushes denormals loses a factor of a normal result (SiLU′ below -87).
   * The façade recomputes results there with the float64 reference (typed-array calls; the
   * GPU-resident `*Buffer` calls take the kernel's values).
   */
  readonly referenceIntervals?: ReadonlyArray<readonly [number, number]>;
  /** Neither kernel meets the bound outside a few holes: the op is refused on this device. */
  readonly refused?: boolean;
}

/**
 * At most this many holes (holeIntervals) a float32 kernel may hand to the float64 reference
 * before double-float is tried instead; a double-float kernel may have more before it is refused.
 */
export const FLOAT32_HOLES = 4;
export const DOUBLE_FLOAT_HOLES = 8;

/** Largest error a double-float kernel may have on the probe inputs: the promised bound. */
export const DOUBLE_FLOAT_ULPS = 4;

const FLOAT = 4;
/** Storage-buffer binding offsets must be multiples of 256 bytes: chunks start on 64 floats. */
const ALIGN = 64;

/** The buffers one dispatch binds (absent ones are not bound). */
export interface Bound {
  readonly x?: GPUBuffer | undefined;
  readonly dy?: GPUBuffer | undefined;
  readonly y: GPUBuffer;
  readonly info?: GPUBuffer | undefined;
}

/** A compiled pipeline and how many floats one of its work items covers (1, or a row). */
export interface Kernel {
  readonly pipeline: GPUComputePipeline;
  /** Input intervals around roots whose results the façade takes from the float64 reference. */
  readonly referenceIntervals?: ReadonlyArray<readonly [number, number]>;
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

/** The WGSL op of an elementwise request. */
function wgslOp(request: MapRequest): WgslOp {
  return request.op;
}

/** What the provider needs to know of its device and options. */
export interface ProviderSettings {
  readonly device: GPUDevice;
  readonly ownsDevice: boolean;
  readonly maxBindingElements: number;
  readonly maxWorkgroups: number;
  readonly precision: 'auto' | Precision;
  readonly maxTranscendentals: number;
}

/** core's probe sample (dense grid, prime-step spread, kernel edges), built once for every probe. */
let probeInputs: Float32Array | undefined;

export class WebGPUProvider implements BackendProvider<Kernel> {
  readonly name = 'webgpu';
  readonly float64 = false;
  readonly sharedMemory = false;
  readonly maxLength: number;
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly #settings: ProviderSettings;
  /** Pipelines by (function, shape, precision): the aliasing shapes of GPU-resident calls live only here. */
  readonly #pipelines = new Map<string, Promise<GPUComputePipeline>>();
  readonly #precisions = new Map<string, Promise<PrecisionReport>>();
  readonly #rowInfo = new Map<number, GPUBuffer>();
  #lost: string | undefined;
  #disposed = false;

  constructor(settings: ProviderSettings) {
    this.#settings = settings;
    this.device = settings.device;
    this.pool = new BufferPool(settings.device);
    this.maxLength = Math.floor(settings.device.limits.maxBufferSize / FLOAT);
    void settings.device.lost.then((info) => {
      if (!this.#disposed) this.#lost = info.message || info.reason || 'unknown reason';
    });
  }

  lost(): string | undefined {
    return this.#lost;
  }

  /** Pipelines compiled and kept. */
  get pipelines(): number {
    return this.#pipelines.size;
  }

  #pipeline(key: string, source: () => string): Promise<GPUComputePipeline> {
    let pending = this.#pipelines.get(key);
    if (!pending) {
      const code = source();
      const module = this.device.createShaderModule({ code, label: key });
      pending = this.device
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
            `WGSL for ${key} did not compile: ${error instanceof Error ? error.message : String(error)}\n${messages}`,
          );
        });
      this.#pipelines.set(key, pending);
      // bounded like core's kernel cache; a dropped pipeline is compiled again when asked for
      if (this.#pipelines.size > 4 * KERNEL_CACHE_SIZE)
        this.#pipelines.delete(this.#pipelines.keys().next().value!);
    }
    return pending;
  }

  /** The pipeline of an elementwise op in a shape and precision. */
  elementwisePipeline(
    act: ElementwiseActivation,
    op: WgslOp,
    opKey: string,
    shape: KernelShape,
    precision: Precision,
  ): Promise<GPUComputePipeline> {
    return this.#pipeline(`${opKey}|${shape}|${precision}`, () =>
      shape.startsWith('backward')
        ? elementwiseShader(
            activationFunction(act, op, 'act_f', precision, true),
            shape,
            activationFunction(act, op, 'act_g', precision, false),
          )
        : elementwiseShader(activationFunction(act, op, 'act_f', precision, false), shape),
    );
  }

  /**
   * The arithmetic an op runs in: float32 when its float32 kernel stays within PROBE_ULPS of the
   * float64 reference on core's accuracy inputs, double-float otherwise (decided once per op).
   */
  precisionOf(request: MapRequest): Promise<PrecisionReport> {
    if (this.#settings.precision !== 'auto') {
      return Promise.resolve({ precision: this.#settings.precision, float32Ulps: Number.NaN });
    }
    let pending = this.#precisions.get(request.opKey);
    if (!pending) {
      pending = (async (): Promise<PrecisionReport> => {
        // the probe, and the floats around the function's roots (where cancellation leaves few digits)
        probeInputs ??= probeSample();
        const roots = rootsOf(request.reference);
        const inputs =
          roots.length === 0
            ? probeInputs
            : Float32Array.from([...probeInputs, ...roots.flatMap((r) => floatsAround(r, 64))]);
        const expected = Float64Array.from(inputs, (v) => request.reference(v));
        // SwiftShader, like most GPUs, flushes subnormals: a subnormal truth may come back as 0
        // or a subnormal, and a subnormal input may read as ±0 (then the truth there counts);
        // normal results are held to ULP however small
        const atZero = [request.reference(0), request.reference(-0)] as const;
        const deviceError = (i: number, value: number) => {
          const error = (want: number) =>
            flushForgives(value, want, FLUSH_FLOOR) ? 0 : float32Error(value, want);
          const own = error(expected[i]!);
          return readsAsZero(inputs[i]!) ? Math.min(own, error(atZero[0]), error(atZero[1])) : own;
        };
        // a kernel's worst error, and the intervals that hold its failures (holeIntervals: the
        // inputs there go to the float64 reference) if they are few
        const attempt = async (precision: Precision, limit: number) => {
          const y = new Float32Array(inputs.length);
          const pipeline = await this.elementwisePipeline(
            request.activation,
            wgslOp(request),
            request.opKey,
            'map',
            precision,
          );
          await this.roundTrip(pipeline, { x: inputs, out: y, length: inputs.length }, 1);
          let worst = 0;
          const failing: number[] = [];
          const passing: number[] = [];
          for (let i = 0; i < inputs.length; i++) {
            const e = deviceError(i, y[i]!);
            worst = Math.max(worst, e);
            (e > PROBE_ULPS ? failing : passing).push(inputs[i]!);
          }
          const holes = failing.length === 0 ? [] : holeIntervals(failing, passing, limit);
          return { worst, holes };
        };
        // ∂f/∂p kernels feed sums (paramGradient), checked as sums: no holes for them
        const f = typeof request.op === 'string';
        const holed = (holes: ReadonlyArray<readonly [number, number]> | undefined) =>
          f && holes && holes.length > 0 ? { referenceIntervals: holes } : {};
        // float32 where it meets the bound, or misses it only in a few holes (a flushed tail, a
        // root); else double-float, with holes if it needs them
        const single = await attempt('f32', FLOAT32_HOLES);
        if (single.worst <= PROBE_ULPS || (f && single.holes))
          return { precision: 'f32', float32Ulps: single.worst, ...holed(single.holes) };
        const double = await attempt('df32', DOUBLE_FLOAT_HOLES);
        return {
          precision: 'df32',
          float32Ulps: single.worst,
          doubleFloatUlps: double.worst,
          ...holed(double.holes),
          ...(f && double.worst > DOUBLE_FLOAT_ULPS && !double.holes ? { refused: true } : {}),
        };
      })();
      pending.catch(() => this.#precisions.delete(request.opKey));
      this.#precisions.set(request.opKey, pending);
      if (this.#precisions.size > 2 * KERNEL_CACHE_SIZE)
        this.#precisions.delete(this.#precisions.keys().next().value!);
    }
    return pending;
  }

  /** The pipeline of an elementwise request in any shape (the resident calls' aliasing shapes too). */
  async opPipeline(request: MapRequest, shape: KernelShape): Promise<GPUComputePipeline> {
    this.#checkBudget(request);
    const { precision, doubleFloatUlps, refused } = await this.precisionOf(request);
    if (refused && doubleFloatUlps !== undefined) {
      // double-float sin/cos are float32 functions plus a first-order correction: cancellation
      // after them (sign(x) - sin(x) near a maximum) can leave too few digits
      throw new UnsupportedOperationError(
        `The ${request.op} of '${request.activation.id}' comes out ${Number.isFinite(doubleFloatUlps) ? `${doubleFloatUlps.toFixed(1)} ULP` : 'NaN or ∞'} off on this device even in double-float arithmetic (the promise is ${DOUBLE_FLOAT_ULPS}); use the wasm or cpu-js backend for it.`,
      );
    }
    return this.elementwisePipeline(
      request.activation,
      wgslOp(request),
      request.opKey,
      shape,
      precision,
    );
  }

  softmaxPipeline(request: Extract<OpRequest, { kind: 'rows' }>): Promise<GPUComputePipeline> {
    return this.#pipeline(`softmax|${request.softmax.scale}|${request.softmax.log}`, () =>
      softmaxShader(request.softmax),
    );
  }

  /** Refuses, before any compile, a kernel with more transcendental functions than the budget. */
  #checkBudget(request: MapRequest): void {
    const max = this.#settings.maxTranscendentals;
    const count = transcendentalCount(wgslExpression(request.expression));
    if (count > max) {
      throw new ExpressionTooLargeError(
        'kernel',
        max,
        `The ${typeof request.op === 'string' ? request.op : `d/d${request.op.param}`} of '${request.activation.id}' needs ${count} transcendental functions per element; webgpu kernels take at most ${max} (maxTranscendentals: shader compilers inline every call, and compile time grows steeply). Use the wasm or cpu-js backend for it, or raise maxTranscendentals on a GPU that compiles it fast enough.`,
      );
    }
  }

  async compile(request: OpRequest): Promise<Kernel> {
    if (request.kind === 'rows') return { pipeline: await this.softmaxPipeline(request) };
    this.#checkBudget(request);
    const pipeline = await this.opPipeline(request, request.kind);
    const { referenceIntervals } = await this.precisionOf(request);
    return referenceIntervals ? { pipeline, referenceIntervals } : { pipeline };
  }

  referenceIntervals(kernel: Kernel): ReadonlyArray<readonly [number, number]> {
    return kernel.referenceIntervals ?? [];
  }

  async run(kernel: Kernel, request: OpRequest, job: Job): Promise<void> {
    const unit = request.kind === 'rows' ? job.rowLength! : 1;
    await this.roundTrip(
      kernel.pipeline,
      job as Job<Float32Array>,
      unit,
      request.kind === 'rows' ? this.rowLengthBuffer(unit) : undefined,
    );
  }

  /** A uniform holding the row length, one per length, never rewritten (so recorded work stays valid). */
  rowLengthBuffer(length: number): GPUBuffer {
    let buffer = this.#rowInfo.get(length);
    if (!buffer) {
      buffer = this.device.createBuffer({
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
  encode(
    encoder: GPUCommandEncoder,
    pipeline: GPUComputePipeline,
    buffers: Bound,
    n: number,
    unit: number,
  ): void {
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    const layout = pipeline.getBindGroupLayout(0);
    for (const [start, count] of chunksOf(n, unit, this.#settings.maxBindingElements)) {
      const range = (buffer: GPUBuffer) => ({ buffer, offset: start * FLOAT, size: count * FLOAT });
      const entries: GPUBindGroupEntry[] = [];
      if (buffers.x) entries.push({ binding: 0, resource: range(buffers.x) });
      if (buffers.dy) entries.push({ binding: 1, resource: range(buffers.dy) });
      entries.push({ binding: 2, resource: range(buffers.y) });
      if (buffers.info) entries.push({ binding: 3, resource: { buffer: buffers.info } });
      pass.setBindGroup(0, this.device.createBindGroup({ layout, entries }));
      const groups = unit === 1 ? Math.ceil(count / WORKGROUP) : count / unit;
      pass.dispatchWorkgroups(Math.min(groups, this.#settings.maxWorkgroups));
    }
    pass.end();
  }

  /**
   * Buffers from the pool; where new ones are made, the device's out-of-memory and validation
   * errors are caught (they arrive asynchronously) and become OutOfMemoryError.
   */
  async acquire(requests: ReadonlyArray<readonly [number, number]>): Promise<GPUBuffer[]> {
    const wanted = new Map<string, number>();
    for (const [bytes, usage] of requests)
      wanted.set(`${bytes}|${usage}`, (wanted.get(`${bytes}|${usage}`) ?? 0) + 1);
    const fresh = requests.some(
      ([bytes, usage]) => this.pool.available(bytes, usage) < wanted.get(`${bytes}|${usage}`)!,
    );
    if (!fresh) return requests.map(([bytes, usage]) => this.pool.acquire(bytes, usage));
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const buffers = requests.map(([bytes, usage]) => this.pool.acquire(bytes, usage));
    const [validation, memory] = [
      await this.device.popErrorScope(),
      await this.device.popErrorScope(),
    ];
    const error = memory ?? validation;
    if (error) {
      for (const b of buffers) this.pool.discard(b);
      const total = requests.reduce((sum, [bytes]) => sum + bytes, 0);
      throw new OutOfMemoryError(
        'webgpu',
        `the device could not allocate ${Math.round(total / 2 ** 20)} MiB of buffers (${(error.message || 'out of memory').split('\n')[0]!.slice(0, 120)}); process the array in smaller pieces, or use the wasm backend.`,
      );
    }
    return buffers;
  }

  /**
   * Typed arrays through the GPU: upload into pooled buffers, record, copy to a mappable buffer,
   * submit, wait, copy out. Every call has its own buffers, so concurrent calls never mix.
   */
  async roundTrip(
    pipeline: GPUComputePipeline,
    job: Job<Float32Array>,
    unit: number,
    info?: GPUBuffer,
  ): Promise<void> {
    const n = job.length;
    if (n === 0) return;
    const bytes = n * FLOAT;
    const queue = this.device.queue;
    const wanted: Array<readonly [number, number]> = [
      [bytes, Usage.STORAGE | Usage.COPY_DST],
      ...(job.dy ? [[bytes, Usage.STORAGE | Usage.COPY_DST] as const] : []),
      [bytes, Usage.STORAGE | Usage.COPY_SRC],
      [bytes, Usage.MAP_READ | Usage.COPY_DST],
    ];
    const buffers = await this.acquire(wanted);
    const [input, gradient] = [buffers[0]!, job.dy ? buffers[1] : undefined];
    const [output, staging] = buffers.slice(-2) as [GPUBuffer, GPUBuffer];
    try {
      queue.writeBuffer(input, 0, job.x.buffer, job.x.byteOffset, bytes);
      if (gradient && job.dy)
        queue.writeBuffer(gradient, 0, job.dy.buffer, job.dy.byteOffset, bytes);
      const encoder = this.device.createCommandEncoder();
      this.encode(encoder, pipeline, { x: input, dy: gradient, y: output, info }, n, unit);
      encoder.copyBufferToBuffer(output, 0, staging, 0, bytes);
      queue.submit([encoder.finish()]);
      await staging.mapAsync(MAP_READ_MODE, 0, bytes);
      job.out.set(new Float32Array(staging.getMappedRange(0, bytes)));
      staging.unmap();
    } finally {
      for (const b of buffers) this.pool.release(b);
    }
  }

  /** The shape of a resident call given how its output aliases its inputs. */
  residentShape(dy: boolean, out: 'none' | 'x' | 'dy'): KernelShape {
    if (out === 'x') return dy ? 'backward-out-x' : 'map-in-place';
    if (out === 'dy') return 'backward-out-dy';
    return dy ? 'backward' : 'map';
  }

  /** Which buffers a shape binds. */
  bindings(shape: KernelShape): { x: boolean; dy: boolean } {
    return bindingsOf(shape);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.pool.destroy();
    for (const b of this.#rowInfo.values()) b.destroy();
    this.#rowInfo.clear();
    this.#pipelines.clear();
    this.#precisions.clear();
    if (this.#settings.ownsDevice) this.device.destroy();
  }
}
