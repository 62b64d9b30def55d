/**
 * The registry (webgpu, wasm, cpu-js) and curves computed on the chosen backend, compared with the
 * float64 reference. A software WebGPU adapter is allowed here: in a page about numerics, a slow
 * but correct GPU is still worth choosing, and the picker says what it is.
 */
import { type Activation, type Backend, createRegistry, type Registry } from '@activations/core';
import { float32Error } from '@activations/core/backend';
import { cpuJs } from '@activations/cpu-js';
import { type Curve, referenceCurve } from '@activations/plots';
import { wasm } from '@activations/wasm';
import { webgpu } from '@activations/webgpu';
import { zoo } from '@activations/zoo';

export const registry: Registry = createRegistry({
  activations: zoo,
  backends: [webgpu({ allowSoftware: true }), wasm(), cpuJs()],
});

/** The backend for a picker value ('auto' or a name), with its name. */
export async function pick(choice: string): Promise<{ name: string; backend: Backend }> {
  const selected = await registry.selectBackend(choice === 'auto' ? 'auto' : [choice]);
  return { name: selected.name, backend: selected.backend };
}

export interface Computed {
  readonly curve: Curve;
  readonly backend: string;
  readonly ms: number;
  /** Largest |backend - float64 reference| over the curve (f and f′). */
  readonly maxAbs: number;
  /** Largest float32 ULP error over the curve. */
  readonly maxUlps: number;
  /** Set when the backend could not compute f for this kind (the loss value): f is the reference. */
  readonly note?: string;
}

/**
 * f and f′ at x (rounded to float32) on a backend. Vector activations run on rows [x, 0] and
 * the loss's gradient on logits [x, 0] with class 0, as the plots draw them.
 */
export async function computeCurve(
  act: Activation,
  x: Float64Array,
  choice: string,
): Promise<Computed> {
  const { name, backend } = await pick(choice);
  const x32 = Float32Array.from(x);
  const n = x32.length;
  const xs = Float64Array.from(x32);
  const reference = referenceCurve(act, xs);
  const t0 = performance.now();
  let f: Float64Array;
  let df: Float64Array;
  let note: string | undefined;
  if (act.kind === 'elementwise') {
    f = Float64Array.from(await backend.forward(act, x32));
    df = Float64Array.from(await backend.derivative(act, x32));
  } else {
    const rows = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) rows[2 * i] = x32[i]!;
    const firsts = (a: ArrayLike<number>) => Float64Array.from({ length: n }, (_, i) => a[2 * i]!);
    const rowAct = registry.activation(act.id, { ...act.params, rowLength: 2 });
    if (act.kind === 'vector') {
      if (rowAct.kind !== 'vector') throw new Error(`${act.id} is not a vector activation`);
      const dy = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) dy[2 * i] = 1;
      f = firsts(await backend.forward(rowAct, rows));
      df = firsts(await backend.backward(rowAct, rows, dy));
    } else {
      // the gradient of the mean over n rows, times n: each row's own gradient
      if (rowAct.kind !== 'loss') throw new Error(`${act.id} is not a loss`);
      df = firsts(await backend.lossGradient(rowAct, rows, new Int32Array(n))).map((v) => v * n);
      f = reference.f;
      note =
        'the loss value is the float64 reference (backends return the mean over rows); f′ is computed';
    }
  }
  const ms = performance.now() - t0;
  let maxAbs = 0;
  let maxUlps = 0;
  for (const [got, want] of [
    [f, reference.f],
    [df, reference.df],
  ] as const) {
    for (let i = 0; i < n; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(got[i]! - want[i]!));
      maxUlps = Math.max(maxUlps, float32Error(got[i]!, want[i]!));
    }
  }
  return {
    curve: { x: xs, f, df },
    backend: name,
    ms,
    maxAbs,
    maxUlps,
    ...(note ? { note } : {}),
  };
}
