/**
 * Compiled kernels by request key: bounded (least recently used out first) and with one compile
 * per key however many calls wait for it — 300 concurrent first calls of a new activation share
 * one compile instead of starting 300.
 */

/** Kernels a backend keeps by default (each backend's README says what one costs). */
export const KERNEL_CACHE_SIZE = 256;

interface Entry<K> {
  kernel?: K;
  pending?: Promise<K>;
  used: number;
}

/** What a kernel cache holds and has done. */
export interface KernelStats {
  /** Compiled kernels held now. */
  readonly cached: number;
  /** Compiles started so far (one per key, unless a kernel was let go of and needed again). */
  readonly compiled: number;
  /** Kernels let go of because the cache was full. */
  readonly evicted: number;
  /** Largest number of kernels held. */
  readonly capacity: number;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A bounded, de-duplicating map from request keys to compiled kernels. */
export class KernelCache<K> {
  readonly capacity: number;
  readonly #entries = new Map<string, Entry<K>>();
  readonly #release: ((kernel: K) => void) | undefined;
  #tick = 0;
  #compiled = 0;
  #evicted = 0;

  constructor(capacity = KERNEL_CACHE_SIZE, release?: (kernel: K) => void) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#release = release;
  }

  /** The compiled kernel for `key`, if there is one (and marks it used). */
  get(key: string): K | undefined {
    const entry = this.#entries.get(key);
    if (entry?.kernel === undefined) return undefined;
    entry.used = ++this.#tick;
    return entry.kernel;
  }

  /** The kernel for `key`: cached, being compiled (the same promise for every caller), or compiled now. */
  acquire(key: string, compile: () => K | Promise<K>): K | Promise<K> {
    const existing = this.#entries.get(key);
    if (existing?.kernel !== undefined) {
      existing.used = ++this.#tick;
      return existing.kernel;
    }
    if (existing?.pending) return existing.pending;
    const entry: Entry<K> = { used: ++this.#tick };
    this.#entries.set(key, entry);
    this.#compiled++;
    let result: K | Promise<K>;
    try {
      result = compile();
    } catch (error) {
      this.#entries.delete(key);
      throw error;
    }
    if (!isPromise(result)) return this.#settle(key, entry, result);
    entry.pending = result.then(
      (kernel) => this.#settle(key, entry, kernel),
      (error: unknown) => {
        if (this.#entries.get(key) === entry && entry.kernel === undefined)
          this.#entries.delete(key);
        throw error;
      },
    );
    return entry.pending;
  }

  /** The kernel for `key`, compiled synchronously now unless cached (a pending compile is not waited for). */
  acquireSync(key: string, compile: () => K): K {
    const entry = this.#entries.get(key);
    if (entry?.kernel !== undefined) {
      entry.used = ++this.#tick;
      return entry.kernel;
    }
    this.#compiled++;
    const kernel = compile();
    if (entry) return this.#settle(key, entry, kernel);
    const fresh: Entry<K> = { used: ++this.#tick };
    this.#entries.set(key, fresh);
    return this.#settle(key, fresh, kernel);
  }

  #settle(key: string, entry: Entry<K>, kernel: K): K {
    delete entry.pending;
    if (this.#entries.get(key) !== entry) return kernel; // cleared meanwhile
    entry.kernel ??= kernel;
    this.#trim(key);
    return entry.kernel;
  }

  /** Lets the least recently used kernels go until the cache fits (never `keep`, never a pending one). */
  #trim(keep: string): void {
    while (this.#entries.size > this.capacity) {
      let oldest: string | undefined;
      let used = Number.POSITIVE_INFINITY;
      for (const [key, entry] of this.#entries) {
        if (key !== keep && entry.kernel !== undefined && entry.used < used)
          [oldest, used] = [key, entry.used];
      }
      if (oldest === undefined) return;
      const kernel = this.#entries.get(oldest)!.kernel!;
      this.#entries.delete(oldest);
      this.#evicted++;
      this.#release?.(kernel);
    }
  }

  get stats(): KernelStats {
    return {
      cached: this.size,
      compiled: this.#compiled,
      evicted: this.#evicted,
      capacity: this.capacity,
    };
  }

  /** Compiled kernels held. */
  get size(): number {
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.kernel !== undefined) n++;
    return n;
  }

  /** Lets every kernel go. */
  clear(): void {
    const kernels = [...this.#entries.values()].flatMap((e) =>
      e.kernel === undefined ? [] : [e.kernel],
    );
    this.#entries.clear();
    for (const kernel of kernels) this.#release?.(kernel);
  }
}
