/**
 * Hand-written plain-JS loops: what a developer writes without this library. They are the
 * baseline every backend is compared with. GELU uses the same float64 erfc as the library (a
 * plain loop needs some erf, and a cruder one would compute a different function).
 */
import { erfc64 } from '@activations/core';

/** out[i] = f(x[i]) written directly. */
export type PlainLoop = (x: Float32Array, out: Float32Array) => void;

export const plainLoops: Readonly<Record<string, PlainLoop>> = {
  relu(x, out) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      // biome-ignore lint/complexity/useMathMinMax: the loop people write (and faster than Math.max in V8)
      out[i] = v > 0 ? v : 0;
    }
  },
  sigmoid(x, out) {
    for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
  },
  tanh(x, out) {
    for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]!);
  },
  gelu(x, out) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = 0.5 * v * erfc64(-v * Math.SQRT1_2);
    }
  },
  silu(x, out) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v / (1 + Math.exp(-v));
    }
  },
  elu(x, out) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : Math.expm1(v);
    }
  },
  softplus(x, out) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
  },
  mish(x, out) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v * Math.tanh(Math.log1p(Math.exp(v)));
    }
  },
};
