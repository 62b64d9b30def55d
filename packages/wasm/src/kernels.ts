/**
 * Compiled kernels, cached per (activation, parameters, op). Each kernel is first built with f32x4
 * lanes and checked against the float64 reference on 8,000+ probe inputs (a dense grid over
 * [-100, 100] and the float32 extremes); if any result is more than 4 ULP off (or NaN/∞ where the
 * reference is finite) it is rebuilt with f64x2 lanes. User-defined activations get the same check.
 */
import { type Expr, isNormalFloat32, ulpDistanceFloat32 } from '@activations/core';
import { compileKernel, type KernelShape, minimumLanes } from './compile.js';
import type { WasmArray, WasmHeap } from './memory.js';
import type { Lanes } from './simd-math.js';

/** kernel(x, out, n) or kernel(x, dy, out, n): byte offsets, n a multiple of 4. */
export type KernelFunction = (...args: number[]) => void;

/** Largest error a kernel may have on the probe inputs, in float32 ULP. */
export const PROBE_ULPS = 4;
const F32_MAX = 3.4028234663852886e38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** The probe inputs: every 1/40 over [-100, 100] and the float32 extremes. */
export function probeInputs(): Float32Array {
  const xs: number[] = [];
  for (let i = -4000; i <= 4000; i++) xs.push(i / 40);
  for (const v of [0, 1e-30, 1e-45, 1e-38, 1e-7, 88.7, 89, 1e4, 1e30, F32_MAX, Number.POSITIVE_INFINITY]) xs.push(v, -v);
  xs.push(Number.NaN);
  return Float32Array.from(xs);
}

/** Worst error of float32 results against a float64 reference, in ULP (∞ for a wrong NaN/∞). */
export function worstUlps(got: Float32Array, inputs: Float32Array, reference: (x: number) => number): number {
  let worst = 0;
  for (let i = 0; i < inputs.length; i++) {
    const expected = reference(inputs[i]!);
    const value = got[i]!;
    let error: number;
    if (Number.isNaN(expected)) error = Number.isNaN(value) ? 0 : Number.POSITIVE_INFINITY;
    else if (Math.abs(expected) > F32_MAX) error = Math.sign(value) === Math.sign(expected) && Math.abs(value) >= F32_MAX ? 0 : Number.POSITIVE_INFINITY;
    else if (!Number.isFinite(value)) error = Number.POSITIVE_INFINITY;
    else if (!isNormalFloat32(expected)) error = Math.abs(value - expected) <= F32_MIN_NORMAL ? 0 : Number.POSITIVE_INFINITY;
    else error = ulpDistanceFloat32(value, expected);
    if (error > worst) worst = error;
  }
  return worst;
}

/** What a kernel computes, and the float64 function it must match. */
export interface KernelRequest {
  readonly key: string;
  readonly expression: Expr;
  readonly reference: (x: number) => number;
}

interface Probe {
  readonly input: WasmArray;
  readonly output: WasmArray;
}

/** Builds, checks and caches kernels for one backend. */
export class KernelCache {
  readonly #heap: WasmHeap;
  readonly #imports: WebAssembly.Imports;
  readonly #kernels = new Map<string, KernelFunction>();
  readonly #lanes = new Map<string, Lanes>();
  #probe: Probe | undefined;

  constructor(heap: WasmHeap) {
    this.#heap = heap;
    this.#imports = { env: { memory: heap.memory, sin: Math.sin, cos: Math.cos } };
  }

  /** Lanes chosen for each expression key (for reports and tests). */
  lanesOf(key: string): Lanes | undefined {
    return this.#lanes.get(key);
  }

  get size(): number {
    return this.#kernels.size;
  }

  clear(): void {
    this.#kernels.clear();
    this.#lanes.clear();
    this.#probe?.input.free();
    this.#probe?.output.free();
    this.#probe = undefined;
  }

  /** The kernel, compiled synchronously if needed. */
  get(request: KernelRequest, shape: KernelShape): KernelFunction {
    const cacheKey = `${request.key}|${shape}`;
    const cached = this.#kernels.get(cacheKey);
    if (cached) return cached;
    const instantiateSync = (bytes: Uint8Array<ArrayBuffer>) =>
      new WebAssembly.Instance(new WebAssembly.Module(bytes), this.#imports);
    const lanes = this.#chooseLanes(request, instantiateSync); // may cache the checked map kernel
    let kernel = this.#kernels.get(cacheKey);
    if (!kernel) {
      kernel = exportKernel(instantiateSync(compileKernel(request.expression, shape, lanes).bytes));
      this.#kernels.set(cacheKey, kernel);
    }
    return kernel;
  }

  /** Compiles asynchronously (as browsers require for large modules on the main thread), then caches. */
  async prepare(request: KernelRequest, shape: KernelShape): Promise<void> {
    const cacheKey = `${request.key}|${shape}`;
    if (this.#kernels.has(cacheKey)) return;
    let lanes = this.#lanes.get(request.key);
    if (lanes === undefined) {
      lanes = minimumLanes(request.expression);
      if (lanes === 'f32') {
        const instance = await instantiate(compileKernel(request.expression, 'map', 'f32').bytes, this.#imports);
        if (!this.#passesProbe(exportKernel(instance), request)) lanes = 'f64';
        else this.#kernels.set(`${request.key}|map`, exportKernel(instance));
      }
      this.#lanes.set(request.key, lanes);
    }
    if (this.#kernels.has(cacheKey)) return;
    const instance = await instantiate(compileKernel(request.expression, shape, lanes).bytes, this.#imports);
    this.#kernels.set(cacheKey, exportKernel(instance));
  }

  #chooseLanes(request: KernelRequest, instantiateSync: (bytes: Uint8Array<ArrayBuffer>) => WebAssembly.Instance): Lanes {
    let lanes = this.#lanes.get(request.key);
    if (lanes !== undefined) return lanes;
    lanes = minimumLanes(request.expression);
    if (lanes === 'f32') {
      const kernel = exportKernel(instantiateSync(compileKernel(request.expression, 'map', 'f32').bytes));
      if (this.#passesProbe(kernel, request)) this.#kernels.set(`${request.key}|map`, kernel);
      else lanes = 'f64';
    }
    this.#lanes.set(request.key, lanes);
    return lanes;
  }

  #passesProbe(kernel: KernelFunction, request: KernelRequest): boolean {
    if (!this.#probe) {
      const inputs = probeInputs();
      const input = this.#heap.allocate(inputs.length);
      input.array.set(inputs);
      this.#probe = { input, output: this.#heap.allocate(inputs.length) };
    }
    const { input, output } = this.#probe;
    kernel(input.byteOffset, output.byteOffset, Math.ceil(input.length / 4) * 4);
    return worstUlps(output.array, input.array, request.reference) <= PROBE_ULPS;
  }
}

function exportKernel(instance: WebAssembly.Instance): KernelFunction {
  return instance.exports.kernel as KernelFunction;
}

async function instantiate(bytes: Uint8Array<ArrayBuffer>, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  const module = await WebAssembly.compile(bytes);
  return WebAssembly.instantiate(module, imports);
}
