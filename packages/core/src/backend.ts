/** The Backend contract users call, and the plugin contract the registry takes. */
import type { Activation, ElementwiseActivation, LossActivation } from './activation.js';
import type { KernelStats } from './kernel-cache.js';
import type { Targets } from './vector.js';

/** The float arrays backends take and return. */
export type FloatArray = Float32Array | Float64Array;

/** The operations a backend compiles kernels for, by name (for `prepare`). */
export type PreparedOp = 'forward' | 'derivative' | 'backward';

/**
 * Where a backend is in its life: 'ready'; 'lost' (its GPU device is gone: ask the registry for a
 * backend again); 'disposed' (`dispose()` was called).
 */
export type BackendState = 'ready' | 'lost' | 'disposed';

/**
 * A backend runs activations over typed arrays. Every method validates its arguments and throws
 * (or rejects with) a typed ActivationError, never mutates `x` or `dy`, and leaves `out` untouched
 * when it refuses. `out` (same type and length as `x`) receives the result; it may be `x` or `dy`
 * itself, and may even overlap them partially (the result is then computed aside and copied).
 * Arrays over a SharedArrayBuffer are accepted.
 */
export interface Backend {
  /** e.g. 'cpu-js', 'wasm', 'webgpu'. */
  readonly name: string;
  /** Whether Float64Array input is computed in float64 (otherwise it is rejected with BadInputError). */
  readonly supportsFloat64: boolean;
  /** 'ready', 'lost' or 'disposed' (see BackendState). */
  readonly state: BackendState;
  /** Compiled kernels held, compiles started and kernels let go of (the cache is bounded). */
  readonly kernelStats: KernelStats;
  /** f(x) elementwise, or the softmax family over rows. */
  forward<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T>;
  /** f'(x) elementwise (vector activations: use `backward`). */
  derivative<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T>;
  /** dy · f'(x) fused (vector activations: the vector-Jacobian product). */
  backward<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): Promise<T>;
  /** Σ dy · ∂f/∂p: the gradient with respect to a (learnable) parameter p. */
  paramGradient(
    act: ElementwiseActivation,
    name: string,
    x: FloatArray,
    dy: FloatArray,
  ): Promise<number>;
  /** Mean softmax cross-entropy over rows. */
  loss(act: LossActivation, logits: FloatArray, targets: Targets): Promise<number>;
  /** Its gradient with respect to the logits: (softmax - t) / rows. */
  lossGradient<T extends FloatArray>(
    act: LossActivation,
    logits: T,
    targets: Targets,
    out?: T,
  ): Promise<T>;
  /** Compiles the kernels an activation needs ahead of time, so later calls start at once. */
  prepare(act: Activation, ops?: readonly PreparedOp[]): Promise<void>;
  /** Frees compiled kernels and buffers; the backend is unusable afterwards. */
  dispose(): void;
}

/** A backend that can also run synchronously (cpu-js, wasm). */
export interface SyncBackend extends Backend {
  forwardSync<T extends FloatArray>(act: Activation, x: T, out?: T): T;
  derivativeSync<T extends FloatArray>(act: Activation, x: T, out?: T): T;
  backwardSync<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): T;
  paramGradientSync(
    act: ElementwiseActivation,
    name: string,
    x: FloatArray,
    dy: FloatArray,
  ): number;
  lossSync(act: LossActivation, logits: FloatArray, targets: Targets): number;
  lossGradientSync<T extends FloatArray>(
    act: LossActivation,
    logits: T,
    targets: Targets,
    out?: T,
  ): T;
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
