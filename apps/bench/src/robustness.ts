/**
 * `pnpm --filter @activations/bench robustness`: re-runs, on every backend, the misuses the
 * backend-contract issue measured (injection, prototype names, exploding expressions, aliasing,
 * detached and shared buffers, heap and worker failures, device loss, compile stampedes, cache
 * growth) and prints what each gives now, with times. A report, not a test: times are this
 * machine's (print the CPU with them), and the suites check the behaviour without timing it.
 *
 *   pnpm --filter @activations/bench robustness [-- --fuzz 10000 --gpu-fuzz 300]
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import {
  type Activation,
  type Backend,
  createRegistry,
  defineActivation,
  type ElementwiseActivation,
  type SyncBackend,
} from '@activations/core';
import { float32Error } from '@activations/core/backend';
import { hostileTrees, sentinel } from '@activations/core/testing';
import { CpuJsBackend } from '@activations/cpu-js';
import { WasmBackend } from '@activations/wasm';
import { WebGPUBackend } from '@activations/webgpu';
import { zoo } from '@activations/zoo';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER))
  process.env.VK_ICD_FILENAMES = SWIFTSHADER;

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(argv[at + 1]);
};
const FUZZ = option('fuzz', 10_000);
const GPU_FUZZ = option('gpu-fuzz', 300);

const registry = createRegistry({ activations: zoo });
const act = (id: string, params?: Record<string, unknown> | string) =>
  registry.activation(id, params);
const cpu = new CpuJsBackend();
const wasm = new WasmBackend();
const gpu = await WebGPUBackend.create({ allowSoftware: true }).catch(() => undefined);
const backends: Backend[] = [cpu, wasm, ...(gpu ? [gpu] : [])];

const cpuModel = (() => {
  try {
    return (
      /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model
    );
  } catch {
    return cpus()[0]?.model;
  }
})();
console.log(
  `node ${process.version}, ${cpus().length} cores, ${cpuModel}; webgpu: ${gpu ? gpu.adapterName : 'none'}\n`,
);

const ms = (t: number) => `${(performance.now() - t).toFixed(1)} ms`;
/** What a call gives: its value, or the error's class and code. */
async function outcome(run: () => unknown): Promise<string> {
  const t = performance.now();
  try {
    const value = await run();
    const shown = ArrayBuffer.isView(value)
      ? `[${Array.from(value as Float32Array)
          .slice(0, 4)
          .join(', ')}${(value as Float32Array).length > 4 ? ', …' : ''}]`
      : String(value);
    return `ok ${shown} (${ms(t)})`;
  } catch (error) {
    const e = error as Error & { code?: string };
    return `${e.constructor.name}${e.code ? ` ${e.code}` : ''}: ${e.message.split('\n')[0]!.slice(0, 150)} (${ms(t)})`;
  }
}
const section = (title: string) => console.log(`\n## ${title}`);
const line = (label: string, text: string) => console.log(`- ${label}: ${text}`);

section('Injection and prototype names');
const injection = JSON.parse(
  '{"kind":"select","cond":{"kind":"compare","op":"lt","left":{"kind":"binary","op":"add","left":{"kind":"input"},"right":{"kind":"const","value":"(globalThis.PWNED=1,0)"}},"right":{"kind":"const","value":0}},"ifTrue":{"kind":"input"},"ifFalse":{"kind":"unary","op":"neg","arg":{"kind":"input"}}}',
);
line(
  'string constant in a JSON tree',
  await outcome(() =>
    cpu.forwardSync(defineActivation({ id: 't', forward: injection }).create(), Float32Array.of(1)),
  ),
);
const toStringConstant = { kind: 'const', value: { toString: () => '(globalThis.PWNED=1,0)' } };
line(
  'object constant with toString',
  await outcome(() => defineActivation({ id: 't', forward: toStringConstant as never })),
);
line('globalThis.PWNED after both', String((globalThis as { PWNED?: unknown }).PWNED));
for (const text of ['constructor', '__proto__', 'toString + 1', 'valueOf * x']) {
  line(`formula '${text}'`, await outcome(() => defineActivation({ id: 't', forward: text })));
}
line(
  "registry.activation('elu', { constructor: 1 })",
  await outcome(() => act('elu', JSON.parse('{"constructor": 1}'))),
);
line("preset 'constructor'", await outcome(() => act('hard-sigmoid', 'constructor')));
line("preset '__proto__'", await outcome(() => act('hard-sigmoid', '__proto__')));
for (const b of backends) {
  line(
    `${b.name} paramGradient(prelu, 'constructor')`,
    await outcome(() =>
      b.paramGradient(
        act('prelu') as ElementwiseActivation,
        'constructor',
        Float32Array.of(-1, 2),
        Float32Array.of(1, 1),
      ),
    ),
  );
}

section(
  'Work that explodes: nested expressions (define+create, then forward and derivative of 1,000 floats per backend)',
);
const nest = (f: string, n: number) => `${`${f}(`.repeat(n)}x${')'.repeat(n)}`;
for (const [f, n] of [
  ['sin', 50],
  ['sin', 100],
  ['tanh', 25],
  ['sigmoid', 16],
  ['softplus', 24],
] as const) {
  const t = performance.now();
  let a: Activation;
  try {
    a = defineActivation({ id: `nested-${f}-${n}`, forward: nest(f, n) }).create();
  } catch (error) {
    line(`${f} nested ${n}`, `refused: ${(error as Error).message.slice(0, 100)} (${ms(t)})`);
    continue;
  }
  const parts = [`define+create ${ms(t)}`];
  const x = Float32Array.from({ length: 1000 }, (_, i) => i / 50 - 10);
  for (const b of backends)
    parts.push(
      `${b.name}: ${await outcome(async () => {
        await b.forward(a, x);
        return (await b.derivative(a, x)).length;
      })}`,
    );
  line(`${f} nested ${n}`, parts.join('; '));
}
for (const [label, text] of [
  ['1,406 nested parentheses', `${'('.repeat(1406)}x${')'.repeat(1406)}`],
  ['a 6,249-term sum', Array.from({ length: 6249 }, () => 'x').join(' + ')],
  ['10,000 unary minuses', `${'-'.repeat(10_000)}x`],
  [
    'a 2,000-branch ternary',
    `${Array.from({ length: 2000 }, (_, i) => `x < ${i} ? ${i} : `).join('')}x`,
  ],
] as const) {
  line(label, await outcome(() => defineActivation({ id: 't', forward: text })));
}

section(`Fuzz: ${FUZZ} random trees, well-formed and hostile`);
{
  const trees = hostileTrees(FUZZ, 2026);
  let accepted = 0;
  let refused = 0;
  let untyped = 0;
  const defineTimes: number[] = [];
  const createTimes: number[] = [];
  const accepted_: ElementwiseActivation[] = [];
  for (const [k, tree] of trees.entries()) {
    const t = performance.now();
    let definition: ReturnType<typeof defineActivation> | undefined;
    try {
      definition = defineActivation({
        id: `fuzz-${k}`,
        params: { alpha: { default: 0.5, description: 'a parameter' } },
        forward: tree as never,
      });
      accepted++;
    } catch (error) {
      if ((error as { code?: unknown }).code === undefined) untyped++;
      refused++;
    }
    defineTimes.push(performance.now() - t);
    if (definition) {
      const c = performance.now();
      accepted_.push(definition.create());
      createTimes.push(performance.now() - c);
    }
  }
  line('accepted / refused (typed) / untyped errors', `${accepted} / ${refused} / ${untyped}`);
  const quantile = (a: number[], p: number) =>
    [...a].sort((u, v) => u - v)[Math.floor(p * (a.length - 1))]!.toFixed(2);
  line(
    'accepted or refused (defineActivation): median / p99 / max',
    `${quantile(defineTimes, 0.5)} / ${quantile(defineTimes, 0.99)} / ${quantile(defineTimes, 1)} ms`,
  );
  line(
    'create() of the accepted (derivative, bounds, properties): median / p99 / max',
    `${quantile(createTimes, 0.5)} / ${quantile(createTimes, 0.99)} / ${quantile(createTimes, 1)} ms`,
  );
  line('sentinel global set', String(sentinel()));
  const x = Float32Array.from({ length: 1001 }, (_, i) => (i - 500) / 25);
  const agree = async (b: Backend, acts: ElementwiseActivation[], ulps: number, floor: number) => {
    let worst = 0;
    let ran = 0;
    const refusedByBackend: Record<string, number> = {};
    let beyond = 0;
    for (const a of acts) {
      let y: Float32Array;
      try {
        y = await b.forward(a, x);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'untyped';
        refusedByBackend[code] = (refusedByBackend[code] ?? 0) + 1;
        continue;
      }
      ran++;
      let local = 0;
      for (let i = 0; i < x.length; i++) {
        const expected = a.forward(x[i]!);
        if (Math.abs(y[i]! - expected) <= floor) continue;
        local = Math.max(local, float32Error(y[i]!, expected));
      }
      if (local > ulps) beyond++;
      worst = Math.max(worst, local);
    }
    const refusals =
      Object.entries(refusedByBackend)
        .map(([code, n]) => `${n} ${code}`)
        .join(', ') || 'none';
    return `${ran} ran, refused: ${refusals}; worst ${worst.toFixed(2)} ULP against float64, ${beyond} beyond ${ulps} ULP`;
  };
  let t = performance.now();
  line(
    `cpu-js, all ${accepted_.length} accepted`,
    `${await agree(cpu, accepted_, 2, 0)} (${ms(t)})`,
  );
  t = performance.now();
  line(
    `wasm, all ${accepted_.length} accepted`,
    `${await agree(wasm, accepted_, 4, 0)} (${ms(t)})`,
  );
  if (gpu) {
    t = performance.now();
    line(
      `webgpu, the first ${Math.min(GPU_FUZZ, accepted_.length)} accepted`,
      `${await agree(gpu, accepted_.slice(0, GPU_FUZZ), 4, 2 ** -116)} (${ms(t)})`,
    );
  }
  line('sentinel global set after running them', String(sentinel()));
}

section('Contract');
{
  const n = 10_000;
  for (const b of backends) {
    const buffer = new Float32Array(n + 1);
    for (let i = 0; i < n; i++) buffer[i] = (i - 5000) / 500;
    const expected = await b.forward(act('sigmoid'), buffer.slice(0, n));
    const got = await b.forward(act('sigmoid'), buffer.subarray(0, n), buffer.subarray(1));
    let wrong = 0;
    for (let i = 0; i < n; i++) if (!Object.is(got[i], expected[i])) wrong++;
    line(
      `${b.name}: out = buf.subarray(1) over x = buf.subarray(0, ${n})`,
      `${wrong} of ${n} results differ from separate arrays`,
    );
  }
  const detached = new Float32Array(8);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  for (const b of backends)
    line(`${b.name}: detached input`, await outcome(() => b.forward(act('relu'), detached)));
  const shared = new Float32Array(new SharedArrayBuffer(16));
  shared.set([-1, 1, 2, -2]);
  for (const b of backends)
    line(`${b.name}: SharedArrayBuffer input`, await outcome(() => b.forward(act('relu'), shared)));
  if (gpu)
    line(
      'webgpu: 2^28 elements',
      await outcome(() => gpu.forward(act('relu'), new Float32Array(2 ** 28))),
    );
  const x = Float32Array.of(1, 2);
  const calls: Array<[string, () => unknown]> = [
    ['forward(null, x)', () => cpu.forward(null as never, x)],
    ["forward('relu', x)", () => cpu.forward('relu' as never, x)],
    ['forward(definition, x)', () => cpu.forward(zoo[0] as never, x)],
    ['forward(act, x, null)', () => cpu.forward(act('relu'), x, null as never)],
    ['registry.activation(undefined)', () => registry.activation(undefined as never)],
    ['registry.activation(42)', () => registry.activation(42 as never)],
    ["registry.activation('elu', null)", () => registry.activation('elu', null as never)],
    ["registry.activation('elu', true)", () => registry.activation('elu', true as never)],
    ['registry.backend(null)', () => registry.backend(null as never)],
    ["register({ id: 'x' })", () => registry.register({ id: 'x' } as never)],
    ['defineActivation({ forward: 3 })', () => defineActivation({ forward: 3 } as never)],
    [
      "aliases ['Bad Alias!']",
      () => defineActivation({ id: 'a', aliases: ['Bad Alias!'], forward: 'x' }),
    ],
    ["aliases ['a'] (the id)", () => defineActivation({ id: 'a', aliases: ['a'], forward: 'x' })],
    ['duplicate id', () => createRegistry({ activations: [zoo[0]!, zoo[0]!] })],
    ["'reluu'", () => registry.activation('reluu')],
  ];
  for (const [label, run] of calls) line(label, await outcome(run));
  const threshold = act('threshold', { value: 0 });
  const minusZero = act('threshold', { value: -0 }) as ElementwiseActivation;
  line(
    'threshold {value: -0} after {value: 0}, at x = -1',
    `${Object.is(cpu.forwardSync(minusZero, Float32Array.of(-1))[0], -0) ? '-0' : '+0'} (a different activation: ${threshold !== minusZero})`,
  );
}

section('Lifecycle');
{
  const w = new WasmBackend();
  line('wasm allocate(2 ** 30)', await outcome(() => w.allocate(2 ** 30)));
  line(
    'then allocate(1000), softmax, a new kernel',
    await outcome(() => {
      w.allocate(1000).free();
      w.forwardSync(act('softmax', { rowLength: 4 }), Float32Array.of(1, 2, 3, 4));
      return w.forwardSync(
        defineActivation({ id: 'after-oom', forward: 'x * 3' }).create(),
        Float32Array.of(1),
      )[0];
    }),
  );
  const rows = new Float32Array(2 ** 27);
  const t = performance.now();
  w.forwardSync(act('softmax', { rowLength: 1024 }), rows);
  line(
    `softmax of 2^27 floats (rows of 1,024) on wasm, ${ms(t)}`,
    `wasm memory ${(w.memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB after it; trim() gave back ${w.trim()} bytes`,
  );
  const threaded = new WasmBackend({ threads: 1, threadMinElements: 1024 });
  line(
    'threaded forward of 2^27 floats (shared memory cannot hold it)',
    await outcome(async () => (await threaded.forward(act('sigmoid'), rows)).length),
  );
  threaded.dispose();
  const r = createRegistry({
    activations: zoo,
    backends: [
      ...(gpu ? [(await import('@activations/webgpu')).webgpu({ allowSoftware: true })] : []),
      (await import('@activations/cpu-js')).cpuJs(),
    ],
  });
  if (gpu) {
    const first = (await r.backend('webgpu')) as WebGPUBackend;
    first.device.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    line(
      'webgpu after device.destroy()',
      await outcome(() => first.forward(act('relu'), Float32Array.of(1))),
    );
    const choice = await r.selectBackend('webgpu');
    line(
      "registry.selectBackend('webgpu') again",
      `${choice.backend !== first ? 'a new backend' : 'the same lost backend'}, recovered: ${JSON.stringify(choice.recovered)}, forward: ${await outcome(() => choice.backend.forward(act('relu'), Float32Array.of(-1, 3)))}`,
    );
  }
  r.dispose();
}

section('Compile stampede: one new activation, first calls at once');
for (const make of [
  () => new CpuJsBackend(),
  () => new WasmBackend(),
  ...(gpu ? [() => WebGPUBackend.create({ allowSoftware: true })] : []),
]) {
  const b = await make();
  const x = Float32Array.from({ length: 1024 }, (_, i) => i / 100 - 5);
  const one = defineActivation({
    id: 'stampede-one',
    forward: 'x * sigmoid(1.3 * x) + 0.1',
  }).create();
  let t = performance.now();
  await b.forward(one, x);
  const single = performance.now() - t;
  const many = defineActivation({
    id: 'stampede-many',
    forward: 'x * sigmoid(1.7 * x) - 0.1',
  }).create();
  const before = b.kernelStats.compiled;
  t = performance.now();
  await Promise.all(Array.from({ length: 300 }, () => b.forward(many, x)));
  line(
    b.name,
    `one first call ${single.toFixed(1)} ms; 300 concurrent first calls ${ms(t)}, ${b.kernelStats.compiled - before} compile`,
  );
  b.dispose();
}

section('Kernel caches are bounded: 500 user-defined activations');
for (const b of [new CpuJsBackend(), new WasmBackend()] as SyncBackend[]) {
  (globalThis as { gc?: () => void }).gc?.();
  const heap = process.memoryUsage().heapUsed;
  const x = Float32Array.of(0.5);
  for (let k = 0; k < 500; k++)
    b.forwardSync(
      defineActivation({ id: `many-${k}`, forward: `x * sigmoid(${1 + k / 1000} * x)` }).create(),
      x,
    );
  (globalThis as { gc?: () => void }).gc?.();
  const stats = b.kernelStats;
  line(
    b.name,
    `${stats.cached} kernels held (capacity ${stats.capacity}), ${stats.evicted} let go of; JS heap +${((process.memoryUsage().heapUsed - heap) / 2 ** 20).toFixed(1)} MiB${b instanceof WasmBackend ? `, wasm memory ${(b.memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB` : ''}`,
  );
  b.dispose();
}

gpu?.dispose();
cpu.dispose();
wasm.dispose();
