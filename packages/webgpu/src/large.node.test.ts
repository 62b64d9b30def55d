import { createRegistry, type ElementwiseActivation } from '@activations/core';
import { zoo } from '@activations/zoo';
import { expect, it } from 'vitest';
import { unavailable } from './availability.test-util.js';
import { WebGPUBackend } from './backend.js';

// Node only (a 64 MiB array is heavy for a browser tab): more elements than 65,535 workgroups of
// 256 threads cover in one dispatch, so the grid-stride loop does real work
it.skipIf(unavailable)(
  'handles 16.8 million floats: beyond 65,535 workgroups × 256 threads',
  async () => {
    const backend = await WebGPUBackend.create({ allowSoftware: true });
    try {
      const n = 65_535 * 256 + 4099;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = ((i % 2001) - 1000) / 100;
      const sigmoid = createRegistry({ activations: zoo }).activation(
        'sigmoid',
      ) as ElementwiseActivation;
      const y = await backend.forward(sigmoid, x);
      for (let i = 0; i < n; i += 997)
        expect(Math.abs(y[i]! - sigmoid.forward(x[i]!))).toBeLessThan(1e-6);
      for (let i = n - 5000; i < n; i++)
        expect(Math.abs(y[i]! - sigmoid.forward(x[i]!))).toBeLessThan(1e-6);
    } finally {
      backend.dispose();
    }
  },
);
