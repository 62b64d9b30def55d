import type { ElementwiseActivation } from '@activations/core';
import { ulpDistanceFloat32 } from '@activations/core/backend';
import { zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { sampleInput, throughput } from './measure.js';
import { plainLoops } from './plain-js.js';

describe('plain-JS baselines', () => {
  // the bench compares speeds, so each baseline must compute the same function as the zoo entry
  it.each(Object.keys(plainLoops))('%s computes the zoo function on [-8, 8]', (id) => {
    const act = zoo.find((d) => d.id === id)!.create() as ElementwiseActivation;
    const x = sampleInput(4096, 3);
    const out = new Float32Array(x.length);
    plainLoops[id]!(x, out);
    for (let i = 0; i < x.length; i++) {
      expect(ulpDistanceFloat32(out[i]!, act.forward(x[i]!)), `${id}(${x[i]})`).toBeLessThanOrEqual(
        4,
      );
    }
  });

  it('measures a positive throughput', () => {
    const x = sampleInput(1024);
    const out = new Float32Array(1024);
    expect(
      throughput(() => plainLoops.relu!(x, out), 1024, { rounds: 2, minMs: 2 }),
    ).toBeGreaterThan(0);
  });
});
