import { describeBackendConformance, firstDifference } from '@activations/core/testing';
import { gelu, sigmoid, zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { WorkerFailedError } from '@activations/core';
import { WasmBackend } from './backend.js';
import type { WasmProvider } from './provider.js';

describe('worker threads', () => {
  it('give the same results as one thread, for forward, derivative and backward', async () => {
    const threaded = new WasmBackend({ threads: 1, threadMinElements: 1024 });
    const single = new WasmBackend();
    expect(threaded.threads).toBe(1);
    const n = 100_003; // not a multiple of 4 or of the slice
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 12);
    const dy = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
    for (const act of [sigmoid.create(), gelu.create()]) {
      // firstDifference, not toEqual: generic equality over 100,003 floats took seconds each
      expect(
        firstDifference(await threaded.forward(act, x), single.forwardSync(act, x)),
      ).toBeUndefined();
      expect(
        firstDifference(await threaded.derivative(act, x), single.derivativeSync(act, x)),
      ).toBeUndefined();
      expect(
        firstDifference(await threaded.backward(act, x, dy), single.backwardSync(act, x, dy)),
      ).toBeUndefined();
    }
    threaded.dispose();
  });

  it('a dying worker rejects its call with WorkerFailedError, and the backend goes on with one thread', async () => {
    const backend = new WasmBackend({ threads: 1, threadMinElements: 1024 });
    const provider = (backend as unknown as { provider: WasmProvider }).provider;
    const act = sigmoid.create();
    const x = new Float32Array(2_000_000);
    for (let i = 0; i < x.length; i++) x[i] = (i % 97) / 6 - 8;
    const expected = new WasmBackend().forwardSync(act, x);
    expect(firstDifference(await backend.forward(act, x), expected)).toBeUndefined();
    const pool = await provider.pool!;
    const pending = backend.forward(act, x);
    pool.crashForTesting(0);
    const outcome = await pending.then(
      (y) => ({ y }),
      (error: unknown) => ({ error }),
    );
    // the worker has 1M elements to do when it dies (a loaded machine could still let it finish first)
    if ('error' in outcome) expect(outcome.error).toBeInstanceOf(WorkerFailedError);
    else expect(firstDifference(outcome.y, expected)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.healthy).toBe(false);
    await expect(
      pool.run(0, 1, new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), []),
    ).rejects.toBeInstanceOf(WorkerFailedError);
    expect(firstDifference(await backend.forward(act, x), expected)).toBeUndefined();
    expect(backend.threads).toBe(0);
    backend.dispose();
  });

  it('falls back to one thread when the shared memory cannot hold the arrays', async () => {
    const backend = new WasmBackend({ threads: 1, threadMinElements: 1024 });
    const n = 2 ** 27; // input and output: 1 GiB, the shared memory's limit
    const x = new Float32Array(n);
    for (let i = 0; i < n; i += 4096) x[i] = (i % 17) - 8;
    const y = await backend.forward(sigmoid.create(), x);
    expect(y[4096 * 5]).toBeCloseTo(1 / (1 + Math.exp(-(((4096 * 5) % 17) - 8))), 6);
    expect(y[1]).toBe(0.5);
    backend.dispose();
  });

  it('stay off by default and below the size threshold', async () => {
    expect(new WasmBackend().threads).toBe(0);
    const backend = new WasmBackend({ threads: 1 });
    const y = await backend.forward(sigmoid.create(), Float32Array.of(0));
    expect(y[0]).toBe(0.5);
    backend.dispose();
  });
});

describeBackendConformance({
  name: 'wasm with a worker thread',
  create: () => new WasmBackend({ threads: 1, threadMinElements: 4096 }),
  activations: zoo.filter((d) => ['sigmoid', 'gelu', 'relu', 'softmax', 'prelu'].includes(d.id)),
  ulps: 4,
});
