/**
 * Compiled kernels, cached per (activation, parameters, op). Each kernel is first built with f32x4
 * lanes and checked against the float64 reference on core's 47,000+ accuracy inputs (dense over
 * [-100, 100], denser over [-20, 20], the float32 extremes); where results are more than 3 ULP off
 * (one below the promised 4, since errors peak between probe points) or NaN/∞ where the reference
 * is finite, those lanes are patched with f64x2 lanes, or the whole kernel is rebuilt with them.
 * User-defined activations get the same check.
 */
import {
  accuracyInputs,
  type Expr,
  float32Error,
  UnsupportedOperationError,
  worstUlps,
} from '@activations/core';
import {
  compileKernel,
  type KernelModule,
  type KernelShape,
  minimumLanes,
  type Patches,
} from './compile.js';
import type { WasmArray, WasmHeap } from './memory.js';
import type { Lanes } from './simd-math.js';

/** kernel(x, out, n) or kernel(x, dy, out, n): byte offsets, n a multiple of 4. */
export type KernelFunction = (...args: number[]) => void;

/**
 * Largest error a kernel may have on the probe inputs, in float32 ULP: 3, one below the promised 4,
 * because rounding errors peak between any finite set of probe points (a 1/1000 grid found 5.6 ULP
 * where a 1/40 grid saw 3.4 with a limit of 4).
 */
export const PROBE_ULPS = 3;
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** The probe inputs: core's accuracy grid (see accuracyInputs) and NaN. */
export function probeInputs(): Float32Array {
  const grid = accuracyInputs();
  const inputs = new Float32Array(grid.length + 1);
  inputs.set(grid);
  inputs[grid.length] = Number.NaN;
  return inputs;
}

/** Worst error of float32 results against a float64 reference (core's worstUlps, re-exported). */
export { worstUlps };

/** What a kernel computes, and the float64 function it must match. */
export interface KernelRequest {
  readonly key: string;
  readonly expression: Expr;
  readonly reference: (x: number) => number;
  /**
   * The kernel also serves `backward` (dy · f): a result that is a float32 denormal has too few
   * bits once dy scales it back into the normal range, so such inputs count as failures too.
   */
  readonly scaledByGradient?: boolean;
}

interface Probe {
  readonly input: WasmArray;
  readonly output: WasmArray;
}

/** Inputs where float32 results miss the reference by more than `ulps`. */
export function failingInputs(
  got: Float32Array,
  inputs: Float32Array,
  reference: (x: number) => number,
  ulps: number,
): number[] {
  const failing: number[] = [];
  for (let i = 0; i < inputs.length; i++) {
    if (float32Error(got[i]!, reference(inputs[i]!)) > ulps) failing.push(inputs[i]!);
  }
  return failing;
}

/** Inputs whose reference is a nonzero float32 denormal (see KernelRequest.scaledByGradient). */
export function denormalInputs(inputs: Float32Array, reference: (x: number) => number): number[] {
  const found: number[] = [];
  for (const x of inputs) {
    const value = Math.abs(reference(x));
    if (value > 0 && value < F32_MIN_NORMAL) found.push(x);
  }
  return found;
}

/** Above this share of probe inputs patched, a kernel runs on f64 lanes throughout instead. */
const MAX_PATCH_COVERAGE = 0.2;

/** Beyond the probe's dense grid, failures on one side merge into one tail interval. */
const GRID_EDGE = 100;

/**
 * Intervals covering the failing inputs (merged when less than 1 apart, or when both lie beyond
 * ±100 on the same side; widened by 1 or 1%), or undefined when they are too scattered to patch
 * (or include NaN).
 */
export function patchesFor(failing: readonly number[]): Patches | undefined {
  if (failing.some(Number.isNaN)) return undefined;
  const sorted = [...failing].sort((a, b) => a - b);
  const intervals: Array<[number, number]> = [];
  const sameTail = (a: number, b: number) =>
    (a <= -GRID_EDGE && b <= -GRID_EDGE) || (a >= GRID_EDGE && b >= GRID_EDGE);
  for (const v of sorted) {
    const last = intervals.at(-1);
    if (last && (v - last[1] <= 1 || sameTail(last[1], v))) last[1] = v;
    else intervals.push([v, v]);
  }
  if (intervals.length > 4) return undefined;
  const widen = (v: number) => Math.max(1, Math.abs(v) * 0.01);
  return intervals.map(([lo, hi]) => [lo - widen(lo), hi + widen(hi)] as const);
}

/** How a kernel computes: f32 lanes (with optional f64 patches) or f64 lanes throughout. */
export interface Plan {
  readonly lanes: Lanes;
  readonly patches: Patches;
}

/** The lanes a kernel gets reported as: 'hybrid' when f32 lanes have f64 patches. */
export type LaneReport = Lanes | 'hybrid';

/** Builds, checks and caches kernels for one backend. */
export class KernelCache {
  readonly #heap: WasmHeap;
  readonly #imports: WebAssembly.Imports;
  readonly #kernels = new Map<string, KernelFunction>();
  readonly #plans = new Map<string, Plan>();
  /** The compiled module behind each kernel, and its id (for worker threads). */
  readonly #modules = new Map<
    KernelFunction,
    { id: number; module: WebAssembly.Module; bytes: number }
  >();
  #probe: Probe | undefined;

  constructor(heap: WasmHeap) {
    this.#heap = heap;
    this.#imports = { env: { memory: heap.memory, sin: Math.sin, cos: Math.cos } };
  }

  /** How each expression key is computed (for reports and tests). */
  lanesOf(key: string): LaneReport | undefined {
    const plan = this.#plans.get(key);
    if (!plan) return undefined;
    return plan.patches.length > 0 ? 'hybrid' : plan.lanes;
  }

  get size(): number {
    return this.#kernels.size;
  }

  clear(): void {
    this.#kernels.clear();
    this.#plans.clear();
    this.#modules.clear();
    this.#probe?.input.free();
    this.#probe?.output.free();
    this.#probe = undefined;
  }

  /**
   * The decision, as steps: each yielded module is instantiated by the caller (synchronously or
   * not) and its kernel sent back. f32 lanes if they pass the probe; else f32 with f64 patches
   * where they failed, if that passes; else f64 lanes.
   */
  *#steps(
    request: KernelRequest,
    shape: KernelShape,
  ): Generator<KernelModule, KernelFunction, KernelFunction> {
    const cacheKey = `${request.key}|${shape}`;
    let plan = this.#plans.get(request.key);
    if (!plan) {
      plan = { lanes: minimumLanes(request.expression), patches: [] };
      if (plan.lanes === 'f32') {
        const f32 = yield compileKernel(request.expression, 'map', 'f32', [], this.#heap.import);
        const failing = this.#failing(f32, request, true);
        if (failing.length === 0) {
          this.#kernels.set(`${request.key}|map`, f32);
        } else {
          const patches = patchesFor(failing);
          let patched = false;
          // patches over much of the range cost more than f64 lanes throughout (both paths run)
          if (patches && this.#coverage(patches) <= MAX_PATCH_COVERAGE) {
            const hybrid = yield compileKernel(
              request.expression,
              'map',
              'f32',
              patches,
              this.#heap.import,
            );
            // the patches cover the denormal inputs, so only accuracy is checked again
            if (this.#failing(hybrid, request, false).length === 0) {
              plan = { lanes: 'f32', patches };
              this.#kernels.set(`${request.key}|map`, hybrid);
              patched = true;
            }
          }
          if (!patched) plan = { lanes: 'f64', patches: [] };
        }
      }
      this.#plans.set(request.key, plan);
    }
    let kernel = this.#kernels.get(cacheKey);
    if (!kernel) {
      kernel = yield compileKernel(
        request.expression,
        shape,
        plan.lanes,
        plan.patches,
        this.#heap.import,
      );
      this.#kernels.set(cacheKey, kernel);
    }
    return kernel;
  }

  /** The kernel, compiled synchronously if needed. */
  get(request: KernelRequest, shape: KernelShape): KernelFunction {
    const cached = this.#kernels.get(`${request.key}|${shape}`);
    if (cached) return cached;
    const steps = this.#steps(request, shape);
    let step = steps.next();
    while (!step.done) {
      let module: WebAssembly.Module;
      try {
        module = new WebAssembly.Module(step.value.bytes);
      } catch (error) {
        if (error instanceof RangeError) {
          // browsers refuse synchronous compilation of modules over 4 KB on the main thread
          throw new UnsupportedOperationError(
            `This kernel (${step.value.bytes.length} bytes) cannot be compiled synchronously here (${error.message}); call \`await backend.prepare(act, ['forward', 'derivative', 'backward'])\` first, or use the asynchronous methods.`,
          );
        }
        throw error;
      }
      step = steps.next(
        this.#remember(
          module,
          step.value.bytes.length,
          new WebAssembly.Instance(module, this.#imports),
        ),
      );
    }
    return step.value;
  }

  /** Compiles asynchronously (as browsers require for large modules on the main thread), then caches. */
  async prepare(request: KernelRequest, shape: KernelShape): Promise<void> {
    if (this.#kernels.has(`${request.key}|${shape}`)) return;
    const steps = this.#steps(request, shape);
    let step = steps.next();
    while (!step.done) {
      const module = await WebAssembly.compile(step.value.bytes);
      step = steps.next(
        this.#remember(
          module,
          step.value.bytes.length,
          await WebAssembly.instantiate(module, this.#imports),
        ),
      );
    }
  }

  #remember(
    module: WebAssembly.Module,
    bytes: number,
    instance: WebAssembly.Instance,
  ): KernelFunction {
    const kernel = exportKernel(instance);
    this.#modules.set(kernel, { id: this.#modules.size + 1, module, bytes });
    return kernel;
  }

  /** The size in bytes of the module behind a cached kernel, or undefined if not compiled yet. */
  bytesOf(request: KernelRequest, shape: KernelShape): number | undefined {
    const kernel = this.#kernels.get(`${request.key}|${shape}`);
    return kernel === undefined ? undefined : this.#modules.get(kernel)!.bytes;
  }

  /** The compiled module a kernel came from, with a stable id (workers instantiate it too). */
  moduleOf(kernel: KernelFunction): { id: number; module: WebAssembly.Module; bytes: number } {
    return this.#modules.get(kernel)!;
  }

  /** The fraction of probe inputs that fall inside the patches. */
  #coverage(patches: Patches): number {
    const inputs = this.#probe!.input.array;
    let inside = 0;
    for (const v of inputs) if (patches.some(([lo, hi]) => v >= lo && v <= hi)) inside++;
    return inside / inputs.length;
  }

  #failing(kernel: KernelFunction, request: KernelRequest, denormalsFail: boolean): number[] {
    if (!this.#probe) {
      const inputs = probeInputs();
      const input = this.#heap.allocate(inputs.length);
      input.array.set(inputs);
      this.#probe = { input, output: this.#heap.allocate(inputs.length) };
    }
    const { input, output } = this.#probe;
    kernel(input.byteOffset, output.byteOffset, Math.ceil(input.length / 4) * 4);
    const failing = failingInputs(output.array, input.array, request.reference, PROBE_ULPS);
    if (denormalsFail && request.scaledByGradient)
      failing.push(...denormalInputs(input.array, request.reference));
    return failing;
  }
}

function exportKernel(instance: WebAssembly.Instance): KernelFunction {
  return instance.exports.kernel as KernelFunction;
}
