import {
  BackendUnavailableError,
  BadInputError,
  createRegistry,
  defineActivation,
  DeviceLostError,
  type ElementwiseActivation,
  OutOfMemoryError,
  type VectorActivation,
} from '@activations/core';
import { float32Error, softmaxRows } from '@activations/core/backend';
import { firstDifference } from '@activations/core/testing';
import { CpuJsBackend, cpuJs } from '@activations/cpu-js';
import { zoo } from '@activations/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailable } from './availability.test-util.js';
import { WebGPUBackend, webgpu } from './index.js';
import { PROBE_ULPS } from './provider.js';
import { toWGSL } from './wgsl.js';

const registry = createRegistry({ activations: zoo });
const act = (id: string, params?: Record<string, unknown>) =>
  registry.activation(id, params) as ElementwiseActivation;

function ramp(n: number, lo = -10, hi = 10): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / Math.max(1, n - 1));
}

function worstUlps(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, float32Error(got[i]!, expected[i]!));
  return worst;
}

let backend: WebGPUBackend;
beforeAll(async () => {
  if (unavailable) return;
  backend = await WebGPUBackend.create({ allowSoftware: true });
});
afterAll(() => backend?.dispose());

describe.skipIf(unavailable)('webgpu backend', () => {
  it('names its adapter and says whether it is a software one', () => {
    expect(backend.adapterName.length).toBeGreaterThan(0);
    expect(backend.software).toBe(/swiftshader/i.test(backend.adapterName));
  });

  it('compiles the exported WGSL of every activation on the device without errors', async () => {
    for (const d of zoo) {
      if (d.kind !== 'elementwise') continue;
      for (const op of ['forward', 'derivative'] as const) {
        for (const precision of ['f32', 'df32'] as const) {
          const module = backend.device.createShaderModule({
            code: toWGSL(d.create(), op, { precision }),
          });
          const info = await module.getCompilationInfo();
          expect(
            info.messages.filter((m) => m.type === 'error').map((m) => m.message),
            `${d.id} ${op} ${precision}`,
          ).toEqual([]);
        }
      }
    }
  });

  it('keeps float32 kernels that meet the probe and moves the others to double-float', async () => {
    expect(await backend.precisionOf(act('relu'))).toEqual({ precision: 'f32', float32Ulps: 0 });
    const sigmoid = await backend.precisionOf(act('sigmoid'));
    expect(sigmoid.precision).toBe('f32');
    expect(sigmoid.float32Ulps).toBeLessThanOrEqual(PROBE_ULPS);
    // silu′ = σ(x)(1 + x·σ(-x)) cancels near its root x ≈ -1.278: hundreds of ULP in float32
    const silu = await backend.precisionOf(act('silu'), 'derivative');
    expect(silu.precision).toBe('df32');
    expect(silu.float32Ulps).toBeGreaterThan(100);
    const x = Float32Array.from([-1.2784645, -1.2784646, -1.25, -1.3]);
    const y = await backend.derivative(act('silu'), x);
    const expected = Array.from(x, (v) => act('silu').derivative(v));
    expect(worstUlps(y, expected)).toBeLessThanOrEqual(4);
    const forced = await WebGPUBackend.create({
      allowSoftware: true,
      precision: 'f32',
      device: backend.device,
    });
    expect(await forced.precisionOf(act('silu'), 'derivative')).toEqual({
      precision: 'f32',
      float32Ulps: Number.NaN,
    });
    forced.dispose();
  });

  it('keeps a product normal where one factor alone would be a denormal (flushed on this device)', async () => {
    // x·σ(x) at x = -88 is -5.3e-37 though σ(-88) = 6e-39 is a denormal; -2x·e^(-x²) likewise
    const cases: Array<[string, 'forward' | 'derivative', number[]]> = [
      ['silu', 'forward', [-88, -89.5, -87.3, -91, -60]],
      ['swish', 'forward', [-88, -89.5]],
      ['gaussian', 'derivative', [9.3, -9.35, 9.4, 9.45]],
      // mish: x·tanh(softplus(x)) with x scaling the gate (1,047 ULP off at -80 before)
      ['mish', 'forward', [-88, -80, -89.5, -60]],
      // 2σ(x)σ(-x) and 4e^(-2|x|)/(1 + e^(-2|x|))²: double-float kernels, scaled the same way
      ['bipolar-sigmoid', 'derivative', [88, -88, 87.5]],
      ['tanh', 'derivative', [44, -44, 43.5]],
    ];
    for (const [id, op, inputs] of cases) {
      const a = act(id);
      const x = Float32Array.from(inputs);
      const y = op === 'forward' ? await backend.forward(a, x) : await backend.derivative(a, x);
      const reference = Array.from(x, (v) => (op === 'forward' ? a.forward(v) : a.derivative(v)));
      for (const [i, value] of reference.entries())
        expect(Math.abs(value), `${id} ${op}(${x[i]}) is a normal float`).toBeGreaterThan(
          2 ** -126,
        );
      expect(worstUlps(y, reference), `${id} ${op}`).toBeLessThanOrEqual(4);
    }
  });

  it('reduces sin and cos arguments exactly over the whole float32 range', async () => {
    const xs: number[] = [];
    let s = 7;
    for (let i = 0; i < 20000; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const exponent = (s % 254) - 126; // every binade
      s = (s * 1664525 + 1013904223) >>> 0;
      xs.push((s & 1 ? -1 : 1) * (1 + (s >>> 8) / 2 ** 24) * 2 ** exponent);
    }
    // float32 values whose multiples of π/2 are closest (hard cases for any reduction)
    xs.push(
      1.0e22,
      8.5e8,
      16367173,
      13176795,
      Math.PI / 2,
      Math.PI,
      105414350,
      3.4028234663852886e38,
    );
    const x = Float32Array.from(xs);
    for (const id of ['sin']) {
      const a = act(id);
      const y = await backend.forward(a, x);
      const d = await backend.derivative(a, x);
      const sinWorst = worstUlps(
        y,
        Array.from(x, (v) => Math.sin(v)),
      );
      const cosWorst = worstUlps(
        d,
        Array.from(x, (v) => Math.cos(v)),
      );
      expect(sinWorst).toBeLessThanOrEqual(2);
      expect(cosWorst).toBeLessThanOrEqual(2);
    }
  });

  it('chains 10 activations on GPU-resident buffers and reads back once, matching cpu-js', async () => {
    const chain = [
      'gelu',
      'tanh',
      'silu',
      'sigmoid',
      'elu',
      'mish',
      'softsign',
      'leaky-relu',
      'softplus',
      'selu',
    ].map((id) => act(id));
    const x = ramp(100_003, -6, 6);
    const cpu = new CpuJsBackend();
    let expected = x;
    for (const a of chain) expected = cpu.forwardSync(a, expected);
    const input = backend.createBuffer(x);
    let buffer = input;
    const encoder = backend.device.createCommandEncoder();
    for (const [k, a] of chain.entries()) {
      // half recorded into our encoder, half submitted directly; the first one in place
      const out = k === 0 ? buffer : undefined;
      buffer = await backend.forwardBuffer(a, buffer, {
        ...(out ? { out } : {}),
        ...(k < 5 ? { encoder } : {}),
      });
      if (k === 4) backend.device.queue.submit([encoder.finish()]);
    }
    const got = await backend.read(buffer);
    let worst = 0;
    for (let i = 0; i < x.length; i++)
      worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / (1e-6 + Math.abs(expected[i]!)));
    expect(worst).toBeLessThan(1e-5);
  });

  it('runs in place and with out aliasing dy on GPU buffers', async () => {
    const x = ramp(1000);
    const dy = ramp(1000, 2, -2);
    const a = act('elu');
    const expectedForward = await backend.forward(a, x);
    const expectedBackward = await backend.backward(a, x, dy);
    const inPlace = backend.createBuffer(x);
    await backend.forwardBuffer(a, inPlace, { out: inPlace });
    expect(await backend.read(inPlace)).toEqual(expectedForward);
    const [xb, dyb] = [backend.createBuffer(x), backend.createBuffer(dy)];
    await backend.backwardBuffer(a, xb, dyb, { out: dyb });
    expect(await backend.read(dyb)).toEqual(expectedBackward);
    const [xb2, dyb2] = [backend.createBuffer(x), backend.createBuffer(dy)];
    await backend.backwardBuffer(a, xb2, dyb2, { out: xb2 });
    expect(await backend.read(xb2)).toEqual(expectedBackward);
    const d = await backend.derivativeBuffer(a, backend.createBuffer(x), { length: 10 });
    expect(await backend.read(d)).toEqual(await backend.derivative(a, x.subarray(0, 10)));
  });

  it('splits arrays beyond the binding size into chunks and loops beyond the workgroup limit', async () => {
    const small = await WebGPUBackend.create({
      allowSoftware: true,
      maxBindingElements: 1000,
      maxWorkgroups: 2,
    });
    try {
      const x = ramp(10_037, -20, 20);
      for (const id of ['gelu', 'relu', 'tanh']) {
        expect(
          firstDifference(await small.forward(act(id), x), await backend.forward(act(id), x)),
        ).toBeUndefined();
      }
      const softmax = registry.activation('softmax', { rowLength: 7 }) as VectorActivation;
      const rows = x.subarray(0, 7 * 1433);
      expect(
        firstDifference(await small.forward(softmax, rows), await backend.forward(softmax, rows)),
      ).toBeUndefined();
      await expect(
        small.forward(registry.activation('softmax', { rowLength: 2000 }), new Float32Array(4000)),
      ).rejects.toThrow(/longer than this device binds at once/);
    } finally {
      small.dispose();
    }
  });

  it('gives each of many concurrent calls its own result', async () => {
    const ids = ['relu', 'gelu', 'tanh', 'sigmoid', 'elu', 'softplus', 'silu', 'mish'];
    const jobs = Array.from({ length: 40 }, (_, k) => {
      const a = act(ids[k % ids.length]!);
      const x = ramp(500 + 37 * k, -k, k + 1);
      const op = k % 3;
      const dy = ramp(x.length, 1, -1);
      const run =
        op === 0
          ? backend.forward(a, x)
          : op === 1
            ? backend.derivative(a, x)
            : backend.backward(a, x, dy);
      const reference = (i: number) =>
        op === 0 ? a.forward(x[i]!) : op === 1 ? a.derivative(x[i]!) : dy[i]! * a.derivative(x[i]!);
      return run.then((y) => ({ y, expected: Array.from(x, (_, i) => reference(i)) }));
    });
    for (const { y, expected } of await Promise.all(jobs)) {
      expect(y.length).toBe(expected.length);
      let worst = 0;
      for (let i = 0; i < y.length; i++)
        worst = Math.max(worst, Math.abs(y[i]! - expected[i]!) / (1e-30 + Math.abs(expected[i]!)));
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('reuses pipelines and pooled buffers across calls', async () => {
    const a = act('softsign');
    const x = ramp(4096);
    await backend.forward(a, x);
    const [compiled, bytes] = [backend.kernelStats.compiled, backend.pooledBytes];
    for (let k = 0; k < 5; k++) await backend.forward(a, x);
    expect(backend.kernelStats.compiled).toBe(compiled);
    expect(backend.pooledBytes).toBe(bytes);
  });

  it('computes softmax rows holding ±∞ and NaN like the float64 reference, on typed arrays and GPU buffers', async () => {
    const inf = Number.POSITIVE_INFINITY;
    const x = Float32Array.of(
      1,
      inf,
      2,
      inf,
      -inf,
      -inf,
      -inf,
      -inf,
      0,
      Number.NaN,
      1,
      2,
      -inf,
      3,
      5,
      1,
      1e30,
      -1e30,
      0,
      -0,
    );
    for (const id of ['softmax', 'log-softmax', 'softmin']) {
      const a = registry.activation(id, { rowLength: 4 }) as VectorActivation;
      const expected = new Float64Array(x.length);
      softmaxRows(a.softmax, x, 4, expected);
      const got = await backend.forward(a, x);
      expect(worstUlps(got, expected), id).toBeLessThanOrEqual(4);
      const onGpu = await backend.read(await backend.forwardBuffer(a, backend.createBuffer(x)));
      expect(onGpu).toEqual(got);
    }
  });

  it('rejects what is not a GPU buffer, too-short buffers and aliased softmax output with BadInputError', async () => {
    const a = act('relu');
    await expect(
      backend.forwardBuffer(a, new Float32Array(4) as unknown as GPUBuffer),
    ).rejects.toThrow(/must be a GPUBuffer/);
    const b = backend.createBuffer(4);
    await expect(backend.forwardBuffer(a, b, { length: 5 })).rejects.toThrow(
      /holds 4 floats, fewer than the 5/,
    );
    const softmax = registry.activation('softmax', { rowLength: 2 });
    await expect(backend.forwardBuffer(softmax, b, { out: b })).rejects.toBeInstanceOf(
      BadInputError,
    );
    const mappable = backend.device.createBuffer({ size: 16, usage: 0x1 | 0x8 });
    await expect(backend.forwardBuffer(a, mappable)).rejects.toThrow(/needs usage STORAGE/);
    mappable.destroy();
  });

  it('destroys every buffer it made on dispose(), and leaves a shared device alive', async () => {
    const shared = await WebGPUBackend.create({ device: backend.device });
    const buffer = shared.createBuffer(ramp(64));
    await shared.forward(act('relu'), ramp(64));
    shared.dispose();
    await expect(shared.forward(act('relu'), ramp(4))).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );
    backend.device.pushErrorScope('validation');
    const encoder = backend.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, backend.createBuffer(64), 0, 256);
    backend.device.queue.submit([encoder.finish()]);
    const error = await backend.device.popErrorScope();
    expect(error?.message).toMatch(/destroyed/i);
    expect((await backend.forward(act('relu'), Float32Array.of(-1, 2)))[1]).toBe(2);
  });
});

describe.skipIf(unavailable)('webgpu in the registry', () => {
  it("is skipped by 'auto' on a software adapter unless allowed, with the reason", async () => {
    const r = createRegistry({ activations: zoo, backends: [webgpu(), cpuJs()] });
    const choice = await r.selectBackend('auto');
    if (backend.software) {
      expect(choice.name).toBe('cpu-js');
      expect(choice.skipped[0]?.reason).toMatch(/software adapter .*allowSoftware: true/);
    } else {
      expect(choice.name).toBe('webgpu');
    }
    r.dispose();
  });

  // Node only: a 1 GiB array is heavy for a browser tab
  it.skipIf(typeof window !== 'undefined')(
    'reports device out-of-memory as OutOfMemoryError and goes on working',
    async () => {
      const big = new Float32Array(2 ** 28);
      const error = await backend.forward(act('relu'), big).catch((e: unknown) => e);
      // SwiftShader cannot hold 3 GiB of buffers; a large GPU might, and then computes it
      if (error instanceof Error) {
        expect(error).toBeInstanceOf(OutOfMemoryError);
        expect(error.message).toMatch(/could not allocate \d+ MiB.*smaller pieces/);
      }
      expect([...(await backend.forward(act('relu'), Float32Array.of(-1, 3)))]).toEqual([0, 3]);
      await expect(backend.forward(act('relu'), new Float32Array(2 ** 29 + 64))).rejects.toThrow(
        /takes at most/,
      );
    },
  );

  it('turns device loss into DeviceLostError, and the registry re-creates the backend', async () => {
    const r = createRegistry({
      activations: zoo,
      backends: [webgpu({ allowSoftware: true }), cpuJs()],
    });
    const first = (await r.backend('auto')) as WebGPUBackend;
    expect(first.name).toBe('webgpu');
    first.device.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(first.forward(act('relu'), ramp(8))).rejects.toBeInstanceOf(DeviceLostError);
    expect(first.state).toBe('lost');
    // asking again is the recovery the error advises: the registry re-creates it and says so
    const choice = await r.selectBackend('auto');
    expect(choice.name).toBe('webgpu');
    expect(choice.backend).not.toBe(first);
    expect(choice.recovered).toEqual([
      { name: 'webgpu', reason: 'its device was lost; created again' },
    ]);
    expect(Array.from(await choice.backend.forward(act('relu'), Float32Array.of(-1, 3)))).toEqual([
      0, 3,
    ]);
    expect(await r.backend('auto')).toBe(choice.backend);
    r.dispose();
  });
});

describe.skipIf(unavailable)(
  'results normal where the truth is normal (a device may flush denormals)',
  () => {
    it('double-float products with a tiny factor keep float32 accuracy (no garbage from flushed splits)', async () => {
      const df = await WebGPUBackend.create({ allowSoftware: true, precision: 'df32' });
      try {
        // erfc(8.76) ≈ 2.9e-35: the low half of its Dekker split is a denormal; it came out 2^-13 off
        const scaled = defineActivation({
          id: 'scaled-erfc',
          forward: '1e20 * erfc(-0.7071067811865476 * x)',
        }).create();
        const x = Float32Array.of(-12.391273498535156, -12.9, -11.5);
        const y = await df.forward(scaled, x);
        expect(
          worstUlps(
            y,
            Array.from(x, (v) => scaled.forward(v)),
          ),
        ).toBeLessThanOrEqual(2);
      } finally {
        df.dispose();
      }
    });

    it('SiLU′, GELU′ and mish′ in their tails, and GELU′ backward with small and large dy', async () => {
      // x·σ(x)·σ(-x) and Φ(x) alone are denormals there while the results are normal floats
      for (const [id, xs] of [
        ['silu', [-87.5, -88, -89.5, -91.5]],
        ['mish', [-86.7, -88, -91]],
        ['gelu', [-12.95, -13, -13.2]],
      ] as const) {
        const a = act(id);
        const x = Float32Array.from(xs);
        const d = await backend.derivative(a, x);
        const want = Array.from(x, (v) => a.derivative(v));
        for (const w of want) expect(Math.abs(w)).toBeGreaterThan(2 ** -126);
        expect(worstUlps(d, want), id).toBeLessThanOrEqual(4);
      }
      const gelu = act('gelu');
      const x = Float32Array.of(-12.9, -12.391273498535156, -10);
      for (const dy of [0.2, 1, 2 ** 16, 2 ** 20]) {
        const g = await backend.backward(gelu, x, new Float32Array(x.length).fill(dy));
        expect(
          worstUlps(
            g,
            Array.from(x, (v) => dy * gelu.derivative(v)),
          ),
          `dy ${dy}`,
        ).toBeLessThanOrEqual(5);
      }
    });

    it('softplus and log-sigmoid near e^-87 (log1p of a normal u below 2^-24 is u)', async () => {
      const x = Float32Array.of(-86.7, -87, -87.3);
      for (const [id, sign] of [
        ['softplus', 1],
        ['log-sigmoid', -1],
      ] as const) {
        const a = act(id);
        const input = Float32Array.from(x, (v) => sign * v);
        const y = await backend.forward(a, input);
        expect(
          worstUlps(
            y,
            Array.from(input, (v) => a.forward(v)),
          ),
          id,
        ).toBeLessThanOrEqual(4);
      }
    });
  },
);
