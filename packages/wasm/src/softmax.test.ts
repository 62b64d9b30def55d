import { firstFloat32Mismatch } from '@activations/core/testing';
import { logSoftmax, softmax, softmin } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { WasmBackend } from './backend.js';

const inf = Number.POSITIVE_INFINITY;

describe('softmax family on the SIMD row kernel', () => {
  const backend = new WasmBackend();

  it.each([1, 3, 4, 5, 9, 1000])(
    'rows of %i (tails masked, rows not aligned to vectors)',
    (length) => {
      const rows = 7;
      const x = Float32Array.from({ length: rows * length }, (_, i) => Math.sin(i * 1.7) * 40);
      for (const definition of [softmax, logSoftmax, softmin]) {
        const act = definition.create({ rowLength: length });
        const reference = act.forward(x);
        const y = backend.forwardSync(act, x);
        expect(
          firstFloat32Mismatch(y, (i) => reference[i]!, 4),
          `${act.key}`,
        ).toBeUndefined();
      }
    },
  );

  it('treats the whole array as one row with rowLength 0', () => {
    const x = Float32Array.from({ length: 10_001 }, (_, i) => (i % 97) / 7);
    const y = backend.forwardSync(softmax.create(), x);
    expect(y.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('follows the reference on rows holding ±∞ or NaN', () => {
    const x = Float32Array.of(
      inf,
      1,
      inf,
      0,
      -inf,
      -inf,
      -inf,
      -inf,
      Number.NaN,
      1,
      2,
      3,
      1,
      2,
      3,
      4,
    );
    const act = softmax.create({ rowLength: 4 });
    const reference = act.forward(x);
    const y = backend.forwardSync(act, x);
    expect([...y.slice(0, 4)]).toEqual([0.5, 0, 0.5, 0]);
    expect([...y.slice(4, 8)]).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect([...y.slice(8, 12)].every(Number.isNaN)).toBe(true);
    expect(firstFloat32Mismatch(y.subarray(12), (i) => reference[12 + i]!, 4)).toBeUndefined();
    const logs = backend.forwardSync(
      logSoftmax.create({ rowLength: 2 }),
      Float32Array.of(0, -1000, 500, 0),
    );
    expect(logs[1]).toBeCloseTo(-1000, 3);
    expect(logs[3]).toBeCloseTo(-500, 3);
  });
});
