/**
 * Worker threads over a shared WebAssembly.Memory: each worker instantiates the same compiled
 * kernels and runs its slice of an array. Workers are created from source text (Node:
 * worker_threads with `eval`; browsers: a Blob URL, which needs cross-origin isolation for
 * SharedArrayBuffer), so there is no worker file to serve.
 */

const WORKER_SOURCE = `
const kernels = new Map();
let memory;
function handle(message, reply) {
  try {
    if (message.type === 'init') memory = message.memory;
    else if (message.type === 'load') {
      const imports = { env: { memory, sin: Math.sin, cos: Math.cos } };
      kernels.set(message.kernel, new WebAssembly.Instance(message.module, imports).exports.kernel);
    } else if (message.type === 'run') {
      kernels.get(message.kernel)(...message.args);
      reply({ id: message.id });
    }
  } catch (error) {
    if (message.type === 'run') reply({ id: message.id, error: String(error) });
  }
}
if (typeof require === 'function') {
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', (message) => handle(message, (m) => parentPort.postMessage(m)));
} else {
  self.onmessage = (event) => handle(event.data, (m) => self.postMessage(m));
}
`;

import { WorkerFailedError } from '@activations/core';

interface Port {
  post(message: unknown): void;
  terminate(): void;
}

/** Why worker threads cannot run here, or undefined when they can. */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== 'function')
    return 'SharedArrayBuffer is not available (browsers need cross-origin isolation)';
  const scope = globalThis as {
    crossOriginIsolated?: boolean;
    process?: { versions?: { node?: string } };
  };
  if (scope.crossOriginIsolated === false && !scope.process?.versions?.node)
    return 'the page is not cross-origin isolated';
  return undefined;
}

/** A fixed set of workers that run kernels on slices of a shared memory. */
export class ThreadPool {
  readonly size: number;
  readonly #ports: Port[];
  readonly #loaded: Array<Set<number>>;
  readonly #pending = new Map<
    number,
    { worker: number; resolve: () => void; reject: (error: Error) => void }
  >();
  #next = 1;
  #failure: string | undefined;

  /** False once a worker has died or failed: the pool takes no more work. */
  get healthy(): boolean {
    return this.#failure === undefined;
  }

  private constructor(ports: Port[]) {
    this.#ports = ports;
    this.size = ports.length;
    this.#loaded = ports.map(() => new Set());
  }

  /** Starts `count` workers on `memory` (which must be shared). */
  static async start(count: number, memory: WebAssembly.Memory): Promise<ThreadPool> {
    const reason = threadsUnavailable();
    if (reason) throw new Error(reason);
    const ports: Port[] = [];
    let pool: ThreadPool | undefined;
    const onReply = (data: { id: number; error?: string }) => {
      if (pool) pool.#settle(data);
    };
    const onFailure = (worker: number, problem: string) => {
      if (pool) pool.#fail(worker, problem);
    };
    const isNode =
      typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
        ?.node === 'string';
    for (let i = 0; i < count; i++) {
      if (isNode) {
        const { Worker } = await import('node:worker_threads');
        const worker = new Worker(WORKER_SOURCE, { eval: true });
        worker.unref(); // never keep the process alive
        worker.on('message', onReply);
        worker.on('error', (error: Error) => onFailure(i, `worker ${i} failed: ${error.message}`));
        worker.on('exit', (code: number) => onFailure(i, `worker ${i} exited (code ${code})`));
        ports.push({
          post: (m) => worker.postMessage(m),
          terminate: () => void worker.terminate(),
        });
      } else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const worker = new Worker(url);
        worker.onmessage = (event: MessageEvent) => onReply(event.data);
        worker.onerror = (event: ErrorEvent) =>
          onFailure(i, `worker ${i} failed: ${event.message}`);
        ports.push({ post: (m) => worker.postMessage(m), terminate: () => worker.terminate() });
      }
    }
    pool = new ThreadPool(ports);
    for (const port of ports) port.post({ type: 'init', memory });
    return pool;
  }

  #settle(data: { id: number; error?: string }): void {
    const pending = this.#pending.get(data.id);
    if (!pending) return;
    this.#pending.delete(data.id);
    if (data.error)
      pending.reject(new WorkerFailedError('wasm', `a worker's kernel failed: ${data.error}`));
    else pending.resolve();
  }

  /** A worker died or failed: every pending call rejects, and the pool takes no more work. */
  #fail(worker: number, problem: string): void {
    if (this.#failure !== undefined && this.#pending.size === 0) return;
    this.#failure ??= problem;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(
        new WorkerFailedError(
          'wasm',
          `${problem}${pending.worker === worker ? '' : ' (another worker)'}; threads are off from now on: call again to run on one thread.`,
        ),
      );
    }
  }

  /** For tests: ends a worker as if it had crashed. */
  crashForTesting(index: number): void {
    this.#ports[index]?.terminate();
  }

  /** Runs kernel `kernelId` (from `module`) with `args` on worker `index`. */
  run(
    index: number,
    kernelId: number,
    module: WebAssembly.Module,
    args: readonly number[],
  ): Promise<void> {
    if (this.#failure !== undefined) {
      return Promise.reject(
        new WorkerFailedError(
          'wasm',
          `${this.#failure}; threads are off: call again to run on one thread.`,
        ),
      );
    }
    const port = this.#ports[index]!;
    if (!this.#loaded[index]!.has(kernelId)) {
      port.post({ type: 'load', kernel: kernelId, module });
      this.#loaded[index]!.add(kernelId);
    }
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { worker: index, resolve, reject });
      port.post({ type: 'run', id, kernel: kernelId, args });
    });
  }

  terminate(): void {
    this.#failure ??= 'the thread pool was stopped';
    for (const pending of this.#pending.values())
      pending.reject(
        new WorkerFailedError('wasm', 'the thread pool was stopped while a kernel ran.'),
      );
    this.#pending.clear();
    for (const port of this.#ports) port.terminate();
  }
}
