import { describe, expect, it, vi } from 'vitest';
import { defineActivation, defineVectorActivation } from './activation.js';
import { isShared, overlap } from './checks.js';
import {
  BackendUnavailableError,
  BadInputError,
  DeviceLostError,
  InternalError,
  OutOfMemoryError,
} from './errors.js';
import { compileScalar } from './evaluate.js';
import { BackendFacade, SyncBackendFacade } from './facade.js';
import { interval } from './interval.js';
import type { Job, OpRequest, SyncBackendProvider } from './provider.js';
import { softmaxRows } from './vector.js';

type Kernel = (v: number) => number;

/** A provider that computes with the float64 closures and records what it was given. */
class FakeProvider implements SyncBackendProvider<Kernel> {
  readonly name = 'fake';
  readonly float64 = false;
  readonly sharedMemory = false;
  compiles = 0;
  released = 0;
  lostReason: string | undefined;
  failNextRun: Error | undefined;
  delay = 0;
  readonly jobs: Job[] = [];

  compileSync(request: OpRequest): Kernel {
    this.compiles++;
    return request.kind === 'rows' ? () => Number.NaN : compileScalar(request.expression);
  }
  async compile(request: OpRequest): Promise<Kernel> {
    if (this.delay) await new Promise((resolve) => setTimeout(resolve, this.delay));
    return this.compileSync(request);
  }
  runSync(kernel: Kernel, request: OpRequest, job: Job): void {
    this.jobs.push(job);
    for (const a of [job.x, job.dy]) {
      if (a === undefined) continue;
      expect(isShared(a)).toBe(false);
      const o = overlap(a, job.out);
      expect(o === 'partial' || (request.kind === 'rows' && o === 'exact')).toBe(false);
    }
    if (this.failNextRun) {
      const error = this.failNextRun;
      this.failNextRun = undefined;
      throw error;
    }
    if (request.kind === 'rows') {
      softmaxRows(request.softmax, job.x, job.rowLength!, job.out);
      return;
    }
    for (let i = 0; i < job.length; i++)
      job.out[i] = (request.kind === 'backward' ? job.dy![i]! : 1) * kernel(job.x[i]!);
  }
  run(kernel: Kernel, request: OpRequest, job: Job): void {
    this.runSync(kernel, request, job);
  }
  lost(): string | undefined {
    return this.lostReason;
  }
  release(): void {
    this.released++;
  }
  dispose(): void {}
}

const square = defineActivation({ id: 'square', forward: 'x * x' }).create();
const softmax = defineVectorActivation({
  id: 'fake-softmax',
  softmax: { scale: 1, log: false },
  output: interval(0, 1),
  derivativeRange: interval(-1, 1),
  properties: {
    monotonic: false,
    continuity: 'smooth',
    zeroCentered: false,
    saturates: 'both',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
}).create({ rowLength: 2 });

describe('backend façade', () => {
  it('compiles once for 300 concurrent first calls', async () => {
    const provider = new FakeProvider();
    provider.delay = 20;
    const backend = new BackendFacade(provider);
    const fresh = defineActivation({ id: 'fresh', forward: 'x + 1' }).create();
    const results = await Promise.all(
      Array.from({ length: 300 }, () => backend.forward(fresh, Float32Array.of(1, 2))),
    );
    expect(provider.compiles).toBe(1);
    expect(backend.kernelStats).toMatchObject({ cached: 1, compiled: 1 });
    for (const y of results) expect([...y]).toEqual([2, 3]);
  });

  it('keeps at most kernelCacheSize kernels, least recently used out first', () => {
    const provider = new FakeProvider();
    const backend = new SyncBackendFacade(provider, { kernelCacheSize: 3 });
    const acts = [1, 2, 3, 4, 5].map((k) =>
      defineActivation({ id: `k${k}`, forward: `x * ${k}` }).create(),
    );
    for (const act of acts) backend.forwardSync(act, Float32Array.of(1));
    backend.forwardSync(acts[2]!, Float32Array.of(1)); // used again: stays
    backend.forwardSync(acts[0]!, Float32Array.of(1)); // let go of before: compiled again
    expect(backend.kernelStats).toEqual({ cached: 3, compiled: 6, evicted: 3, capacity: 3 });
    expect(provider.released).toBe(3);
  });

  it('hands the provider ordinary, non-overlapping arrays: shared memory copied, a partly overlapping out computed aside', () => {
    const provider = new FakeProvider();
    const backend = new SyncBackendFacade(provider);
    const shared = new Float32Array(new SharedArrayBuffer(16));
    shared.set([1, 2, 3, 4]);
    expect([...backend.forwardSync(square, shared)]).toEqual([1, 4, 9, 16]);
    const buffer = Float32Array.of(1, 2, 3, 4, 0);
    expect([...backend.forwardSync(square, buffer.subarray(0, 4), buffer.subarray(1, 5))]).toEqual([
      1, 4, 9, 16,
    ]);
    const inPlace = Float32Array.of(1, 2);
    expect(backend.forwardSync(square, inPlace, inPlace)).toBe(inPlace);
    expect(provider.jobs.at(-1)!.out).toBe(inPlace); // exact aliasing reaches the provider: kernels run in place
    const rows = Float32Array.of(0, 0, 1, 1);
    expect([...backend.forwardSync(softmax, rows, rows)]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('turns provider failures into typed errors: internal ones with their cause, device loss, typed ones as they are', async () => {
    const provider = new FakeProvider();
    const backend = new BackendFacade(provider);
    const out = new Float32Array(2).fill(7);
    provider.failNextRun = new TypeError('boom');
    const error = await backend.forward(square, Float32Array.of(1, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).message).toMatch(
      /failed unexpectedly while running forward of 'square': boom\. This is a bug/,
    );
    expect((error as InternalError).cause).toBeInstanceOf(TypeError);
    provider.failNextRun = new OutOfMemoryError('fake', 'no room');
    await expect(backend.forward(square, Float32Array.of(1, 2))).rejects.toBeInstanceOf(
      OutOfMemoryError,
    );
    await expect(
      backend.forward(square, Float32Array.of(1, 2), new Float32Array(3)),
    ).rejects.toBeInstanceOf(BadInputError);
    expect([...out]).toEqual([7, 7]);
    provider.lostReason = 'the GPU went away';
    expect(backend.state).toBe('lost');
    await expect(backend.forward(square, Float32Array.of(1))).rejects.toBeInstanceOf(
      DeviceLostError,
    );
    await expect(backend.forward(square, Float32Array.of(1))).rejects.toThrow(
      /Ask the registry for a backend again/,
    );
  });

  it('refuses calls after dispose, including those waiting for a compile', async () => {
    const provider = new FakeProvider();
    provider.delay = 20;
    const backend = new BackendFacade(provider);
    const dispose = vi.spyOn(provider, 'dispose');
    const pending = backend.forward(
      defineActivation({ id: 'late', forward: 'x - 1' }).create(),
      Float32Array.of(1),
    );
    backend.dispose();
    await expect(pending).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(backend.forward(square, Float32Array.of(1))).rejects.toThrow(/disposed/);
    expect(backend.state).toBe('disposed');
    backend.dispose();
    expect(dispose).toHaveBeenCalledTimes(1);
  });
});

describe('reference intervals', () => {
  /** Computes everything as 7 (wrong on purpose), except where the façade takes the reference. */
  class Rough extends FakeProvider {
    override runSync(_kernel: Kernel, request: OpRequest, job: Job): void {
      if (request.kind === 'rows') super.runSync(_kernel, request, job);
      else for (let i = 0; i < job.length; i++) job.out[i] = 7;
    }
    referenceIntervals(): ReadonlyArray<readonly [number, number]> {
      return [[0.5, 1.5]];
    }
  }
  class Backend extends SyncBackendFacade<Kernel> {
    constructor() {
      super(new Rough());
    }
  }

  it('recomputes the results inside them with the float64 reference, in place and backward too', async () => {
    const b = new Backend();
    const x = Float32Array.of(0, 0.5, 1, 1.5, 2);
    expect(Array.from(b.forwardSync(square, x))).toEqual([7, 0.25, 1, 2.25, 7]);
    expect(Array.from(await b.forward(square, x))).toEqual([7, 0.25, 1, 2.25, 7]);
    const dy = Float32Array.of(1, 2, 3, 4, 5);
    // square′ = 2x: dy·2x inside
    expect(Array.from(b.backwardSync(square, x, dy))).toEqual([7, 2, 6, 12, 7]);
    // in place: the inputs are read before the kernel overwrites them
    const y = Float32Array.of(1, 3, 1.25);
    b.forwardSync(square, y, y);
    expect(Array.from(y)).toEqual([1, 7, 1.5625]);
    const d = Float32Array.of(5, 6, 7);
    b.backwardSync(square, Float32Array.of(1, 3, 0.75), d, d);
    expect(Array.from(d)).toEqual([10, 7, 10.5]);
  });
});
