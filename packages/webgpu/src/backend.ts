/// <reference types="@webgpu/types" />
/** The WebGPU backend: core's façade over the webgpu provider, plus GPU-resident buffers. */
import {
  type Activation,
  BackendUnavailableError,
  BadInputError,
  type ElementwiseActivation,
} from '@activations/core';
import {
  BackendFacade,
  checkActivation,
  checkResidentOp,
  describeValue,
  type FacadeOptions,
  resolveRowLength,
  rowsRequest,
} from '@activations/core/backend';
import { acquireDevice, adapterName, type DeviceOptions, MAP_READ_MODE, Usage } from './device.js';
import {
  type Bound,
  type Kernel,
  MAX_TRANSCENDENTALS,
  type PrecisionReport,
  WebGPUProvider,
} from './provider.js';
import type { Precision } from './wgsl.js';

const NAME = 'webgpu';
const FLOAT = 4;
/** Storage-buffer binding offsets must be multiples of 256 bytes: chunks start on 64 floats. */
const ALIGN = 64;

/** Options for `WebGPUBackend.create` and `webgpu()`. */
export interface WebGPUBackendOptions extends DeviceOptions, FacadeOptions {
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
  /**
   * Largest number of transcendental functions in one kernel (default MAX_TRANSCENDENTALS, 16);
   * bigger expressions are refused at once with ExpressionTooLargeError.
   */
  readonly maxTranscendentals?: number;
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
export class WebGPUBackend extends BackendFacade<Kernel> {
  declare protected readonly provider: WebGPUProvider;
  /** The adapter's description (vendor, device). */
  readonly adapterInfo: GPUAdapterInfo | undefined;
  /** Whether the adapter is a CPU implementation (SwiftShader, WARP, llvmpipe). */
  readonly software: boolean;
  readonly #owned = new Set<GPUBuffer>();

  private constructor(
    device: GPUDevice,
    info: GPUAdapterInfo | undefined,
    software: boolean,
    owns: boolean,
    options: WebGPUBackendOptions,
  ) {
    const bindable = Math.floor(device.limits.maxStorageBufferBindingSize / FLOAT / ALIGN) * ALIGN;
    super(
      new WebGPUProvider({
        device,
        ownsDevice: owns,
        maxBindingElements: Math.max(
          ALIGN,
          Math.min(bindable, options.maxBindingElements ?? bindable),
        ),
        maxWorkgroups: Math.max(
          1,
          Math.min(device.limits.maxComputeWorkgroupsPerDimension, options.maxWorkgroups ?? 65535),
        ),
        precision: options.precision ?? 'auto',
        maxTranscendentals: options.maxTranscendentals ?? MAX_TRANSCENDENTALS,
      }),
      options,
    );
    this.adapterInfo = info;
    this.software = software;
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
    return this.provider.device;
  }

  /** "Google SwiftShader" and the like. */
  get adapterName(): string {
    return adapterName(this.adapterInfo);
  }

  /** Bytes of GPU memory in the reusable buffer pool. */
  get pooledBytes(): number {
    return this.provider.pool.bytes;
  }

  /** How an op of an activation computes (probing it first if needed): float32 or double-float. */
  async precisionOf(
    act: ElementwiseActivation,
    op: 'forward' | 'derivative' = 'forward',
  ): Promise<PrecisionReport> {
    this.ensureReady();
    checkActivation(act, 'precisionOf');
    if (act.kind !== 'elementwise')
      throw new BadInputError(
        `precisionOf is for elementwise activations; '${(act as Activation).id}' is not one.`,
      );
    try {
      return await this.provider.precisionOf(this.requestFor(act, op, 'map', 'float32'));
    } catch (error) {
      throw this.failure(error, `precisionOf of '${act.id}'`);
    }
  }

  // ---- GPU-resident buffers ----

  /**
   * A storage buffer on this backend's device (usage STORAGE | COPY_SRC | COPY_DST), filled with
   * `data` or zeroed to `data` floats. Destroyed by `dispose()` unless you destroy it first.
   */
  createBuffer(data: Float32Array | number): GPUBuffer {
    this.ensureReady();
    const isCount = typeof data === 'number';
    if (isCount ? !(Number.isInteger(data) && data >= 0) : !(data instanceof Float32Array)) {
      throw new BadInputError(
        `createBuffer takes a Float32Array or a whole number of floats, got ${describeValue(data)}.`,
      );
    }
    const length = isCount ? data : data.length;
    if (length > this.provider.maxLength) {
      throw new BadInputError(
        `${length} floats exceed this device's largest buffer (${this.provider.maxLength} floats); split the array or use the wasm backend.`,
      );
    }
    const buffer = this.device.createBuffer({
      size: Math.max(FLOAT, length * FLOAT),
      usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST,
      mappedAtCreation: !isCount,
      label: `activations ${length} floats`,
    });
    if (!isCount) {
      new Float32Array(buffer.getMappedRange()).set(data);
      buffer.unmap();
    }
    this.#owned.add(buffer);
    return buffer;
  }

  /** Reads `length` floats (default: the whole buffer) back from a buffer with COPY_SRC usage. */
  async read(
    buffer: GPUBuffer,
    length = Math.floor((isGpuBuffer(buffer) ? buffer.size : 0) / FLOAT),
  ): Promise<Float32Array> {
    this.ensureReady();
    this.#checkBuffer(buffer, 'buffer', length, Usage.COPY_SRC);
    const result = new Float32Array(length);
    if (length === 0) return result;
    const bytes = length * FLOAT;
    try {
      const [staging] = await this.provider.acquire([[bytes, Usage.MAP_READ | Usage.COPY_DST]]);
      try {
        const encoder = this.device.createCommandEncoder();
        encoder.copyBufferToBuffer(buffer, 0, staging!, 0, bytes);
        this.device.queue.submit([encoder.finish()]);
        await staging!.mapAsync(MAP_READ_MODE, 0, bytes);
        result.set(new Float32Array(staging!.getMappedRange(0, bytes)));
        staging!.unmap();
      } finally {
        this.provider.pool.release(staging!);
      }
    } catch (error) {
      throw this.failure(error, 'read');
    }
    return result;
  }

  #checkBuffer(
    buffer: unknown,
    name: string,
    length: number,
    usage: number = Usage.STORAGE,
  ): asserts buffer is GPUBuffer {
    if (!isGpuBuffer(buffer)) {
      throw new BadInputError(
        `${name} must be a GPUBuffer (make one with backend.createBuffer(data)); typed arrays go to forward().`,
      );
    }
    if ((buffer.usage & usage) === 0) {
      throw new BadInputError(
        `${name} needs usage ${usage === Usage.STORAGE ? 'STORAGE' : 'COPY_SRC'}; create it with backend.createBuffer(data).`,
      );
    }
    if (buffer.size < length * FLOAT) {
      throw new BadInputError(
        `${name} holds ${Math.floor(buffer.size / FLOAT)} floats, fewer than the ${length} asked for.`,
      );
    }
  }

  async #bufferOp(
    method: string,
    act: Activation,
    op: 'forward' | 'derivative',
    x: GPUBuffer,
    dy: GPUBuffer | undefined,
    options: BufferOptions,
  ): Promise<GPUBuffer> {
    this.ensureReady();
    if (typeof options !== 'object' || options === null) {
      throw new BadInputError(
        `${method}: options must be an object, got ${describeValue(options)}.`,
      );
    }
    checkResidentOp(
      act,
      dy === undefined ? op : 'backward',
      method,
      options.out !== undefined && options.out === x,
    );
    const length = options.length ?? Math.floor((isGpuBuffer(x) ? x.size : 0) / FLOAT);
    if (!Number.isInteger(length) || length < 0)
      throw new BadInputError(
        `length must be a whole number of floats, got ${describeValue(length)}.`,
      );
    this.#checkBuffer(x, 'x', length);
    if (dy !== undefined) this.#checkBuffer(dy, 'dy', length);
    if (options.out !== undefined) this.#checkBuffer(options.out, 'out', length);
    let kernel: { pipeline: GPUComputePipeline; buffers: (out: GPUBuffer) => Bound; unit: number };
    try {
      if (act.kind === 'vector') {
        const unit = resolveRowLength(length, act.params.rowLength!);
        const pipeline = await this.provider.softmaxPipeline(rowsRequest(act.softmax, 'float32'));
        kernel = {
          pipeline,
          unit,
          buffers: (out) => ({ x, y: out, info: this.provider.rowLengthBuffer(unit) }),
        };
      } else {
        if (dy !== undefined && options.out === x && options.out === dy)
          throw new BadInputError('x, dy and out cannot all be the same buffer.');
        const aliased =
          options.out === x ? 'x' : dy !== undefined && options.out === dy ? 'dy' : 'none';
        const shape = this.provider.residentShape(dy !== undefined, aliased);
        const request = this.requestFor(
          act as ElementwiseActivation,
          op,
          dy === undefined ? 'map' : 'backward',
          'float32',
        );
        const pipeline = await this.provider.opPipeline(request, shape);
        const bound = this.provider.bindings(shape);
        kernel = {
          pipeline,
          unit: 1,
          buffers: (out) => ({ x: bound.x ? x : undefined, dy: bound.dy ? dy : undefined, y: out }),
        };
      }
    } catch (error) {
      throw this.failure(error, `${method} of '${act.id}'`);
    }
    this.ensureReady();
    const out = options.out ?? this.createBuffer(length);
    if (length === 0) return out;
    const encoder = options.encoder ?? this.device.createCommandEncoder();
    this.provider.encode(encoder, kernel.pipeline, kernel.buffers(out), length, kernel.unit);
    if (!options.encoder) this.device.queue.submit([encoder.finish()]);
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
    return this.#bufferOp('forwardBuffer', act, 'forward', x, undefined, options);
  }

  /** f′(x) on GPU buffers (elementwise activations). */
  derivativeBuffer(act: Activation, x: GPUBuffer, options: BufferOptions = {}): Promise<GPUBuffer> {
    return this.#bufferOp('derivativeBuffer', act, 'derivative', x, undefined, options);
  }

  /** dy · f′(x) on GPU buffers (elementwise activations); `out` may be x or dy. */
  backwardBuffer(
    act: Activation,
    x: GPUBuffer,
    dy: GPUBuffer,
    options: BufferOptions = {},
  ): Promise<GPUBuffer> {
    return this.#bufferOp('backwardBuffer', act, 'derivative', x, dy, options);
  }

  /** Destroys every buffer this backend made (pool, `createBuffer`) and, if it acquired it, the device. */
  override dispose(): void {
    if (this.state === 'disposed') return;
    for (const b of this.#owned) b.destroy();
    this.#owned.clear();
    super.dispose();
  }
}
