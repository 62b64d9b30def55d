import { describeBackendConformance, firstDifference } from '@activations/core/testing';
import { gelu, sigmoid, zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { WasmBackend } from './backend.js';

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
