/**
 * The misuse section of the conformance suite: every way a caller can get a backend call wrong
 * gets the same typed error (class and `code`) on every backend, with the inputs untouched and
 * `out` untouched on refusal; aliasing, shared and detached buffers behave the same everywhere.
 */
import { describe, expect, it } from 'vitest';
import type {
  ActivationDefinition,
  ElementwiseActivation,
  LossActivation,
  VectorActivation,
} from '../activation.js';
import { defineActivation } from '../activation.js';
import type { Backend, FloatArray } from '../backend.js';
import {
  ActivationError,
  BackendUnavailableError,
  BadInputError,
  BadParameterError,
  UnsupportedOperationError,
} from '../errors.js';
import { float32Error } from '../ulp.js';
import { hostileTrees, sentinel } from './hostile.js';

/** What the misuse section needs from the conformance options. */
export interface MisuseOptions {
  readonly name: string;
  /** The shared backend of the suite. */
  readonly ready: () => Promise<Backend>;
  /** Makes a fresh backend (for dispose tests). */
  readonly create: () => Backend | Promise<Backend>;
  readonly activations: readonly ActivationDefinition[];
}

type ErrorClass = abstract new (...args: never[]) => ActivationError;

/** Expects a typed error of `kind` with its `code`, whether `call` throws or rejects. */
async function refuses(
  call: () => unknown,
  kind: ErrorClass,
  message?: RegExp,
): Promise<ActivationError> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'a typed error').toBeInstanceOf(kind);
  const error = caught as ActivationError;
  expect(typeof error.code).toBe('string');
  expect(error.message.length).toBeGreaterThan(20);
  if (message) expect(error.message).toMatch(message);
  return error;
}

function snapshot(...arrays: Array<FloatArray | undefined>): Array<Uint8Array | undefined> {
  return arrays.map((a) =>
    a === undefined
      ? undefined
      : new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)),
  );
}

function unchanged(
  before: Array<Uint8Array | undefined>,
  ...arrays: Array<FloatArray | undefined>
): void {
  arrays.forEach((a, i) => {
    if (a === undefined) return;
    const now = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const was = before[i]!;
    let same = now.length === was.length;
    for (let k = 0; same && k < now.length; k++) same = now[k] === was[k];
    expect(same, `argument ${i} untouched`).toBe(true);
  });
}

function ramp(n: number, lo = -6, hi = 6): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / Math.max(1, n - 1));
}

function closeTo(got: ArrayLike<number>, expected: ArrayLike<number>, ulps = 0): void {
  expect(got.length).toBe(expected.length);
  for (let i = 0; i < got.length; i++) {
    if (Object.is(got[i], expected[i])) continue;
    const e = float32Error(got[i]!, expected[i]!);
    if (!(e <= ulps)) expect({ index: i, got: got[i], expected: expected[i] }).toBeUndefined();
  }
}

/** Declares the misuse tests (called by describeBackendConformance). */
export function describeMisuse(options: MisuseOptions): void {
  const { ready } = options;
  const find = (id: string) => options.activations.find((d) => d.id === id);
  const sigmoid = () =>
    (
      find('sigmoid') ?? options.activations.find((d) => d.kind === 'elementwise')!
    ).create() as ElementwiseActivation;
  const elementwiseWithParams = () =>
    (
      options.activations.find(
        (d) => d.kind === 'elementwise' && Object.values(d.params).some((p) => p.learnable),
      ) ??
      options.activations.find((d) => d.kind === 'elementwise' && Object.keys(d.params).length > 0)
    )?.create() as ElementwiseActivation | undefined;
  const vector = () =>
    options.activations.find((d) => d.kind === 'vector')?.create({ rowLength: 4 }) as
      | VectorActivation
      | undefined;
  const loss = () =>
    options.activations.find((d) => d.kind === 'loss')?.create({ rowLength: 4 }) as
      | LossActivation
      | undefined;

  describe(`${options.name}: misuse`, () => {
    it('refuses what is not an activation with BadInputError, saying what to pass', async () => {
      const b = await ready();
      const x = ramp(8);
      const before = snapshot(x);
      const definition = find('sigmoid') ?? options.activations[0]!;
      for (const bad of [null, undefined, 'relu', 42, {}, [], definition]) {
        const a = bad as unknown as ElementwiseActivation;
        const error = await refuses(() => b.forward(a, x), BadInputError);
        if (bad === definition) expect(error.message).toMatch(/definition.*\.create\(/);
        if (bad === 'relu') expect(error.message).toMatch(/registry\.activation\('relu'\)/);
        await refuses(() => b.derivative(a, x), BadInputError);
        await refuses(() => b.backward(a, x, x), BadInputError);
        await refuses(() => b.paramGradient(a, 'alpha', x, x), BadInputError);
        await refuses(
          () => b.loss(a as unknown as LossActivation, x, new Int32Array(2)),
          BadInputError,
        );
        await refuses(
          () => b.lossGradient(a as unknown as LossActivation, x, new Int32Array(2)),
          BadInputError,
        );
        await refuses(() => b.prepare(a), BadInputError);
      }
      unchanged(before, x);
    });

    it('refuses what is not a float array, and mismatched or null out/dy, leaving every argument untouched', async () => {
      const b = await ready();
      const act = sigmoid();
      const x = ramp(6);
      const out = new Float32Array(6).fill(7);
      const before = snapshot(x, out);
      for (const bad of [
        null,
        undefined,
        [1, 2, 3],
        new Int32Array(3),
        new Uint8Array(8),
        'abc',
        { length: 3 },
        new DataView(new ArrayBuffer(8)),
      ]) {
        await refuses(
          () => b.forward(act, bad as unknown as Float32Array),
          BadInputError,
          /must be a Float32Array/,
        );
        await refuses(() => b.backward(act, x, bad as unknown as Float32Array), BadInputError);
      }
      for (const bad of [
        null,
        new Float32Array(5),
        new Int32Array(6),
        new Float64Array(6),
        [0, 0, 0, 0, 0, 0],
      ]) {
        await refuses(
          () => b.forward(act, x, bad as unknown as Float32Array),
          BadInputError,
          /out must be/,
        );
        await refuses(
          () => b.backward(act, x, x, bad as unknown as Float32Array),
          BadInputError,
          /out must be/,
        );
      }
      await refuses(
        () => b.backward(act, x, new Float32Array(5)),
        BadInputError,
        /dy must have the same length as x \(6\)/,
      );
      if (!b.supportsFloat64)
        await refuses(
          () => b.forward(act, new Float64Array(4)),
          BadInputError,
          /computes in float32/,
        );
      await refuses(() => b.forward(act, x, out.subarray(0, 5)), BadInputError);
      unchanged(before, x, out);
    });

    it('refuses detached buffers with BadInputError', async () => {
      const b = await ready();
      const act = sigmoid();
      const detached = new Float32Array(8);
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      await refuses(() => b.forward(act, detached), BadInputError, /detached/);
      const out = new Float32Array(8);
      structuredClone(out.buffer, { transfer: [out.buffer] });
      await refuses(() => b.forward(act, ramp(8), out), BadInputError, /detached/);
      await refuses(() => b.backward(act, ramp(8), detached), BadInputError, /detached/);
    });

    it('computes over SharedArrayBuffer views like over ordinary arrays', async () => {
      if (typeof SharedArrayBuffer !== 'function') return;
      const b = await ready();
      const act = sigmoid();
      const plain = ramp(1003);
      const shared = new Float32Array(new SharedArrayBuffer(1003 * 4));
      shared.set(plain);
      const dy = new Float32Array(new SharedArrayBuffer(1003 * 4)).fill(0.5);
      const out = new Float32Array(new SharedArrayBuffer(1003 * 4));
      closeTo(await b.forward(act, shared), await b.forward(act, plain));
      closeTo(await b.forward(act, plain, out), await b.forward(act, plain));
      closeTo(
        await b.backward(act, shared, dy),
        await b.backward(act, plain, Float32Array.from(dy)),
      );
      const v = vector();
      if (v)
        closeTo(
          await b.forward(v, shared.subarray(0, 1000)),
          await b.forward(v, plain.subarray(0, 1000)),
        );
    });

    it('gives the same results when out partly overlaps x or dy as with separate arrays', async () => {
      const b = await ready();
      const act = sigmoid();
      const n = 10_000;
      const x = ramp(n);
      const dy = ramp(n, -2, 2);
      const expectedForward = await b.forward(act, x);
      const expectedDerivative = await b.derivative(act, x);
      const expectedBackward = await b.backward(act, x, dy);
      for (const shift of [1, -1, 3]) {
        const buffer = new Float32Array(n + 8);
        const at = 4;
        const input = buffer.subarray(at, at + n);
        input.set(x);
        const out = buffer.subarray(at + shift, at + shift + n);
        closeTo(await b.forward(act, input, out), expectedForward);
        input.set(x);
        closeTo(await b.derivative(act, input, out), expectedDerivative);
        // out overlapping dy
        const gradients = new Float32Array(n + 8);
        const g = gradients.subarray(at, at + n);
        g.set(dy);
        closeTo(
          await b.backward(act, x, g, gradients.subarray(at + shift, at + shift + n)),
          expectedBackward,
        );
      }
      const v = vector();
      if (v) {
        const rows = ramp(4 * 50);
        const expected = await b.forward(v, rows);
        const buffer = new Float32Array(rows.length + 2);
        buffer.set(rows, 1);
        closeTo(
          await b.forward(v, buffer.subarray(1, rows.length + 1), buffer.subarray(0, rows.length)),
          expected,
        );
        const dyRows = ramp(rows.length, -1, 1);
        const expectedBackward = await b.backward(v, rows, dyRows);
        const gBuffer = new Float32Array(rows.length + 2);
        gBuffer.set(dyRows, 1);
        closeTo(
          await b.backward(
            v,
            rows,
            gBuffer.subarray(1, rows.length + 1),
            gBuffer.subarray(0, rows.length),
          ),
          expectedBackward,
        );
      }
    });

    it('runs in place when out is exactly x or dy, for every kind', async () => {
      const b = await ready();
      const act = sigmoid();
      const x = ramp(999);
      const dy = ramp(999, -2, 2);
      const inPlace = x.slice();
      closeTo(await b.forward(act, inPlace, inPlace), await b.forward(act, x));
      const dyInPlace = dy.slice();
      closeTo(await b.backward(act, x, dyInPlace, dyInPlace), await b.backward(act, x, dy));
      const xInPlace = x.slice();
      closeTo(await b.backward(act, xInPlace, dy, xInPlace), await b.backward(act, x, dy));
      const v = vector();
      if (v) {
        const rows = ramp(400);
        const expected = await b.forward(v, rows);
        const r = rows.slice();
        closeTo(await b.forward(v, r, r), expected);
        const g = ramp(400, -1, 1);
        const expectedG = await b.backward(v, rows, g);
        const g2 = g.slice();
        closeTo(await b.backward(v, rows, g2, g2), expectedG);
      }
      const l = loss();
      if (l) {
        const logits = ramp(40);
        const targets = Int32Array.from({ length: 10 }, (_, i) => i % 4);
        const expected = await b.lossGradient(l, logits, targets);
        const inPlaceLogits = logits.slice();
        closeTo(await b.lossGradient(l, inPlaceLogits, targets, inPlaceLogits), expected);
      }
    });

    it('refuses an op the activation kind does not have with UnsupportedOperationError, saying what to use', async () => {
      const b = await ready();
      const x = ramp(8);
      const v = vector();
      const l = loss();
      const act = sigmoid();
      if (v) {
        await refuses(
          () => b.derivative(v, x),
          UnsupportedOperationError,
          /backward\(act, x, dy\)/,
        );
        await refuses(
          () => b.paramGradient(v as unknown as ElementwiseActivation, 'rowLength', x, x),
          UnsupportedOperationError,
        );
        await refuses(
          () => b.loss(v as unknown as LossActivation, x, new Int32Array(2)),
          UnsupportedOperationError,
        );
      }
      if (l) {
        await refuses(
          () => b.forward(l, x),
          UnsupportedOperationError,
          /loss\(act, logits, targets\)/,
        );
        await refuses(() => b.backward(l, x, x), UnsupportedOperationError);
        await refuses(() => b.derivative(l, x), UnsupportedOperationError);
      }
      await refuses(
        () => b.loss(act as unknown as LossActivation, x, new Int32Array(2)),
        UnsupportedOperationError,
      );
      await refuses(
        () => b.lossGradient(act as unknown as LossActivation, x, new Int32Array(2)),
        UnsupportedOperationError,
      );
    });

    it('refuses parameter names that are not own parameters (constructor, __proto__, typos) with BadParameterError', async () => {
      const b = await ready();
      const x = ramp(8);
      const withParams = elementwiseWithParams();
      for (const act of [sigmoid(), ...(withParams ? [withParams] : [])]) {
        for (const name of [
          'constructor',
          '__proto__',
          'toString',
          'hasOwnProperty',
          'nope',
          '',
          42,
          undefined,
        ]) {
          await refuses(() => b.paramGradient(act, name as string, x, x), BadParameterError);
        }
      }
      if (withParams) {
        const name = Object.keys(withParams.params)[0]!;
        const error = await refuses(
          () => b.paramGradient(withParams, `${name}x`, x, x),
          BadParameterError,
        );
        expect(error.message).toMatch(new RegExp(`did you mean '${name}'`));
      }
    });

    it('refuses rows, targets and class indices that do not fit with BadInputError', async () => {
      const b = await ready();
      const v = vector();
      const l = loss();
      if (v)
        await refuses(
          () => b.forward(v, new Float32Array(10)),
          BadInputError,
          /not a whole number of rows of 4/,
        );
      if (l) {
        const logits = ramp(8);
        for (const targets of [
          null,
          undefined,
          'abc',
          [0, 1],
          new Int32Array(3),
          new Float32Array(3),
          new Int32Array([0, 4]),
          new Int32Array([-1, 0]),
        ]) {
          await refuses(() => b.loss(l, logits, targets as unknown as Int32Array), BadInputError);
          await refuses(
            () => b.lossGradient(l, logits, targets as unknown as Int32Array),
            BadInputError,
          );
        }
      }
      await refuses(() => b.prepare(sigmoid(), ['sideways' as 'forward']), BadInputError);
    });

    it('compiles a kernel once for many concurrent first calls', async () => {
      const b = await ready();
      const stats = () => b.kernelStats;
      const fresh = defineActivation({
        id: 'concurrent-first-calls',
        forward: 'x * sigmoid(1.5 * x) + 0.25',
      }).create();
      const x = ramp(256);
      const before = stats()?.compiled;
      const results = await Promise.all(Array.from({ length: 50 }, () => b.forward(fresh, x)));
      for (const y of results) closeTo(y, results[0]!);
      expect(stats().compiled - before).toBe(1);
    });

    it('handles empty arrays in every method', async () => {
      const b = await ready();
      const act = sigmoid();
      const empty = new Float32Array(0);
      expect((await b.forward(act, empty)).length).toBe(0);
      expect((await b.derivative(act, empty)).length).toBe(0);
      expect((await b.backward(act, empty, empty)).length).toBe(0);
      const withParams = elementwiseWithParams();
      if (withParams)
        expect(
          await b.paramGradient(withParams, Object.keys(withParams.params)[0]!, empty, empty),
        ).toBe(0);
    });

    it('runs accepted random trees like their float64 reference, and refuses hostile ones with typed errors', async () => {
      const b = await ready();
      const x = Float32Array.from({ length: 2001 }, (_, i) => (i - 1000) / 50);
      let ran = 0;
      for (const [k, tree] of hostileTrees(120, 11).entries()) {
        let act: ElementwiseActivation;
        try {
          act = defineActivation({
            id: `fuzz-${k}`,
            params: { alpha: { default: 0.5, description: 'a parameter' } },
            forward: tree as never,
          }).create();
        } catch (error) {
          expect(error).toBeInstanceOf(ActivationError);
          continue;
        }
        let y: FloatArray;
        try {
          y = await b.forward(act, x);
        } catch (error) {
          // a backend may refuse a kernel it cannot hold or compute within its bound (webgpu:
          // maxTranscendentals, and double-float kernels that still miss 4 ULP on the probe)
          expect(['EXPRESSION_TOO_LARGE', 'UNSUPPORTED_OPERATION']).toContain(
            (error as ActivationError).code,
          );
          continue;
        }
        ran++;
        for (let i = 0; i < x.length; i++) {
          const expected = act.forward(x[i]!);
          const e = float32Error(y[i]!, expected);
          if (!(e <= 4) && !(Math.abs(y[i]! - expected) <= 2 ** -116)) {
            expect({ tree: k, x: x[i], got: y[i], expected }).toBeUndefined();
          }
        }
      }
      expect(sentinel()).toBe(false);
      expect(ran).toBeGreaterThan(10);
    });

    it('after dispose(): every method refuses with BackendUnavailableError and state says disposed', async () => {
      const b = await options.create();
      const act = sigmoid();
      await b.forward(act, ramp(4));
      b.dispose();
      b.dispose(); // twice is fine
      expect(b.state).toBe('disposed');
      const x = ramp(4);
      const before = snapshot(x);
      await refuses(() => b.forward(act, x), BackendUnavailableError, /disposed/);
      await refuses(() => b.derivative(act, x), BackendUnavailableError);
      await refuses(() => b.backward(act, x, x), BackendUnavailableError);
      await refuses(() => b.prepare(act), BackendUnavailableError);
      const l = loss();
      if (l)
        await refuses(() => b.loss(l, ramp(8), new Int32Array([0, 1])), BackendUnavailableError);
      unchanged(before, x);
    });
  });
}
