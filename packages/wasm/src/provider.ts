/**
 * The wasm provider for core's façade: kernels compiled from expressions (kernels.ts), typed
 * arrays copied through a cache-sized scratch block, softmax rows through a bounded block of
 * rows, and worker threads over a shared memory for large arrays.
 */
import { WorkerFailedError } from '@activations/core';
import {
  type Job,
  type OpRequest,
  type RowsRequest,
  softmaxRows,
  type SyncBackendProvider,
} from '@activations/core/backend';
import { computeBound } from './compile.js';
import { KernelCompiler, type KernelRequest, type WasmKernel } from './kernels.js';
import { BLOCK, SCRATCH, type WasmArray, WasmHeap } from './memory.js';
import { compileSoftmax } from './softmax.js';
import { ThreadPool, threadsUnavailable } from './threads.js';

/** A row kernel: `kernel(x, out, info, rows, length)` over byte offsets. */
type RowFunction = (
  x: number,
  out: number,
  info: number,
  scratch: number,
  rows: number,
  length: number,
) => void;

/** What the façade caches for wasm: an elementwise kernel, or a softmax-family row kernel. */
export type Kernel =
  | { readonly kind: 'elementwise'; readonly kernel: WasmKernel }
  | {
      readonly kind: 'rows';
      readonly module: WebAssembly.Module;
      fn: RowFunction;
      generation: number;
    };

/** Floats of one block of softmax rows (whole rows; a longer row is its own block). */
const ROW_BLOCK = 1 << 16;

function kernelRequest(request: Exclude<OpRequest, RowsRequest>): KernelRequest {
  return {
    key: request.opKey,
    expression: request.expression,
    reference: request.reference,
    ...(request.range ? { range: request.range } : {}),
    // the derivative's kernel (map or backward) is scaled by dy in backward
  };
}

/** Options of the wasm provider (see WasmBackendOptions). */
export interface WasmProviderOptions {
  readonly threads?: number;
  readonly threadMinElements?: number;
}

export class WasmProvider implements SyncBackendProvider<Kernel> {
  readonly name = 'wasm';
  readonly float64 = false;
  // row kernels write float64 probabilities for a backward (see compileSoftmax)
  readonly float64Probabilities = true;

  referenceIntervals(kernel: Kernel): ReadonlyArray<readonly [number, number]> {
    return kernel.kind === 'elementwise' ? (kernel.kernel.plan.referenceIntervals ?? []) : [];
  }
  readonly heap = new WasmHeap();
  readonly compiler = new KernelCompiler(this.heap);
  readonly #threadCount: number;
  readonly #threadMinElements: number;
  /** Worker threads get their own shared memory: ordinary memory is faster for everything else. */
  #shared: { heap: WasmHeap; compiler: KernelCompiler } | undefined;
  #pool: Promise<ThreadPool> | undefined;

  constructor(options: WasmProviderOptions = {}) {
    const wanted = Math.max(0, Math.floor(options.threads ?? 0));
    this.#threadCount = wanted > 0 && threadsUnavailable() === undefined ? wanted : 0;
    this.#threadMinElements = options.threadMinElements ?? 1 << 20;
    if (this.#threadCount > 0) {
      const heap = new WasmHeap(true);
      this.#shared = { heap, compiler: new KernelCompiler(heap) };
    }
  }

  /** Worker threads in use: 0 when off, unavailable here, failed to start, or lost. */
  get threads(): number {
    return this.#shared ? this.#threadCount : 0;
  }

  compileSync(request: OpRequest): Kernel {
    if (request.kind === 'rows')
      return this.#rows(
        request,
        new WebAssembly.Module(compileSoftmax(request.softmax, this.heap.import, request.output)),
      );
    return {
      kind: 'elementwise',
      kernel: this.compiler.compileSync(kernelRequest(request), request.kind),
    };
  }

  async compile(request: OpRequest): Promise<Kernel> {
    if (request.kind === 'rows')
      return this.#rows(
        request,
        await WebAssembly.compile(
          compileSoftmax(request.softmax, this.heap.import, request.output),
        ),
      );
    return {
      kind: 'elementwise',
      kernel: await this.compiler.compile(kernelRequest(request), request.kind),
    };
  }

  #rows(_request: RowsRequest, module: WebAssembly.Module): Kernel {
    return {
      kind: 'rows',
      module,
      fn: this.#instantiateRows(module),
      generation: this.heap.generation,
    };
  }

  #instantiateRows(module: WebAssembly.Module): RowFunction {
    return new WebAssembly.Instance(module, { env: { memory: this.heap.memory } }).exports
      .kernel as RowFunction;
  }

  runSync(kernel: Kernel, request: OpRequest, job: Job): void {
    if (kernel.kind === 'rows') {
      if (kernel.generation !== this.heap.generation) {
        kernel.fn = this.#instantiateRows(kernel.module);
        kernel.generation = this.heap.generation;
      }
      this.#softmaxRows(kernel.fn, request as RowsRequest, job);
      return;
    }
    this.#runBlocks(this.compiler.fnOf(kernel.kernel), kernel.kernel.shape === 'backward', job);
  }

  async run(kernel: Kernel, request: OpRequest, job: Job): Promise<void> {
    if (kernel.kind === 'elementwise' && this.#useThreads(kernel.kernel, job)) {
      const done = await this.#parallel(kernel.kernel, job);
      if (done) return;
    }
    this.runSync(kernel, request, job);
  }

  /**
   * Copies typed-array data through a scratch block, one cache-sized block at a time; kernels
   * work in place there (they load a whole unrolled group before storing it), so a forward block
   * touches 16 KB of cache, not 32.
   */
  #runBlocks(fn: (...args: number[]) => void, backward: boolean, job: Job): void {
    const { x, dy, out, length: n } = job;
    const sx = this.heap.scratch('x');
    const sdy = this.heap.scratch('dy');
    for (let start = 0; start < n; start += BLOCK) {
      const length = Math.min(BLOCK, n - start);
      const vectors = Math.ceil(length / 4) * 4;
      sx.set(x.subarray(start, start + length));
      if (vectors > length) sx.fill(0, length, vectors);
      if (backward) {
        sdy.set(dy!.subarray(start, start + length));
        if (vectors > length) sdy.fill(0, length, vectors);
        fn(SCRATCH.x, SCRATCH.dy, SCRATCH.x, vectors);
      } else {
        fn(SCRATCH.x, SCRATCH.x, vectors);
      }
      out.set(length === BLOCK ? sx : sx.subarray(0, length), start);
    }
  }

  /**
   * softmax(s·x) or its log over rows, by the SIMD row kernel, a block of whole rows at a time
   * (so memory stays bounded however long the array); rows holding ±∞ (whose maximum is not
   * finite) are recomputed by the float64 reference, which defines those limits.
   */
  #softmaxRows(fn: RowFunction, request: RowsRequest, job: Job): void {
    const { x, out, length: n } = job;
    const length = job.rowLength!;
    const rowsPerBlock = Math.max(1, Math.floor(ROW_BLOCK / length));
    const blockFloats = Math.min(n, rowsPerBlock * length);
    let input: WasmArray | undefined;
    let output: WasmArray | undefined;
    let info: WasmArray | undefined;
    let scratch: WasmArray | undefined;
    try {
      // padded by one vector: the kernel reads and writes whole vectors at the end of a row
      input = this.heap.allocate(blockFloats + 4);
      // float64 probabilities (a backward's) take two floats each
      const wide = request.output === 'float64';
      output = this.heap.allocate((blockFloats + 4) * (wide ? 2 : 1), false);
      info = this.heap.allocate(rowsPerBlock, false);
      // one row of float64 exponentials (two floats each), padded by a vector as the rows are
      scratch = this.heap.allocate(2 * (length + 4), false);
      for (let start = 0; start < n; start += blockFloats) {
        const count = Math.min(blockFloats, n - start);
        const rows = count / length;
        const into = input.array;
        into.set(x.subarray(start, start + count));
        into.fill(0, count, count + 4);
        fn(input.byteOffset, output.byteOffset, info.byteOffset, scratch.byteOffset, rows, length);
        const results = wide
          ? new Float64Array(output.array.buffer, output.byteOffset, count)
          : output.array.subarray(0, count);
        out.set(results, start);
        const maxima = info.array;
        for (let r = 0; r < rows; r++) {
          const m = maxima[r]!;
          if (m === Number.POSITIVE_INFINITY || m === Number.NEGATIVE_INFINITY) {
            const at = start + r * length;
            softmaxRows(
              request.softmax,
              Array.from(x.subarray(at, at + length)),
              0,
              out.subarray(at, at + length),
            );
          }
        }
      }
    } finally {
      input?.free();
      output?.free();
      info?.free();
      scratch?.free();
    }
  }

  /**
   * Threads pay only for large arrays and for kernels with a transcendental function: piecewise
   * linear ones (relu, clamps) are bound by memory bandwidth, and two threads copying is slower.
   */
  #useThreads(kernel: WasmKernel, job: Job): boolean {
    return (
      this.#shared !== undefined &&
      job.length >= this.#threadMinElements &&
      computeBound(kernel.expression)
    );
  }

  /**
   * The parallel path: the array is copied once into shared memory, split into 4-aligned slices,
   * and the workers and this thread each run one. Returns false when it could not run threaded
   * (workers would not start, or the shared memory cannot hold the arrays): the caller then runs
   * on this thread. A worker that dies rejects with WorkerFailedError, and threads stay off.
   */
  async #parallel(kernel: WasmKernel, job: Job): Promise<boolean> {
    const shared = this.#shared!;
    this.#pool ??= ThreadPool.start(this.#threadCount, shared.heap.memory);
    let pool: ThreadPool;
    try {
      pool = await this.#pool;
    } catch {
      this.#stopThreads();
      return false;
    }
    if (!pool.healthy) {
      this.#stopThreads();
      return false;
    }
    kernel.shared ??= this.compiler.recompile(kernel, shared.heap);
    const sharedKernel = kernel.shared;
    const n = job.length;
    let input: WasmArray | undefined;
    let gradient: WasmArray | undefined;
    let output: WasmArray | undefined;
    try {
      try {
        input = shared.heap.allocate(n, false);
        gradient = job.dy === undefined ? undefined : shared.heap.allocate(n, false);
        output = shared.heap.allocate(n, false);
      } catch {
        return false; // the shared memory (1 GiB at most) cannot hold it: one thread does
      }
      input.array.set(job.x);
      if (gradient) gradient.array.set(job.dy!);
      const slice = Math.ceil(Math.ceil(n / 4) / (pool.size + 1)) * 4;
      const jobs: Promise<void>[] = [];
      for (let part = 0, start = 0; start < n; part++, start += slice) {
        const count = Math.ceil(Math.min(slice, n - start) / 4) * 4; // allocations are whole vectors
        const at = (a: WasmArray) => a.byteOffset + start * 4;
        const args =
          gradient === undefined
            ? [at(input), at(output), count]
            : [at(input), at(gradient), at(output), count];
        if (part < pool.size)
          jobs.push(pool.run(part, sharedKernel.id, sharedKernel.module!, args));
        else sharedKernel.fn(...args);
      }
      const results = await Promise.allSettled(jobs);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        this.#stopThreads();
        throw failed.reason instanceof WorkerFailedError
          ? failed.reason
          : new WorkerFailedError(
              'wasm',
              `a worker thread failed (${String(failed.reason)}); threads are off from now on, so call again to run on one thread.`,
            );
      }
      job.out.set(output.array.subarray(0, n));
      return true;
    } finally {
      input?.free();
      gradient?.free();
      output?.free();
    }
  }

  /** The worker pool once started (tests make a worker die through it). */
  get pool(): Promise<ThreadPool> | undefined {
    return this.#pool;
  }

  #stopThreads(): void {
    this.#shared = undefined;
    const pool = this.#pool;
    this.#pool = undefined;
    void pool?.then((p) => p.terminate()).catch(() => {});
  }

  /** Returns wasm memory that nothing uses (see WasmBackend.trim); the bytes given back. */
  trim(): number {
    this.compiler.releaseProbe();
    return this.heap.trim();
  }

  dispose(): void {
    this.compiler.releaseProbe();
    this.#stopThreads();
  }
}
