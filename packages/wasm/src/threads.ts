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
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #next = 1;

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
    const isNode =
      typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
        ?.node === 'string';
    for (let i = 0; i < count; i++) {
      if (isNode) {
        const { Worker } = await import('node:worker_threads');
        const worker = new Worker(WORKER_SOURCE, { eval: true });
        worker.unref(); // never keep the process alive
        worker.on('message', onReply);
        ports.push({
          post: (m) => worker.postMessage(m),
          terminate: () => void worker.terminate(),
        });
      } else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const worker = new Worker(url);
        worker.onmessage = (event: MessageEvent) => onReply(event.data);
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
    if (data.error) pending.reject(new Error(`worker kernel failed: ${data.error}`));
    else pending.resolve();
  }

  /** Runs kernel `kernelId` (from `module`) with `args` on worker `index`. */
  run(
    index: number,
    kernelId: number,
    module: WebAssembly.Module,
    args: readonly number[],
  ): Promise<void> {
    const port = this.#ports[index]!;
    if (!this.#loaded[index]!.has(kernelId)) {
      port.post({ type: 'load', kernel: kernelId, module });
      this.#loaded[index]!.add(kernelId);
    }
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      port.post({ type: 'run', id, kernel: kernelId, args });
    });
  }

  terminate(): void {
    for (const port of this.#ports) port.terminate();
    for (const pending of this.#pending.values())
      pending.reject(new Error('the thread pool was terminated'));
    this.#pending.clear();
  }
}
