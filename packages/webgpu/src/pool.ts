/// <reference types="@webgpu/types" />
/** Reusable GPU buffers, bucketed by usage and size, so repeated calls allocate nothing. */

/** Buffers kept per (usage, size) bucket; more are destroyed on release. */
const KEEP = 4;
const MiB16 = 16 * 1024 * 1024;

/** The size a request is served with: powers of two up to 16 MiB, then multiples of 16 MiB. */
export function bucketSize(bytes: number): number {
  if (bytes <= 256) return 256;
  if (bytes <= MiB16) return 2 ** Math.ceil(Math.log2(bytes));
  return Math.ceil(bytes / MiB16) * MiB16;
}

export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<string, GPUBuffer[]>();
  readonly #live = new Set<GPUBuffer>();

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** How many buffers for (bytes, usage) are free in the pool (acquiring that many creates nothing). */
  available(bytes: number, usage: number): number {
    return this.#free.get(`${usage}|${bucketSize(bytes)}`)?.length ?? 0;
  }

  /** Destroys a buffer of the pool instead of keeping it (after a failed allocation). */
  discard(buffer: GPUBuffer): void {
    if (!this.#live.delete(buffer)) return;
    buffer.destroy();
  }

  /** A buffer of at least `bytes` with exactly `usage`; give it back with `release`. */
  acquire(bytes: number, usage: number): GPUBuffer {
    const size = bucketSize(bytes);
    const reused = this.#free.get(`${usage}|${size}`)?.pop();
    if (reused) return reused;
    const buffer = this.#device.createBuffer({ size, usage, label: `activations pool ${size} B` });
    this.#live.add(buffer);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.#live.has(buffer)) return;
    const key = `${buffer.usage}|${buffer.size}`;
    const list = this.#free.get(key) ?? [];
    if (list.length >= KEEP) {
      this.#live.delete(buffer);
      buffer.destroy();
      return;
    }
    list.push(buffer);
    this.#free.set(key, list);
  }

  /** Bytes held by the pool (in use and free). */
  get bytes(): number {
    let total = 0;
    for (const b of this.#live) total += b.size;
    return total;
  }

  /** Destroys every buffer the pool created. */
  destroy(): void {
    for (const b of this.#live) b.destroy();
    this.#live.clear();
    this.#free.clear();
  }
}
