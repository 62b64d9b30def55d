/** The wasm backend: core's façade over the wasm provider, plus what only wasm has (arrays in wasm memory). */
import type { Activation, ElementwiseActivation } from '@activations/core';
import { BadInputError } from '@activations/core';
import {
  checkResidentOp,
  type FacadeOptions,
  referenceFixes,
  SyncBackendFacade,
} from '@activations/core/backend';
import type { Kernel } from './provider.js';
import { WasmProvider } from './provider.js';
import type { LaneReport } from './kernels.js';
import { WasmArray } from './memory.js';

/** Options for `WasmBackend` and `wasm()`. */
export interface WasmBackendOptions extends FacadeOptions {
  /**
   * Worker threads for large arrays in the asynchronous methods (default 0: none). Needs
   * SharedArrayBuffer: Node, or a cross-origin-isolated page. The main thread computes a share too.
   */
  readonly threads?: number;
  /** Arrays shorter than this stay on one thread (default 1,048,576: below it threads do not pay). */
  readonly threadMinElements?: number;
}

type Op = 'forward' | 'derivative';

/**
 * Runs activations as WebAssembly SIMD128 kernels compiled at run time from their expressions, so
 * user-defined activations get SIMD code too. Float32 only (Float64Array input is refused with
 * BadInputError: use cpu-js for float64).
 *
 * @example
 * const backend = new WasmBackend();
 * backend.forwardSync(zoo.gelu.create(), new Float32Array([-1, 0, 1]));
 */
export class WasmBackend extends SyncBackendFacade<Kernel> {
  declare protected readonly provider: WasmProvider;

  constructor(options: WasmBackendOptions = {}) {
    super(new WasmProvider(options), options);
  }

  /** Worker threads in use: 0 when off, unavailable here (`threadsUnavailable()`), failed to start, or lost. */
  get threads(): number {
    return this.provider.threads;
  }

  /** The backend's WebAssembly memory (grows as arrays are allocated; `trim()` gives it back). */
  get memory(): WebAssembly.Memory {
    return this.provider.heap.memory;
  }

  /** How an activation's op computes once compiled: 'f32', 'f64', or 'hybrid' (f32 with f64 patches). */
  lanesOf(act: ElementwiseActivation, op: Op = 'forward'): LaneReport | undefined {
    return this.provider.compiler.lanesOf(`${act.key}|${op}`);
  }

  /** Size in bytes of the compiled map kernel an activation's op runs (once compiled), else undefined. */
  kernelBytes(act: ElementwiseActivation, op: Op = 'forward'): number | undefined {
    const bytes = this.provider.compiler.planOf(`${act.key}|${op}`)?.mapBytes;
    return bytes ? bytes : undefined;
  }

  /**
   * A digest of the compiled map kernel's module bytes and its plan (once compiled; '' for a
   * kernel that runs as float64 closures), else undefined: equal digests, the same kernel. Tools
   * that keep results per kernel (the exhaustive verifier's resume) use it to tell when a result
   * still holds.
   */
  kernelDigest(act: ElementwiseActivation, op: Op = 'forward'): string | undefined {
    const plan = this.provider.compiler.planOf(`${act.key}|${op}`);
    if (!plan || (plan.lanes !== 'scalar' && !plan.mapDigest)) return undefined;
    const { lanes, patches, range, referenceIntervals, mapDigest } = plan;
    return `${mapDigest}:${JSON.stringify({ lanes, patches, range, referenceIntervals })}`;
  }

  /**
   * Gives back the wasm memory that nothing uses. WebAssembly memory only grows, so while no
   * WasmArray is allocated the memory is replaced by a small new one (a 2^28-element softmax no
   * longer keeps 1 GiB); kernels re-instantiate on it as they run. Returns the bytes given back
   * (0 while WasmArrays are live: free them first).
   */
  trim(): number {
    this.ensureReady();
    return this.provider.trim();
  }

  /**
   * An array in wasm memory: pass it to `forwardArray` / `derivativeArray` / `backwardArray` to skip
   * the copies. Free it when done.
   */
  allocate(length: number): WasmArray {
    this.ensureReady();
    return this.provider.heap.allocate(length);
  }

  #checkArray(a: unknown, name: string): asserts a is WasmArray {
    if (!(a instanceof WasmArray) || !a.belongsTo(this.provider.heap)) {
      throw new BadInputError(
        `${name} must be a live WasmArray from this backend's allocate(); typed arrays go to forward().`,
      );
    }
  }

  #arrayOp(
    method: string,
    act: Activation,
    op: Op,
    x: WasmArray,
    dy: WasmArray | undefined,
    out: WasmArray | undefined,
  ): WasmArray {
    this.ensureReady();
    checkResidentOp(
      act,
      dy === undefined ? op : 'backward',
      method,
      out !== undefined && out === x,
    );
    this.#checkArray(x, 'x');
    if (dy !== undefined) {
      this.#checkArray(dy, 'dy');
      if (dy.length !== x.length)
        throw new BadInputError(
          `dy must have the same length as x (${x.length}), got ${dy.length}.`,
        );
    }
    if (out !== undefined) {
      this.#checkArray(out, 'out');
      if (out.length !== x.length)
        throw new BadInputError(`out must have length ${x.length} like x, got ${out.length}.`);
    }
    if (act.kind === 'vector') {
      // rows through the typed-array path (it may grow memory, so copy x out of it first)
      const rows = this.forwardSync(act, x.array.slice());
      const target = out ?? this.provider.heap.allocate(x.length);
      target.array.set(rows);
      return target;
    }
    const request = this.requestFor(
      act as ElementwiseActivation,
      op,
      dy === undefined ? 'map' : 'backward',
      'float32',
    );
    let kernel: Kernel;
    try {
      kernel = this.kernelSync(request);
    } catch (error) {
      throw this.failure(error, `${method} of '${act.id}'`);
    }
    if (kernel.kind !== 'elementwise')
      throw new BadInputError(`${method}: not an elementwise kernel.`);
    const result = out ?? this.provider.heap.allocate(x.length);
    const fn = this.provider.compiler.fnOf(kernel.kernel);
    const vectors = Math.ceil(x.length / 4) * 4; // allocations are whole vectors
    // next to the function's roots, the float64 reference (as the façade does for typed arrays)
    const intervals = kernel.kernel.plan.referenceIntervals;
    const fixes = intervals
      ? referenceFixes(intervals, request.reference, x.array, dy?.array, result.array, x.length)
      : undefined;
    if (dy === undefined) fn(x.byteOffset, result.byteOffset, vectors);
    else fn(x.byteOffset, dy.byteOffset, result.byteOffset, vectors);
    fixes?.();
    return result;
  }

  /**
   * f(x) over arrays in wasm memory: no copies for elementwise activations (`out` may be x);
   * softmax-family rows go through one copy (`out` must then be another array).
   */
  forwardArray(act: Activation, x: WasmArray, out?: WasmArray): WasmArray {
    return this.#arrayOp('forwardArray', act, 'forward', x, undefined, out);
  }

  /** f'(x) over arrays in wasm memory. */
  derivativeArray(act: Activation, x: WasmArray, out?: WasmArray): WasmArray {
    return this.#arrayOp('derivativeArray', act, 'derivative', x, undefined, out);
  }

  /** dy · f'(x) over arrays in wasm memory; `out` may be x or dy. */
  backwardArray(act: Activation, x: WasmArray, dy: WasmArray, out?: WasmArray): WasmArray {
    return this.#arrayOp('backwardArray', act, 'derivative', x, dy, out);
  }
}
