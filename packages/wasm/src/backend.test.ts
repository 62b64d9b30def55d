import {
  type BackendPlugin,
  BadInputError,
  createRegistry,
  defineActivation,
  type ElementwiseActivation,
  OutOfMemoryError,
} from '@activations/core';
import { float32Error, floatsAround } from '@activations/core/backend';
import {
  elu,
  gelu,
  hardSigmoid,
  mish,
  relu,
  sigmoid,
  silu,
  softplus,
  swish,
  zoo,
} from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { WasmBackend } from './backend.js';
import { compileKernel } from './compile.js';
import { wasm } from './index.js';
import { PROBE_ULPS, patchesFor, probeInputs, worstUlps } from './kernels.js';

describe('wasm backend', () => {
  it("is what 'auto' picks over a lower-priority backend, and refuses Float64Array saying where to go", async () => {
    const fallback: BackendPlugin = {
      name: 'cpu-js',
      priority: 0,
      isSupported: () => true,
      create: () => new WasmBackend(),
    };
    const registry = createRegistry({ activations: zoo, backends: [fallback, wasm()] });
    const choice = await registry.selectBackend('auto');
    expect(choice.name).toBe('wasm');
    await expect(
      choice.backend.forward(registry.activation('gelu'), new Float64Array(4)),
    ).rejects.toThrow(/computes in float32; .*use a backend with Float64Array support \(cpu-js\)/);
  });

  it('computes f32 lanes where float32 is accurate, f64 or hybrid lanes where it is not', () => {
    const backend = new WasmBackend();
    const x = probeInputs();
    const lanes = (act: ElementwiseActivation) => {
      backend.forwardSync(act, x);
      return backend.lanesOf(act);
    };
    expect(lanes(sigmoid.create())).toBe('f32');
    expect(lanes(relu.create())).toBe('f32');
    // GELU: x·Φ(x) = max(x, 0) - |x|·Φ(-|x|), Φ(-a) = e^(-a²/2)·R(a) with the square exact and R
    // from four polynomials picked per lane
    expect(lanes(gelu.create())).toBe('f32');
    // x·σ(x) with x in σ's division: normal results down to x ≈ -91.6, where σ is a denormal
    expect(lanes(silu.create())).toBe('f32');
    // elu' = e^x for x ≤ 0: f32; where e^x falls below 2^-96 (a float32 denormal that backward's
    // dy could scale back into the normal range) the lanes take the kernel's float64 path
    const eluAct = elu.create();
    backend.derivativeSync(eluAct, x);
    expect(backend.lanesOf(eluAct, 'derivative')).toBe('f32');
    // tanh′ = 4e^(-2|x|)/(1 + e^(-2|x|))²: float32 is not accurate enough over much of [-10, 10],
    // where a hybrid kernel would compute most vectors twice: f64 lanes throughout
    const tanhAct = zoo.find((d) => d.id === 'tanh')!.create() as ElementwiseActivation;
    backend.derivativeSync(tanhAct, x);
    expect(backend.lanesOf(tanhAct, 'derivative')).toBe('f64');
    // tanh(softplus(x)) as n/(n + 2), n = e^x(e^x + 2), carried scaled by 2^8
    expect(lanes(mish.create())).toBe('f32');
    // log1p of e^-|x| ∈ (0, 1] takes the short 2·atanh(u/(2+u)) path, accurate enough for f32 lanes
    expect(lanes(softplus.create())).toBe('f32');
  });

  it('keeps every normal result between the probe points: the float32 underflow edge, tiny and huge inputs', () => {
    const backend = new WasmBackend();
    const check = (act: ElementwiseActivation, inputs: number[]) => {
      const x = Float32Array.from(inputs);
      const y = backend.forwardSync(act, x);
      for (const [i, v] of x.entries())
        expect(float32Error(y[i]!, act.forward(v)), `${act.id}(${v})`).toBeLessThanOrEqual(4);
    };
    // e^x reaches float32's smallest normal number at x = -126·ln 2 ≈ -87.3365, not at -87.33
    const edge = Array.from({ length: 64 }, (_, i) => -87.3 - i * 0.0006);
    check(sigmoid.create(), edge);
    check(elu.create(), edge);
    // x·σ(x) is normal down to x ≈ -91.6; x/2 for tiny x; x for huge x (x·T must not overflow)
    const extremes = [-88.5, -90, -91.5, -93, -1e-37, 1e-37, -1e-30, 2e28, 1e30, 3e38, -3e38, -500];
    check(silu.create(), [...edge, ...extremes]);
    // mish likewise (x·tanh(softplus(x)) with x in the gate's division)
    check(mish.create(), [...edge, ...extremes]);
    // GELU is normal down to x ≈ -13.15; its tail a·Φ(-a) is scaled before the product
    check(gelu.create(), [...extremes, -13, -13.1, -13.14, -7, -3, -1, 1, 3, 7, 13.7, 20]);
  });

  it('derives patch intervals from the inputs the f32 kernel failed on', () => {
    expect(patchesFor([-91, -90.5, -89.75])).toEqual([[-91 - 1, -89.75 + 1]]);
    expect(patchesFor([-3, 5])).toEqual([
      [-4, -2],
      [4, 6],
    ]);
    expect(patchesFor([Number.NaN])).toBeUndefined();
    expect(patchesFor([1, 3, 5, 7, 9])).toBeUndefined(); // too scattered: f64 lanes instead
    // beyond the dense grid, one tail per side
    expect(
      patchesFor([-3e38, -1e30, -1e4, -100, -99.5, 99.5, 100, 1e4, Number.POSITIVE_INFINITY]),
    ).toEqual([
      [-3e38 - 3e36, -99.5 + 1],
      [99.5 - 1, Number.POSITIVE_INFINITY],
    ]);
  });

  it('gives user-defined activations SIMD kernels too', () => {
    const backend = new WasmBackend();
    const quickGelu = defineActivation({
      id: 'quick-gelu',
      forward: 'x * sigmoid(1.702 * x)',
    }).create();
    const x = probeInputs();
    expect(worstUlps(backend.forwardSync(quickGelu, x), x, quickGelu.forward)).toBeLessThanOrEqual(
      PROBE_ULPS,
    );
    expect(backend.lanesOf(quickGelu)).toMatch(/^(f32|hybrid|f64)$/);
    // f32 lanes plus the float64 path for results below 2^-96
    expect(compileKernel(quickGelu.kernels.forward, 'map', 'f32').bytes.length).toBeLessThan(8192);
  });

  it('decides conditions on c·x + d as the reference does (hard-sigmoid′(2.9999998) was 0)', () => {
    const backend = new WasmBackend();
    const act = hardSigmoid.create();
    const x = Float32Array.of(2.999999761581421, 3, -2.999999761581421, -3);
    const d = backend.derivativeSync(act, x);
    for (const [i, v] of x.entries()) expect(d[i]).toBeCloseTo(act.derivative(v), 7);
  });

  it('keeps results inside the declared range (tanh′ rounded to 1.0000001 for tiny x before)', () => {
    const backend = new WasmBackend();
    const t = zoo.find((d) => d.id === 'tanh')!.create() as ElementwiseActivation;
    const x = Float32Array.of(7.4505820180093e-8, 1e-9, 2 ** -20, 0, -1e-9);
    for (const v of backend.derivativeSync(t, x)) expect(v).toBeLessThanOrEqual(1);
    expect(backend.derivativeSync(t, Float32Array.of(Number.NaN))[0]).toBeNaN();
  });

  it("gives common spellings the zoo kernel's lanes, within the same bound", () => {
    const backend = new WasmBackend();
    const x = probeInputs();
    const spellings: Array<[string, ElementwiseActivation]> = [
      ['0.5*x*(1+erf(x/sqrt(2)))', gelu.create()],
      ['x*0.5*erfc(-x/sqrt(2))', gelu.create()],
      ['0.5 * x * erfc(-0.7071067811865476 * x)', gelu.create()],
      ['x/(1+exp(-x))', silu.create()],
      ['x*sigmoid(x)', silu.create()],
      ['x*tanh(log(1+exp(x)))', mish.create()],
      ['x*tanh(softplus(x))', mish.create()],
      ['log(1+exp(x))', softplus.create()],
      ['log1p(exp(x))', softplus.create()],
      ['1/(1+exp(-x))', sigmoid.create()],
      ['exp(x)/(1+exp(x))', sigmoid.create()],
      ['x*sigmoid(1.702*x)', swish.create({ beta: 1.702 })],
      ['x/(1+exp(-1.702*x))', swish.create({ beta: 1.702 })],
    ];
    for (const [formula, own] of spellings) {
      const user = defineActivation({ id: 'spelling', forward: formula }).create();
      for (const op of ['forward', 'derivative'] as const) {
        const run = (a: ElementwiseActivation) =>
          op === 'forward' ? backend.forwardSync(a, x) : backend.derivativeSync(a, x);
        const reference = op === 'forward' ? user.forward : user.derivative;
        expect(worstUlps(run(user), x, reference), `${formula} ${op}`).toBeLessThanOrEqual(
          PROBE_ULPS,
        );
        run(own);
        expect(backend.lanesOf(user, op), `${formula} ${op}`).toBe(backend.lanesOf(own, op));
      }
    }
  });

  it('handles lengths that are not a multiple of 4 or of the copy block', () => {
    const backend = new WasmBackend();
    const act = sigmoid.create();
    for (const n of [1, 3, 5, 4095, 4097, 10001]) {
      const x = Float32Array.from({ length: n }, (_, i) => (i % 23) - 11);
      const y = backend.forwardSync(act, x);
      for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 7)))
        expect(y[i]).toBeCloseTo(act.forward(x[i]!), 6);
      expect(y[n - 1]).toBeCloseTo(act.forward(x[n - 1]!), 6);
    }
  });
});

describe('WasmArray (zero copy)', () => {
  it('runs kernels in place on arrays in wasm memory', () => {
    const backend = new WasmBackend();
    const a = backend.allocate(10);
    a.array.set([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
    const out = backend.forwardArray(relu.create(), a);
    expect([...out.array]).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
    backend.forwardArray(relu.create(), a, a);
    expect(a.array[0]).toBe(0);
    const dy = backend.allocate(10);
    dy.array.fill(2);
    expect([...backend.backwardArray(sigmoid.create(), a, dy).array.slice(0, 2)]).toEqual([
      0.5, 0.5,
    ]);
  });

  it('views survive memory growth', () => {
    const backend = new WasmBackend();
    const a = backend.allocate(4);
    a.array.set([1, 2, 3, 4]);
    const before = backend.memory.buffer.byteLength;
    const big = backend.allocate(4_000_000); // grows memory, detaching the old buffer
    expect(backend.memory.buffer.byteLength).toBeGreaterThan(before);
    expect([...a.array]).toEqual([1, 2, 3, 4]);
    big.free();
  });

  it('reuses freed memory and refuses freed or foreign arrays', () => {
    const backend = new WasmBackend();
    const a = backend.allocate(1000);
    const offset = a.byteOffset;
    a.free();
    expect(backend.allocate(500).byteOffset).toBe(offset);
    expect(() => a.array).toThrow(/was freed/);
    const other = new WasmBackend().allocate(4);
    expect(() => backend.forwardArray(relu.create(), other)).toThrow(BadInputError);
    expect(() => backend.allocate(-1)).toThrow(/whole number of elements/);
  });
});

describe('kernel sizes', () => {
  it('reports the size of the kernel actually compiled', () => {
    const backend = new WasmBackend();
    const act = hardSigmoid.create();
    expect(backend.kernelBytes(act, 'forward')).toBeUndefined();
    backend.forwardSync(act, probeInputs());
    const bytes = backend.kernelBytes(act, 'forward')!;
    expect(backend.lanesOf(act, 'forward')).toBe('hybrid');
    // the hybrid kernel holds both paths: larger than the plain f32 kernel
    expect(bytes).toBeGreaterThan(compileKernel(act.kernels.forward, 'map', 'f32').bytes.length);
  });

  it('digests a compiled kernel: the same kernel in another backend the same, another kernel not', () => {
    const [a, b] = [new WasmBackend(), new WasmBackend()];
    const act = hardSigmoid.create();
    expect(a.kernelDigest(act)).toBeUndefined();
    a.forwardSync(act, probeInputs());
    b.forwardSync(act, probeInputs());
    a.derivativeSync(act, probeInputs());
    const digest = a.kernelDigest(act)!;
    expect(digest).toMatch(/^[0-9a-f]{16}:/);
    expect(b.kernelDigest(act)).toBe(digest);
    expect(a.kernelDigest(act, 'derivative')).not.toBe(digest);
  });
});

describe('lifecycle that recovers', () => {
  it('a failed allocation leaves the heap usable (typed OutOfMemoryError, nothing leaked)', () => {
    const backend = new WasmBackend();
    const before = backend.allocate(16);
    expect(() => backend.allocate(2 ** 30)).toThrow(OutOfMemoryError);
    expect(() => backend.allocate(2 ** 30)).toThrow(/process the array in smaller pieces/);
    const after = backend.allocate(16);
    expect(after.byteOffset).toBeGreaterThan(before.byteOffset);
    expect(after.byteOffset - before.byteOffset).toBeLessThan(1024);
    const x = Float32Array.of(-1, 0, 1);
    expect([...backend.forwardSync(relu.create(), x)]).toEqual([0, 0, 1]);
  });

  it('softmax over long arrays runs a bounded block of rows at a time, and trim() gives memory back', () => {
    const backend = new WasmBackend();
    const n = 1 << 22;
    const x = Float32Array.from({ length: n }, (_, i) => (i % 1000) / 100);
    const act = zoo.find((d) => d.id === 'softmax')!.create({ rowLength: 1000 * 4 });
    const y = backend.forwardSync(act, x.subarray(0, 4_000_000));
    expect(y[0]).toBeGreaterThan(0);
    // memory grows with one block of rows, not with the array
    expect(backend.memory.buffer.byteLength).toBeLessThan(4 * 2 ** 20);
    const big = backend.allocate(8_000_000);
    big.free();
    const grown = backend.memory.buffer.byteLength;
    expect(grown).toBeGreaterThan(32e6);
    expect(backend.trim()).toBeGreaterThan(30e6);
    expect(backend.memory.buffer.byteLength).toBeLessThan(grown / 8);
    // kernels instantiate again on the new memory
    expect([...backend.forwardSync(relu.create(), Float32Array.of(-1, 2))]).toEqual([0, 2]);
    expect(backend.forwardSync(act, x.subarray(0, 4000))[0]).toBeCloseTo(y[0]!, 7);
    const live = backend.allocate(4);
    expect(backend.trim()).toBe(0); // a live WasmArray keeps the memory
    live.free();
  });

  it('compiles huge expressions quickly: math functions become helper calls instead of inlined copies', () => {
    const backend = new WasmBackend();
    const nested = defineActivation({
      id: 'sin-100',
      forward: `${'sin('.repeat(100)}x${')'.repeat(100)}`,
    }).create();
    const x = Float32Array.from({ length: 100 }, (_, i) => i / 10 - 5);
    const d = backend.derivativeSync(nested, x);
    for (let i = 0; i < x.length; i++)
      expect(float32Error(d[i]!, nested.derivative(x[i]!))).toBeLessThanOrEqual(4);
    expect(backend.kernelBytes(nested, 'derivative')).toBeLessThan(64 * 1024);
  });
});

describe('kernels that f64 lanes cannot get right', () => {
  it('run the float64 reference instead (lanes "scalar"), exactly, when not even f64 lanes pass the probe', () => {
    const backend = new WasmBackend();
    // erfc(0) = cos(0) = 1 exactly in float64; approximations of both need not be equal
    const knife = defineActivation({
      id: 'knife-edge',
      forward: 'erfc(x) != cos(x) ? sign(x) : 0.5',
    }).create();
    const y = backend.forwardSync(knife, Float32Array.of(-1, 0, 1));
    expect([...y]).toEqual([-1, 0.5, 1]);
    expect(backend.lanesOf(knife)).toBe('scalar');
    const a = backend.allocate(3);
    a.array.set([-1, 0, 1]);
    expect([...backend.forwardArray(knife, a).array]).toEqual([-1, 0.5, 1]);
  });

  it('expm1 overflows to +∞, not NaN, on f64 lanes', () => {
    const backend = new WasmBackend();
    const twice = defineActivation({ id: 'expm1-twice', forward: 'expm1(expm1(x))' }).create();
    const y = backend.forwardSync(twice, Float32Array.of(1, 6.8, 100));
    expect(y[0]).toBeCloseTo(Math.expm1(Math.expm1(1)), 5);
    expect([y[1], y[2]]).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(backend.lanesOf(twice)).not.toBe('scalar');
  });
});

describe('resident arrays follow the same rules on every backend', () => {
  it('take a vector activation for forward (out apart from x) and refuse losses and vector derivatives', () => {
    const backend = new WasmBackend();
    const softmaxAct = zoo.find((d) => d.id === 'softmax')!.create({ rowLength: 2 });
    const a = backend.allocate(4);
    a.array.set([0, 0, 1, 1]);
    expect([...backend.forwardArray(softmaxAct, a).array]).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(() => backend.forwardArray(softmaxAct, a, a)).toThrow(/reads whole rows/);
    expect(() => backend.derivativeArray(softmaxAct, a)).toThrow(BadInputError);
    const lossAct = zoo.find((d) => d.id === 'softmax-cross-entropy')!.create({ rowLength: 2 });
    expect(() => backend.forwardArray(lossAct, a)).toThrow(/not a loss/);
  });
});

describe('next to a root', () => {
  it('gives GELU′ within the bound at the floats around its root, typed arrays and WasmArray alike', () => {
    const backend = new WasmBackend();
    const act = zoo.find((d) => d.id === 'gelu')!.create() as ElementwiseActivation;
    const x = Float32Array.from(floatsAround(-0.7517915246935645, 8));
    const typed = backend.derivativeSync(act, x);
    const array = backend.allocate(x.length);
    array.array.set(x);
    const inMemory = backend.derivativeArray(act, array).array;
    x.forEach((v, i) => {
      const want = act.derivative(v);
      expect(float32Error(typed[i]!, want), `x = ${v}`).toBeLessThanOrEqual(3);
      expect(float32Error(inMemory[i]!, want), `x = ${v} (WasmArray)`).toBeLessThanOrEqual(3);
    });
  });
});
