/**
 * The backend's WebAssembly memory: cache-sized scratch blocks for copying typed arrays through,
 * and a first-fit allocator for arrays that live in wasm memory (zero copy).
 */
import { BadInputError, OutOfMemoryError } from '@activations/core';
import { type MemoryImport, SHARED_MAXIMUM_PAGES } from './binary.js';

/** Elements per copy block: 4,096 float32 (16 KB) keeps input and dy (output in place) in L1. */
export const BLOCK = 4096;
const PAGE = 65536;
const ZERO_BLOCK = new Uint8Array(65536);
/** Scratch blocks for x (also the output: kernels run in place) and dy sit below this offset. */
const HEAP_START = 2 * BLOCK * 4;

/** Offsets of the scratch blocks. */
export const SCRATCH = { x: 0, dy: BLOCK * 4 } as const;

/**
 * A Float32 array living in the backend's wasm memory: backends read and write it without
 * copying. `array` is a view that is re-created whenever memory has grown (growing detaches the
 * old buffer), so take it again after any call into the backend rather than keeping it.
 *
 * @example
 * const a = backend.allocate(1024); a.array.set(data); await backend.forward(act, a, a); a.free();
 */
export class WasmArray {
  readonly length: number;
  readonly byteOffset: number;
  readonly #heap: WasmHeap;
  #view: Float32Array | undefined;
  #freed = false;

  constructor(heap: WasmHeap, byteOffset: number, length: number) {
    this.#heap = heap;
    this.byteOffset = byteOffset;
    this.length = length;
  }

  /** A Float32Array view of the data, valid until the next call that may grow memory. */
  get array(): Float32Array {
    this.#check();
    const buffer = this.#heap.memory.buffer;
    if (this.#view?.buffer !== buffer)
      this.#view = new Float32Array(buffer, this.byteOffset, this.length);
    return this.#view;
  }

  /** Is this array from that heap and still allocated? */
  belongsTo(heap: WasmHeap): boolean {
    return heap === this.#heap && !this.#freed;
  }

  /** Returns the memory to the backend. Using the array afterwards throws. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#heap.release(this.byteOffset, this.length);
  }

  #check(): void {
    if (this.#freed)
      throw new BadInputError(
        'This WasmArray was freed; allocate a new one with backend.allocate(n).',
      );
  }
}

function padded(length: number): number {
  return Math.ceil(Math.max(length, 1) / 4) * 16; // whole f32x4 vectors
}

/** The memory and its allocator. */
export class WasmHeap {
  #memory: WebAssembly.Memory;
  /** Free blocks [offset, bytes], sorted by offset. */
  readonly #free: Array<[number, number]> = [];
  #top = HEAP_START;
  /** Bumped whenever `trim` replaces the memory: kernels instantiated on the old one are stale. */
  #generation = 0;
  readonly #shared: boolean;
  readonly #initialPages: number;
  /** Live arrays handed out (scratch and probe included). */
  #live = 0;

  /** How kernels must import this memory. */
  readonly import: MemoryImport;

  /** `shared`: a SharedArrayBuffer-backed memory that worker threads can run kernels on. */
  constructor(shared = false, initialPages = 2) {
    this.#shared = shared;
    this.#initialPages = initialPages;
    this.import = shared ? { shared: true, maximum: SHARED_MAXIMUM_PAGES } : { shared: false };
    this.#memory = this.#create();
  }

  #create(): WebAssembly.Memory {
    return this.#shared
      ? new WebAssembly.Memory({
          initial: this.#initialPages,
          maximum: SHARED_MAXIMUM_PAGES,
          shared: true,
        })
      : new WebAssembly.Memory({ initial: this.#initialPages, maximum: 65536 });
  }

  /** The current memory (a new one after `trim`). */
  get memory(): WebAssembly.Memory {
    return this.#memory;
  }

  /** Which memory kernels must be instantiated on (see `trim`). */
  get generation(): number {
    return this.#generation;
  }

  /** Bytes the memory holds now. */
  get bytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /**
   * Gives the memory back when nothing is allocated in it: WebAssembly memory cannot shrink, so
   * it is replaced by a new, small one (kernels are instantiated again on it as they run).
   * Returns the bytes given back (0 while arrays are live).
   */
  trim(): number {
    if (this.#live > 0) return 0;
    const before = this.bytes;
    if (before <= this.#initialPages * PAGE) return 0;
    this.#memory = this.#create();
    this.#free.length = 0;
    this.#top = HEAP_START;
    this.#generation++;
    return before - this.bytes;
  }

  /**
   * A new array of `length` float32 values, zeroed unless `zeroed` is false (scratch that will be
   * overwritten whole).
   */
  allocate(length: number, zeroed = true): WasmArray {
    if (!Number.isInteger(length) || length < 0) {
      throw new BadInputError(`allocate(n) needs a whole number of elements, got ${length}.`);
    }
    const bytes = padded(length);
    let offset = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const [start, size] = this.#free[i]!;
      if (size >= bytes) {
        offset = start;
        if (size === bytes) this.#free.splice(i, 1);
        else this.#free[i] = [start + bytes, size - bytes];
        break;
      }
    }
    if (offset < 0) {
      // grow first: a failed grow must leave the allocator as it was
      this.#ensure(this.#top + bytes, length);
      offset = this.#top;
      this.#top += bytes;
    }
    if (zeroed) this.#zero(offset, bytes);
    this.#live++;
    return new WasmArray(this, offset, length);
  }

  /** fill() on a SharedArrayBuffer view is ~18x slower in V8 than set() from a zero block. */
  #zero(offset: number, bytes: number): void {
    if (!this.import.shared) {
      new Uint8Array(this.#memory.buffer, offset, bytes).fill(0);
      return;
    }
    const target = new Uint8Array(this.#memory.buffer, offset, bytes);
    for (let at = 0; at < bytes; at += ZERO_BLOCK.length)
      target.set(ZERO_BLOCK.subarray(0, Math.min(ZERO_BLOCK.length, bytes - at)), at);
  }

  /** Gives a block back, merging it with free neighbours. */
  release(offset: number, length: number): void {
    this.#live--;
    const bytes = padded(length);
    let i = this.#free.findIndex(([start]) => start > offset);
    if (i < 0) i = this.#free.length;
    this.#free.splice(i, 0, [offset, bytes]);
    const merged: Array<[number, number]> = [];
    for (const block of this.#free) {
      const last = merged.at(-1);
      if (last && last[0] + last[1] === block[0]) last[1] += block[1];
      else merged.push([...block]);
    }
    const tail = merged.at(-1);
    if (tail && tail[0] + tail[1] === this.#top) {
      this.#top = tail[0];
      merged.pop();
    }
    this.#free.splice(0, this.#free.length, ...merged);
  }

  #ensure(bytes: number, length: number): void {
    const needed = Math.ceil(bytes / PAGE) - this.#memory.buffer.byteLength / PAGE;
    if (needed <= 0) return;
    const maximum = this.#shared ? SHARED_MAXIMUM_PAGES * PAGE : 65536 * PAGE;
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    if (bytes > maximum) {
      throw new OutOfMemoryError(
        'wasm',
        `${length} floats would take wasm memory to ${mib(bytes)}, past its ${mib(maximum)} limit; process the array in smaller pieces (or free WasmArrays).`,
      );
    }
    try {
      this.#memory.grow(needed);
    } catch (cause) {
      throw new OutOfMemoryError(
        'wasm',
        `the engine refused to grow wasm memory to ${mib(bytes)} for ${length} floats; process the array in smaller pieces (or free WasmArrays).`,
        { cause },
      );
    }
  }

  #views: { buffer: ArrayBufferLike; x: Float32Array; dy: Float32Array } | undefined;

  /** A Float32Array over a scratch block (made again only when memory has grown or been replaced). */
  scratch(which: keyof typeof SCRATCH): Float32Array {
    const buffer = this.#memory.buffer;
    if (this.#views?.buffer !== buffer) {
      this.#views = {
        buffer,
        x: new Float32Array(buffer, SCRATCH.x, BLOCK),
        dy: new Float32Array(buffer, SCRATCH.dy, BLOCK),
      };
    }
    return this.#views[which];
  }
}
