/**
 * The conformance suite every backend runs: one import proves a backend against the float64
 * references of the activations it is given.
 */
import { describe, expect, it } from 'vitest';
import {
  type Activation,
  type ActivationDefinition,
  defineActivation,
  type ElementwiseActivation,
  type LossActivation,
  type VectorActivation,
} from '../activation.js';
import type { Backend, FloatArray } from '../backend.js';
import { BackendUnavailableError, BadInputError, UnsupportedOperationError } from '../errors.js';
import {
  accuracyInputs,
  FLUSH_FLOOR,
  flushForgives,
  float32Error,
  readsAsZero,
  ulpDistanceFloat64,
} from '../ulp.js';
import { opRange } from '../provider.js';
import { float32Sample, seedOf } from '../sample.js';
import { describeMisuse } from './misuse.js';

/** Options for `describeBackendConformance`. */
export interface ConformanceOptions {
  /** Label for the test names. */
  readonly name: string;
  /** Makes a fresh backend (called once per describe block). */
  readonly create: () => Backend | Promise<Backend>;
  /** The activations to check, usually the whole zoo. */
  readonly activations: readonly ActivationDefinition[];
  /** Largest float32 error allowed, in ULP, for normal-range results (cpu-js 2, wasm/webgpu 4). */
  readonly ulps: number;
  /** Largest float64 error in ULP when the backend supports Float64Array (default 4). */
  readonly float64Ulps?: number;
  /**
   * The device flushes subnormal floats to zero (most GPUs; WGSL allows it): a result whose truth
   * is subnormal (< FLUSH_FLOOR = 2^-126) may come back as 0 or any subnormal, and a subnormal
   * input may read as ±0. Normal results are held to the ULP bound however small.
   */
  readonly flushesSubnormals?: boolean;
  /**
   * Measured larger errors a backend admits for some activations, by `act.key` (or the id of the
   * user-defined 'quick-gelu'): the ULP bound used for them instead of `ulps`. Each should be
   * documented in the backend's README; the test names show the bound used.
   */
  readonly knownDeviations?: Readonly<Record<string, number>>;
}

/** Below it a truth may be flushed on flush-to-zero devices: 2^-126 (from core's ulp). */
export { FLUSH_FLOOR };

/** The float32 inputs: core's accuracyInputs() (dense over [-100, 100], denser over [-20, 20], extremes). */
export function conformanceInputs(): Float32Array {
  return accuracyInputs();
}

/** Deterministic pseudo-random upstream gradients in [-2, 2). */
function gradients(n: number, float64 = false): FloatArray {
  const dy = float64 ? new Float64Array(n) : new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    dy[i] = (s / 2 ** 32) * 4 - 2;
  }
  return dy;
}

/**
 * The first element where `got` is not within `ulps` float32 ULP of `reference`, or undefined.
 * A result `flushForgives` with `floor` also passes (flush-to-zero devices: FLUSH_FLOOR).
 */
export function firstFloat32Mismatch(
  got: ArrayLike<number>,
  reference: (i: number) => number,
  ulps: number,
  floor = 0,
  /** Accepts a result the comparison would not (a subnormal input read as ±0, say). */
  accept?: (i: number, value: number) => boolean,
): { index: number; got: number; expected: number; ulps: number } | undefined {
  for (let i = 0; i < got.length; i++) {
    const expected = reference(i);
    const value = got[i]!;
    if (flushForgives(value, expected, floor) || accept?.(i, value)) continue;
    const distance = float32Error(value, expected);
    if (distance > ulps) return { index: i, got: value, expected, ulps: distance };
  }
  return undefined;
}

/**
 * The first input of a sample where `got` is more than `ulps` from the float64 reference (beyond
 * `floor`), NaN or ±∞ where the reference is finite, or a zero of the other sign.
 */
export function firstSampleMismatch(
  got: ArrayLike<number>,
  xs: ArrayLike<number>,
  reference: (x: number) => number,
  ulps: number,
  floor = 0,
  /** Accepts a result the comparison would not (a subnormal input read as ±0, say). */
  accept?: (x: number, value: number) => boolean,
): { x: number; got: number; expected: number; why: string } | undefined {
  for (let i = 0; i < xs.length; i++) {
    const value = got[i]!;
    const expected = reference(xs[i]!);
    if (accept?.(xs[i]!, value)) continue;
    if (expected === 0 && value === 0) {
      if (Object.is(expected, -0) !== Object.is(value, -0))
        return { x: xs[i]!, got: value, expected, why: 'sign of zero' };
      continue;
    }
    if (flushForgives(value, expected, floor)) continue;
    const distance = float32Error(value, expected);
    if (distance > ulps) return { x: xs[i]!, got: value, expected, why: `${distance} ULP` };
  }
  return undefined;
}

/**
 * Is `value` what a device that flushes subnormals gives for the subnormal input `v` read as +0 or
 * -0 (WGSL allows both)? Then the truth `f` there counts, within `ulps` (and `floor`).
 */
function readAsZero(
  v: number,
  value: number,
  f: (z: number) => number,
  ulps: number,
  floor: number,
): boolean {
  if (!readsAsZero(v)) return false;
  return [0, -0].some((z) => firstSampleMismatch([value], [z], f, ulps, floor) === undefined);
}

/**
 * The first index where two float arrays differ bit for bit (NaN equals NaN, +0 differs from -0),
 * or undefined when they are the same. One `expect` on its result replaces `toEqual` on large
 * arrays, which compares element by element through generic equality and takes seconds.
 *
 * @example expect(firstDifference(await threaded.forward(act, x), single.forwardSync(act, x))).toBeUndefined();
 */
export function firstDifference(
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
): { index: number; got: number | undefined; expected: number | undefined } | undefined {
  const n = Math.max(got.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (!Object.is(got[i], expected[i])) return { index: i, got: got[i], expected: expected[i] };
  }
  return undefined;
}

/**
 * Per entry of a softmax VJP, the magnitude of the terms it is computed from: p_i·(|dy_i| +
 * Σ_j |dy_j|·p_j) for softmax, p_i·Σ_j |dy_j| for log-softmax (whose entry is dy_i - p_i·Σ dy).
 */
export function vjpTerms(
  p: ArrayLike<number>,
  dy: ArrayLike<number>,
  rowLength: number,
  log: boolean,
): Float64Array {
  const terms = new Float64Array(p.length);
  for (let start = 0; start < p.length; start += rowLength) {
    let sum = 0;
    for (let j = start; j < start + rowLength; j++) sum += Math.abs(dy[j]!) * (log ? 1 : p[j]!);
    for (let i = start; i < start + rowLength; i++)
      terms[i] = p[i]! * (log ? sum : Math.abs(dy[i]!) + sum);
  }
  return terms;
}

function variantsOf(d: ActivationDefinition): Activation[] {
  if (d.kind !== 'elementwise') return [];
  return [d.create(), ...Object.keys(d.presets).map((p) => d.create(p))];
}

/**
 * Declares the conformance tests for a backend (call it at the top level of a test file).
 *
 * @example
 * describeBackendConformance({ name: 'cpu-js', create: () => new CpuJsBackend(), activations: zoo, ulps: 2 });
 */
export function describeBackendConformance(options: ConformanceOptions): void {
  const { activations, ulps } = options;
  const floor = options.flushesSubnormals ? FLUSH_FLOOR : 0;
  // a device that flushes subnormals may read a subnormal input as ±0 (WGSL allows it)
  const flushes = (
    v: number,
    value: number,
    f: (z: number) => number,
    bound: number,
    allowance: number,
  ) => options.flushesSubnormals === true && readAsZero(v, value, f, bound, allowance);
  const boundFor = (key: string) => options.knownDeviations?.[key] ?? ulps;
  const elementwise = activations.flatMap(variantsOf) as ElementwiseActivation[];
  const vectors = activations
    .filter((d) => d.kind === 'vector')
    .map((d) => d.create({ rowLength: 7 })) as VectorActivation[];
  const losses = activations
    .filter((d) => d.kind === 'loss')
    .map((d) => d.create({ rowLength: 5 })) as LossActivation[];
  const x = conformanceInputs();
  const dy = gradients(x.length) as Float32Array;
  let backend: Backend;
  const ready = async () => {
    backend ??= await options.create();
    return backend;
  };

  describe(`${options.name}: conformance`, () => {
    describe.each(elementwise.map((a) => [a.key, a] as const))('%s', (_key, act) => {
      const ulps = boundFor(act.key);
      it(`forward is within ${ulps} ULP of the float64 reference, with no NaN/Inf where it is finite`, async () => {
        const b = await ready();
        const y = await b.forward(act, x);
        const mismatch = firstFloat32Mismatch(
          y,
          (i) => act.forward(x[i]!),
          ulps,
          floor,
          (i, v) => flushes(x[i]!, v, act.forward, ulps, floor),
        );
        expect(mismatch && { ...mismatch, x: x[mismatch.index] }).toBeUndefined();
      });

      it(`derivative is within ${ulps} ULP of the float64 reference`, async () => {
        const b = await ready();
        const d = await b.derivative(act, x);
        const mismatch = firstFloat32Mismatch(
          d,
          (i) => act.derivative(x[i]!),
          ulps,
          floor,
          (i, v) => flushes(x[i]!, v, act.derivative, ulps, floor),
        );
        expect(mismatch && { ...mismatch, x: x[mismatch.index] }).toBeUndefined();
      });

      it('backward is dy · f′(x) fused', async () => {
        const b = await ready();
        const g = await b.backward(act, x, dy);
        const mismatch = firstFloat32Mismatch(
          g,
          (i) => dy[i]! * act.derivative(x[i]!),
          ulps + 1,
          // a flushed subnormal f′ times |dy| < 2
          2 * floor,
          (i, v) => flushes(x[i]!, v, (z) => dy[i]! * act.derivative(z), ulps + 1, 2 * floor),
        );
        expect(mismatch && { ...mismatch, x: x[mismatch.index] }).toBeUndefined();
      });

      it(`is within ${ulps} ULP on a prime-step sample and around its switch points, signed zeros as the reference`, async () => {
        const b = await ready();
        for (const op of ['forward', 'derivative', 'backward'] as const) {
          const kernel = op === 'forward' ? act.kernels.forward : act.kernels.derivative;
          const xs = float32Sample(kernel, seedOf(`${act.key}|${op}`));
          // backward with dy = 2^20: a result that is a denormal in f′ must not be lost
          const scale = op === 'backward' ? 2 ** 20 : 1;
          const got =
            op === 'forward'
              ? await b.forward(act, xs)
              : op === 'derivative'
                ? await b.derivative(act, xs)
                : await b.backward(act, xs, new Float32Array(xs.length).fill(scale));
          const f = op === 'forward' ? act.forward : act.derivative;
          // the flush allowance is one of f′ (FLUSH_FLOOR), so dy scales it for backward
          const allowance = floor * scale;
          const bound = ulps + (op === 'backward' ? 1 : 0);
          const truth = (v: number) => scale * f(v);
          const mismatch = firstSampleMismatch(got, xs, truth, bound, allowance, (v, value) =>
            flushes(v, value, truth, bound, allowance),
          );
          expect(mismatch, `${act.key} ${op}`).toBeUndefined();
          // inside the declared range (its float32 hull) for forward and derivative
          const range = op === 'backward' ? undefined : opRange(act, op);
          if (range) {
            const outside = Array.from(got).findIndex((v) => v < range.lo || v > range.hi);
            expect(
              outside < 0 ? undefined : { x: xs[outside], got: got[outside], range },
              `${act.key} ${op} inside its declared range`,
            ).toBeUndefined();
          }
        }
      });

      it('gives NaN for NaN', async () => {
        const b = await ready();
        const nan = Float32Array.of(Number.NaN, 1, Number.NaN);
        const y = await b.forward(act, nan);
        const d = await b.derivative(act, nan);
        const g = await b.backward(act, nan, Float32Array.of(1, 1, 1));
        for (const out of [y, d, g]) {
          expect(out[0]).toBeNaN();
          expect(out[2]).toBeNaN();
        }
      });

      const learnable = Object.entries(act.definition.params).filter(([, spec]) => spec.learnable);
      if (learnable.length > 0) {
        it('gives the gradient of learnable parameters', async () => {
          const b = await ready();
          for (const [name] of learnable) {
            const got = await b.paramGradient(act, name, x.subarray(0, 8001), dy.subarray(0, 8001));
            let expected = 0;
            for (let i = 0; i < 8001; i++) expected += dy[i]! * act.paramDerivative(name, x[i]!);
            expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(expected)));
          }
        });
      }
    });

    it('Float64Array: computed in float64 where supported, a clear error otherwise', async () => {
      const b = await ready();
      const x64 = Float64Array.from(x.filter(Number.isFinite));
      for (const act of elementwise) {
        if (!b.supportsFloat64) {
          await expect(b.forward(act, x64)).rejects.toBeInstanceOf(BadInputError);
          continue;
        }
        const y = await b.forward(act, x64);
        expect(y).toBeInstanceOf(Float64Array);
        // one expect per activation (not per element: 1.8 million expect calls took seconds)
        let worst = { error: 0, at: 0 };
        for (let i = 0; i < x64.length; i++) {
          const reference = act.forward(x64[i]!);
          const error =
            Math.abs(reference) < 1e-300
              ? Math.abs(y[i]! - reference) * 1e300
              : ulpDistanceFloat64(y[i]!, reference);
          if (!(error <= worst.error)) worst = { error, at: x64[i]! };
        }
        expect(worst.error, `${act.key}(${worst.at})`).toBeLessThanOrEqual(
          options.float64Ulps ?? 4,
        );
      }
    });

    it('runs a user-defined activation from its text form', async () => {
      const b = await ready();
      const quickGelu = defineActivation({
        id: 'quick-gelu',
        forward: 'x * sigmoid(1.702 * x)',
      }).create();
      const y = await b.forward(quickGelu, x);
      const bound = boundFor(quickGelu.id);
      expect(
        firstFloat32Mismatch(y, (i) => quickGelu.forward(x[i]!), bound, floor),
      ).toBeUndefined();
      const d = await b.derivative(quickGelu, x);
      expect(
        firstFloat32Mismatch(d, (i) => quickGelu.derivative(x[i]!), bound, floor),
      ).toBeUndefined();
    });

    describe.each(vectors.map((a) => [a.id, a] as const))('%s over rows', (_id, act) => {
      const rows = Float32Array.from(x.subarray(0, 7 * 1000));
      rows.set([1000, 1001, -1000, 0, 3, 88, 89], 7 * 10);
      it(`forward matches the float64 reference within ${ulps} ULP`, async () => {
        const b = await ready();
        const reference = act.forward(rows);
        const y = await b.forward(act, rows);
        expect(firstFloat32Mismatch(y, (i) => reference[i]!, ulps, floor)).toBeUndefined();
      });
      // every entry within the bound, cancellation or not: the probabilities a backward product
      // uses are float64 (a backend's row kernel writes them unrounded, or the façade computes
      // them), so only the final rounding and float64 noise remain
      const backwardWithin = async (a: VectorActivation, logits: Float32Array, g: Float32Array) => {
        const b = await ready();
        const reference = a.backward(logits, g);
        const got = await b.backward(a, logits, g);
        expect(firstFloat32Mismatch(got, (i) => reference[i]!, ulps, floor)).toBeUndefined();
      };
      it(`backward is the vector-Jacobian product within ${ulps} ULP`, async () => {
        await backwardWithin(act, rows, dy.subarray(0, rows.length));
      });
      it('backward holds its bound where dy_i - Σ dy·p cancels (random dy, long rows)', async () => {
        const long = act.definition.create({ rowLength: 1000 }) as VectorActivation;
        const logits = Float32Array.from(x.subarray(0, 4000), (v) => v * 10);
        // dy close to Σ dy·p in most entries: a constant plus a little noise
        const g = Float32Array.from(logits, (_, i) => 1 + ((i * 7919) % 17) * 2 ** -10);
        await backwardWithin(long, logits, g);
      });
      it('forward keeps its digits where the largest probability rounds close to 1', async () => {
        const b = await ready();
        const pairs = act.definition.create({ rowLength: 2 }) as VectorActivation;
        // log-softmax at the largest entry is -log1p(e^-L) ≈ -e^-L, not log(1 + e^-L) = 0 in float32
        const logits = Float32Array.of(10, 0, 20, 0, 40, 0, 80, -6, 0, -30, 17.5, 17.25);
        const reference = pairs.forward(logits);
        const got = await b.forward(pairs, logits);
        expect(firstFloat32Mismatch(got, (i) => reference[i]!, ulps, floor)).toBeUndefined();
      });
      it('backward keeps its digits where the largest probability rounds close to 1', async () => {
        const pairs = act.definition.create({ rowLength: 2 }) as VectorActivation;
        // logits [L, 0] with dy [1, 0] and [0, 1]: the entries are ±p0·p1 ≈ e^-L (cancels as p0 - 1)
        const logits = Float32Array.of(6, 0, 8, 0, 10, 0, 16, 0, 6, 0, 10, 0, -12, 0.5, 20, -3);
        const g = Float32Array.of(1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0.25, -2, 1, 0);
        await backwardWithin(pairs, logits, g);
      });
      it('rejects rows that do not divide the input, and derivative()', async () => {
        const b = await ready();
        await expect(b.forward(act, new Float32Array(10))).rejects.toThrow(
          /not a whole number of rows of 7/,
        );
        await expect(b.derivative(act, rows)).rejects.toBeInstanceOf(UnsupportedOperationError);
      });
    });

    describe.each(losses.map((a) => [a.id, a] as const))('%s', (_id, act) => {
      const logits = Float32Array.from(x.subarray(3000, 3000 + 5 * 40));
      const indices = Int32Array.from({ length: 40 }, (_, r) => (r * 3) % 5);
      const oneHot = new Float32Array(logits.length);
      indices.forEach((c, r) => {
        oneHot[r * 5 + c] = 1;
      });
      it('loss and gradient match the reference, with one-hot and class-index targets', async () => {
        const b = await ready();
        const expected = act.loss(logits, indices);
        expect(Math.abs((await b.loss(act, logits, indices)) - expected)).toBeLessThanOrEqual(
          1e-5 * expected,
        );
        expect(Math.abs((await b.loss(act, logits, oneHot)) - expected)).toBeLessThanOrEqual(
          1e-5 * expected,
        );
        const reference = act.gradient(logits, indices);
        const got = await b.lossGradient(act, logits, oneHot);
        expect(firstFloat32Mismatch(got, (i) => reference[i]!, ulps, floor)).toBeUndefined();
      });
      it('the gradient keeps its digits where the target class has p close to 1', async () => {
        const b = await ready();
        const confident = act.definition.create({ rowLength: 4 }) as LossActivation;
        // p_target - 1 ≈ -Σ others: [20, -3, 1, 0] gives -2.5e-9, lost entirely as fl(p) - 1
        const sharp = Float32Array.of(20, -3, 1, 0, 10, 0, 0, 0, 0, 16, 2, 1);
        const targets = Int32Array.of(0, 0, 1);
        const reference = confident.gradient(sharp, targets);
        const got = await b.lossGradient(confident, sharp, targets);
        expect(firstFloat32Mismatch(got, (i) => reference[i]!, ulps, floor)).toBeUndefined();
      });
      it('rejects targets that do not fit', async () => {
        const b = await ready();
        await expect(b.loss(act, logits, new Int32Array(3))).rejects.toBeInstanceOf(BadInputError);
        await expect(b.forward(act, logits)).rejects.toBeInstanceOf(UnsupportedOperationError);
      });
    });

    describe('buffers and bad input', () => {
      const act = () => elementwise.find((a) => a.id === 'sigmoid') ?? elementwise[0]!;
      it('writes into `out`, allows out === x, and never mutates its inputs', async () => {
        const b = await ready();
        const input = Float32Array.of(-2, -1, 0, 1, 2);
        const copy = input.slice();
        const out = new Float32Array(5);
        expect(await b.forward(act(), input, out)).toBe(out);
        expect(input).toEqual(copy);
        const g = Float32Array.of(1, 2, 3, 4, 5);
        const gCopy = g.slice();
        await b.backward(act(), input, g);
        expect(g).toEqual(gCopy);
        expect(input).toEqual(copy);
        const inPlace = input.slice();
        await b.forward(act(), inPlace, inPlace);
        expect(inPlace).toEqual(out);
      });
      it('handles empty arrays', async () => {
        const b = await ready();
        expect((await b.forward(act(), new Float32Array(0))).length).toBe(0);
      });
      it('rejects what is not a float array, and mismatched out/dy, with BadInputError', async () => {
        const b = await ready();
        await expect(b.forward(act(), [1, 2, 3] as unknown as Float32Array)).rejects.toThrow(
          /x must be a Float32Array.* got an Array of length 3/,
        );
        await expect(
          b.forward(act(), new Int32Array(3) as unknown as Float32Array),
        ).rejects.toBeInstanceOf(BadInputError);
        await expect(b.forward(act(), new Float32Array(3), new Float32Array(4))).rejects.toThrow(
          /out must be a Float32Array of length 3/,
        );
        await expect(b.backward(act(), new Float32Array(3), new Float32Array(2))).rejects.toThrow(
          /dy must have the same length as x \(3\)/,
        );
      });
      it('stays correct under many concurrent calls', async () => {
        const b = await ready();
        const acts = elementwise.slice(0, 12);
        const results = await Promise.all(acts.map((a) => b.forward(a, x)));
        results.forEach((y, k) => {
          expect(
            firstFloat32Mismatch(y, (i) => acts[k]!.forward(x[i]!), boundFor(acts[k]!.key), floor),
          ).toBeUndefined();
        });
      });
    });

    it('refuses work after dispose()', async () => {
      const b = await options.create();
      b.dispose();
      await expect(b.forward(elementwise[0]!, new Float32Array(4))).rejects.toBeInstanceOf(
        BackendUnavailableError,
      );
    });

    describeMisuse({ name: options.name, ready, create: options.create, activations });
  });
}
