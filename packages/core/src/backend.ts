/** The Backend contract every backend package implements, and the input checks they share. */
import type { Activation, ElementwiseActivation, LossActivation } from './activation.js';
import { BadInputError, UnsupportedOperationError } from './errors.js';
import type { Targets } from './vector.js';

/** The float arrays backends take and return. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A backend runs activations over typed arrays. Every method validates its input and never
 * mutates `x` or `dy`; `out` (same type and length as `x`, may be `x` itself) receives the result.
 */
export interface Backend {
  /** e.g. 'cpu-js', 'wasm', 'webgpu'. */
  readonly name: string;
  /** Whether Float64Array input is computed in float64 (otherwise it is rejected with BadInputError). */
  readonly supportsFloat64: boolean;
  /** f(x) elementwise, or the softmax family over rows. */
  forward<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T>;
  /** f'(x) elementwise (vector activations: use `backward`). */
  derivative<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T>;
  /** dy · f'(x) fused (vector activations: the vector-Jacobian product). */
  backward<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): Promise<T>;
  /** Σ dy · ∂f/∂p: the gradient with respect to a (learnable) parameter p. */
  paramGradient(act: ElementwiseActivation, name: string, x: FloatArray, dy: FloatArray): Promise<number>;
  /** Mean softmax cross-entropy over rows. */
  loss(act: LossActivation, logits: FloatArray, targets: Targets): Promise<number>;
  /** Its gradient with respect to the logits: (softmax - t) / rows. */
  lossGradient<T extends FloatArray>(act: LossActivation, logits: T, targets: Targets, out?: T): Promise<T>;
  /** Frees compiled kernels and buffers; the backend is unusable afterwards. */
  dispose(): void;
}

/** A backend that can also run synchronously (cpu-js, wasm). */
export interface SyncBackend extends Backend {
  forwardSync<T extends FloatArray>(act: Activation, x: T, out?: T): T;
  derivativeSync<T extends FloatArray>(act: Activation, x: T, out?: T): T;
  backwardSync<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): T;
  paramGradientSync(act: ElementwiseActivation, name: string, x: FloatArray, dy: FloatArray): number;
  lossSync(act: LossActivation, logits: FloatArray, targets: Targets): number;
  lossGradientSync<T extends FloatArray>(act: LossActivation, logits: T, targets: Targets, out?: T): T;
}

/** What a backend package exports for the registry. */
export interface BackendPlugin {
  readonly name: string;
  /** Higher is preferred by 'auto' (cpu-js 0, wasm 10, webgpu 20). */
  readonly priority: number;
  /** Cheap check: can this environment run it at all? A string is the reason it cannot. */
  isSupported(): true | string | Promise<true | string>;
  /** Initialises the backend (may be slow: compiling, acquiring a device). */
  create(): Backend | Promise<Backend>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}

/**
 * Checks that `x` is a Float32Array or Float64Array (and, without float64 support, a Float32Array).
 *
 * @example checkInput('cpu-js', x, true)
 */
export function checkInput(backend: string, x: unknown, float64: boolean, name = 'x'): asserts x is FloatArray {
  if (x instanceof Float32Array) return;
  if (x instanceof Float64Array) {
    if (float64) return;
    throw new BadInputError(
      `Backend '${backend}' computes in float32; convert ${name} with Float32Array.from(${name}) or use a backend with Float64Array support (cpu-js).`,
    );
  }
  throw new BadInputError(
    `${name} must be a Float32Array or Float64Array, got ${describe(x)}; convert it with Float32Array.from(${name}).`,
  );
}

/** Checks an optional `out` (same type and length as x) and returns the array to write into. */
export function outputFor<T extends FloatArray>(x: T, out: T | undefined, name = 'out'): T {
  if (out === undefined) return new (x.constructor as new (n: number) => T)(x.length);
  if (out.constructor !== x.constructor || out.length !== x.length) {
    throw new BadInputError(
      `${name} must be a ${x.constructor.name} of length ${x.length} like the input, got ${describe(out)} of length ${(out as FloatArray).length}.`,
    );
  }
  return out;
}

/** Checks that dy has the same length as x. */
export function checkGradient(backend: string, x: FloatArray, dy: unknown, float64: boolean): asserts dy is FloatArray {
  checkInput(backend, dy, float64, 'dy');
  if (dy.length !== x.length) {
    throw new BadInputError(`dy must have the same length as x (${x.length}), got ${dy.length}.`);
  }
}

/** Throws unless the activation is elementwise (for derivative and paramGradient). */
export function requireElementwise(act: Activation, operation: string): asserts act is ElementwiseActivation {
  if (act.kind === 'elementwise') return;
  const advice =
    act.kind === 'vector'
      ? `'${act.id}' acts on whole rows; use backward(act, x, dy) for its vector-Jacobian product`
      : `'${act.id}' is a loss; use loss(act, logits, targets) and lossGradient(act, logits, targets)`;
  throw new UnsupportedOperationError(`${operation} is for elementwise activations: ${advice}.`);
}

/** Throws unless the activation is a loss. */
export function requireLoss(act: Activation, operation: string): asserts act is LossActivation {
  if (act.kind === 'loss') return;
  throw new UnsupportedOperationError(
    `${operation} is for losses such as 'softmax-cross-entropy'; '${act.id}' is ${act.kind}: use forward/backward.`,
  );
}

/** Throws for a loss passed to forward/backward. */
export function rejectLoss(act: Activation, operation: string): void {
  if (act.kind === 'loss') {
    throw new UnsupportedOperationError(
      `${operation} does not take a loss; use loss(act, logits, targets) and lossGradient(act, logits, targets) for '${act.id}'.`,
    );
  }
}
