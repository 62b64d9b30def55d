/**
 * How an op's kernel computes, decided once per op: each is first built with f32x4 lanes and
 * checked against the float64 reference on core's 47,000+ accuracy inputs (dense over [-100, 100],
 * denser over [-20, 20], the float32 extremes); where results are more than 3 ULP off (one below
 * the promised 4, since errors peak between probe points) or NaN/∞ where the reference is finite,
 * those lanes are patched with f64x2 lanes, or the whole kernel is rebuilt with them.
 * User-defined activations get the same check. Kernels are cached by core's façade; this module
 * keeps only the decisions (plans), bounded like the kernels.
 */
import { compileScalar, type Expr, UnsupportedOperationError } from '@activations/core';
import {
  float32Error,
  floatsAround,
  KERNEL_CACHE_SIZE,
  probeSample,
  rootIntervals,
  rootsOf,
  worstUlps,
} from '@activations/core/backend';
import {
  compileKernel,
  type KernelModule,
  type KernelShape,
  minimumLanes,
  type Patches,
  type Range,
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

/**
 * The probe inputs: core's probe sample — the dense accuracy grid, 65,536 prime-step inputs over
 * every binade and mantissa pattern, the inputs around float32's kernel edges, ±0, ±∞ and NaN.
 */
export function probeInputs(): Float32Array {
  return probeSample();
}

/** Worst error of float32 results against a float64 reference (core's worstUlps). */
export { worstUlps };

/** What a kernel computes, and the float64 function it must match. */
export interface KernelRequest {
  /** One per function (activation and op): the plan is decided once for it. */
  readonly key: string;
  readonly expression: Expr;
  readonly reference: (x: number) => number;
  /** The op's declared range (float32 hull): results are clamped into it (see MapRequest.range). */
  readonly range?: Range;
}

/** Inputs where float32 results miss the expected values by more than `ulps`. */
export function failingInputs(
  got: Float32Array,
  inputs: Float32Array,
  expected: Float64Array,
  ulps: number,
): number[] {
  const failing: number[] = [];
  for (let i = 0; i < inputs.length; i++) {
    if (float32Error(got[i]!, expected[i]!) > ulps) failing.push(inputs[i]!);
  }
  return failing;
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

/**
 * How a kernel computes: f32 lanes (with optional f64 patches), f64 lanes throughout, or — when
 * not even f64 lanes pass the probe — 'scalar': the float64 reference in a JS loop over wasm memory
 * (exact, at plain-JS speed; only expressions far from the zoo's end up there).
 */
export interface Plan {
  readonly lanes: Lanes | 'scalar';
  readonly patches: Patches;
  /** Bytes of the map kernel as compiled (for reports). */
  readonly mapBytes: number;
  /** A digest of the map kernel's module bytes ('' for scalar kernels or before it is compiled). */
  readonly mapDigest?: string;
  readonly range?: Range;
  /**
   * Input intervals around roots of the function where even this plan misses the bound (its
   * absolute error is many ULP of a result near 0): the façade recomputes those results with the
   * float64 reference (BackendProvider.referenceIntervals).
   */
  readonly referenceIntervals?: ReadonlyArray<readonly [number, number]>;
}

/** The lanes a kernel gets reported as: 'hybrid' when f32 lanes have f64 patches. */
export type LaneReport = Lanes | 'hybrid' | 'scalar';

/**
 * A compiled kernel: its module (workers and a new memory instantiate it again) and its function
 * on the heap of the generation it was instantiated for.
 */
export interface WasmKernel {
  readonly expression: Expr;
  readonly shape: KernelShape;
  readonly plan: Plan;
  /** Undefined for a 'scalar' kernel (a JS function: no module, no worker threads). */
  readonly module: WebAssembly.Module | undefined;
  readonly bytes: number;
  /** A digest of the module's bytes ('' for a scalar kernel). */
  readonly digest: string;
  /** The same kernel compiled for the worker threads' shared memory (made when first needed). */
  shared?: WasmKernel;
  /** Id for worker threads. */
  readonly id: number;
  fn: KernelFunction;
  generation: number;
}

interface Probe {
  readonly input: WasmArray;
  readonly output: WasmArray;
}

let nextKernelId = 1;

/** Two 32-bit FNV-1a hashes (different bases) of the bytes, as 16 hex digits: equal bytes, equal digest. */
function digestOf(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  for (const byte of bytes) {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Builds and checks kernels for one heap. */
export class KernelCompiler {
  readonly #heap: WasmHeap;
  /** Plans by function key, least recently decided out first past the bound. */
  readonly #plans = new Map<string, Plan>();
  #probe: Probe | undefined;

  constructor(heap: WasmHeap) {
    this.#heap = heap;
  }

  #imports(): WebAssembly.Imports {
    return { env: { memory: this.#heap.memory, sin: Math.sin, cos: Math.cos } };
  }

  /** How a function computes once decided (for reports and tests). */
  planOf(key: string): Plan | undefined {
    return this.#plans.get(key);
  }

  /** How each function key is computed: 'f32', 'f64' or 'hybrid'. */
  lanesOf(key: string): LaneReport | undefined {
    const plan = this.#plans.get(key);
    if (!plan) return undefined;
    return plan.patches.length > 0 ? 'hybrid' : plan.lanes;
  }

  /** Frees the probe arrays (so the heap can be trimmed); they are made again when needed. */
  releaseProbe(): void {
    this.#probe?.input.free();
    this.#probe?.output.free();
    this.#probe = undefined;
  }

  /**
   * The decision and the kernel, as steps: each yielded module is instantiated by the caller
   * (synchronously or not) and its function sent back. f32 lanes if they pass the probe; else f32
   * with f64 patches where they failed, if that passes; else f64 lanes.
   */
  *#steps(
    request: KernelRequest,
    shape: KernelShape,
  ): Generator<KernelModule, WasmKernel, WasmKernel> {
    let plan = this.#plans.get(request.key);
    let probed: WasmKernel | undefined;
    // the reference at the probe inputs, computed once for every kernel tried
    let expected: Float64Array | undefined;
    const reference = () => (expected ??= this.#expected(request));
    if (!plan) {
      let lanes: Lanes | 'scalar' = minimumLanes(request.expression);
      let patches: Patches = [];
      if (lanes === 'f32') {
        const f32 = yield compileKernel(
          request.expression,
          'map',
          'f32',
          [],
          this.#heap.import,
          request.range,
        );
        probed = f32;
        const failing = this.#failing(f32, reference());
        if (failing.length > 0) {
          const found = patchesFor(failing);
          probed = undefined;
          lanes = 'f64';
          // patches over much of the range cost more than f64 lanes throughout (both paths run)
          if (found && this.#coverage(found) <= MAX_PATCH_COVERAGE) {
            const hybrid = yield compileKernel(
              request.expression,
              'map',
              'f32',
              found,
              this.#heap.import,
              request.range,
            );
            if (this.#failing(hybrid, reference()).length === 0) {
              [lanes, patches, probed] = ['f32', found, hybrid];
            }
          }
        }
      }
      if (lanes === 'f64') {
        // f64 lanes are checked too: their math is good to ~1e-13, not to the last float64 bit,
        // which an ill-conditioned expression (cos(exp(x)) at x = 17) magnifies, and an exact
        // comparison of two functions (erfc(x) == cos(x) at 0) can see as unequal
        const f64 = yield compileKernel(
          request.expression,
          'map',
          'f64',
          [],
          this.#heap.import,
          request.range,
        );
        if (this.#failing(f64, reference()).length === 0) probed = f64;
        else lanes = 'scalar';
      }
      const nearRoots = probed ? this.#nearRoots(probed, request) : undefined;
      if (nearRoots === null) lanes = 'scalar';
      plan = {
        lanes,
        patches,
        mapBytes: probed?.bytes ?? 0,
        mapDigest: probed?.digest ?? '',
        ...(request.range ? { range: request.range } : {}),
        ...(nearRoots && nearRoots.length > 0 ? { referenceIntervals: nearRoots } : {}),
      };
      this.#remember(request.key, plan);
    }
    if (plan.lanes === 'scalar') return this.#scalar(request, shape, plan);
    if (probed && shape === 'map') return { ...probed, plan } as WasmKernel;
    const kernel = yield compileKernel(
      request.expression,
      shape,
      plan.lanes as Lanes,
      plan.patches,
      this.#heap.import,
      plan.range,
    );
    if (shape === 'map' && plan.mapBytes === 0)
      this.#remember(request.key, { ...plan, mapBytes: kernel.bytes, mapDigest: kernel.digest });
    return { ...kernel, plan: this.#plans.get(request.key)! } as WasmKernel;
  }

  #remember(key: string, plan: Plan): void {
    this.#plans.delete(key);
    this.#plans.set(key, plan);
    // plans outlive kernels a little: a kernel let go of and needed again keeps its decision
    if (this.#plans.size > 2 * KERNEL_CACHE_SIZE)
      this.#plans.delete(this.#plans.keys().next().value!);
  }

  #wrap(
    module: WebAssembly.Module,
    made: KernelModule,
    shape: KernelShape,
    expression: Expr,
    instance: WebAssembly.Instance,
  ): WasmKernel {
    return {
      expression,
      shape,
      plan: { lanes: made.lanes, patches: made.patches, mapBytes: 0 },
      module,
      bytes: made.bytes.length,
      digest: digestOf(made.bytes),
      id: nextKernelId++,
      fn: instance.exports.kernel as KernelFunction,
      generation: this.#heap.generation,
    };
  }

  /** The kernel, compiled synchronously. */
  compileSync(request: KernelRequest, shape: KernelShape): WasmKernel {
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
        this.#wrap(
          module,
          step.value,
          shape,
          request.expression,
          new WebAssembly.Instance(module, this.#imports()),
        ),
      );
    }
    return step.value;
  }

  /** The kernel, compiled asynchronously (as browsers require for large modules on the main thread). */
  async compile(request: KernelRequest, shape: KernelShape): Promise<WasmKernel> {
    const steps = this.#steps(request, shape);
    let step = steps.next();
    while (!step.done) {
      const module = await WebAssembly.compile(step.value.bytes);
      step = steps.next(
        this.#wrap(
          module,
          step.value,
          shape,
          request.expression,
          await WebAssembly.instantiate(module, this.#imports()),
        ),
      );
    }
    return step.value;
  }

  /** A 'scalar' kernel: the float64 closures of the expression over views of the current memory. */
  #scalar(request: KernelRequest, shape: KernelShape, plan: Plan): WasmKernel {
    const f = compileScalar(request.expression);
    const heap = this.#heap;
    const fn: KernelFunction =
      shape === 'map'
        ? (x, out, n) => {
            const m = new Float32Array(heap.memory.buffer);
            const [xi, oi] = [x! >>> 2, out! >>> 2];
            for (let i = 0; i < n!; i++) m[oi + i] = f(m[xi + i]!);
          }
        : (x, dy, out, n) => {
            const m = new Float32Array(heap.memory.buffer);
            const [xi, di, oi] = [x! >>> 2, dy! >>> 2, out! >>> 2];
            for (let i = 0; i < n!; i++) m[oi + i] = m[di + i]! * f(m[xi + i]!);
          };
    return {
      expression: request.expression,
      shape,
      plan,
      module: undefined,
      bytes: 0,
      digest: '',
      id: nextKernelId++,
      fn,
      generation: -1,
    };
  }

  /** The kernel's function on the current memory (instantiated again after the memory was replaced). */
  fnOf(kernel: WasmKernel): KernelFunction {
    if (kernel.module === undefined) return kernel.fn;
    if (kernel.generation !== this.#heap.generation) {
      kernel.fn = new WebAssembly.Instance(kernel.module, this.#imports()).exports
        .kernel as KernelFunction;
      kernel.generation = this.#heap.generation;
    }
    return kernel.fn;
  }

  /** The same kernel for another heap (the threads' shared memory), with the plan already decided. */
  recompile(kernel: WasmKernel, heap: WasmHeap): WasmKernel {
    const lanes = kernel.plan.lanes;
    if (lanes === 'scalar') throw new Error('scalar kernels do not run on worker threads');
    const made = compileKernel(
      kernel.expression,
      kernel.shape,
      lanes,
      kernel.plan.patches,
      heap.import,
      kernel.plan.range,
    );
    const module = new WebAssembly.Module(made.bytes);
    const imports = { env: { memory: heap.memory, sin: Math.sin, cos: Math.cos } };
    return {
      ...this.#wrap(
        module,
        made,
        kernel.shape,
        kernel.expression,
        new WebAssembly.Instance(module, imports),
      ),
      plan: kernel.plan,
      generation: heap.generation,
    };
  }

  /**
   * The share of inputs that fall inside the patches: of the probe's (spread over every binade)
   * and of a uniform grid over [-10, 10], where most activations' inputs lie — whichever is
   * larger. A patched block of vectors is computed twice, so patches over much of [-10, 10]
   * (tanh′'s) are slower than f64 lanes throughout on ordinary data.
   */
  #coverage(patches: Patches): number {
    const share = (inputs: ArrayLike<number>) => {
      let inside = 0;
      for (let i = 0; i < inputs.length; i++) {
        const v = inputs[i]!;
        if (patches.some(([lo, hi]) => v >= lo && v <= hi)) inside++;
      }
      return inside / inputs.length;
    };
    const typical = Array.from({ length: 2001 }, (_, i) => -10 + i / 100);
    return Math.max(share(this.#probe!.input.array), share(typical));
  }

  #probeArrays(): Probe {
    if (!this.#probe) {
      const inputs = probeInputs();
      const input = this.#heap.allocate(inputs.length);
      input.array.set(inputs);
      this.#probe = { input, output: this.#heap.allocate(inputs.length) };
    }
    return this.#probe;
  }

  #expected(request: KernelRequest): Float64Array {
    const inputs = this.#probeArrays().input.array;
    const expected = new Float64Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) expected[i] = request.reference(inputs[i]!);
    return expected;
  }

  /**
   * The 129 floats around each root of the function (rootsOf) through the kernel that passed the
   * probe: intervals around the roots where it misses the bound (the façade hands them to the
   * reference), [] where it does not, null where a failure is not at a root (then no plan but
   * the reference is right).
   */
  #nearRoots(
    kernel: WasmKernel,
    request: KernelRequest,
  ): ReadonlyArray<readonly [number, number]> | null {
    const roots = rootsOf(request.reference);
    if (roots.length === 0) return [];
    const around = roots.flatMap((r) => floatsAround(r, 64));
    const n = Math.ceil(around.length / 4) * 4;
    const input = this.#heap.allocate(n);
    const output = this.#heap.allocate(n);
    try {
      input.array.set(around);
      this.fnOf(kernel)(input.byteOffset, output.byteOffset, n);
      const expected = Float64Array.from(around, (v) => request.reference(v));
      const failing = failingInputs(
        output.array.subarray(0, around.length),
        input.array.subarray(0, around.length),
        expected,
        PROBE_ULPS,
      );
      return failing.length === 0 ? [] : (rootIntervals(failing, roots) ?? null);
    } finally {
      input.free();
      output.free();
    }
  }

  #failing(kernel: WasmKernel, expected: Float64Array): number[] {
    const { input, output } = this.#probeArrays();
    this.fnOf(kernel)(input.byteOffset, output.byteOffset, Math.ceil(input.length / 4) * 4);
    return failingInputs(output.array, input.array, expected, PROBE_ULPS);
  }
}
