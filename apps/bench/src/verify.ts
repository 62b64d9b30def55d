/**
 * `pnpm --filter @activations/bench verify`: every float32 input (or a 1/N sample with a prime
 * step, which cannot line up with the mantissa) of each zoo function × op through a backend,
 * against the float64 reference, on worker threads (one per core), with progress and resume.
 *
 *   pnpm --filter @activations/bench verify -- --ids gelu,silu --backend wasm --ops forward,derivative
 *   pnpm --filter @activations/bench verify -- --backend cpu-js --sample 16 --variants --out report.json
 *
 * Options: --ids a,b (default: every elementwise zoo function), --backend cpu-js|wasm|webgpu or a
 * list (cpu-js,wasm: both checked against one truth per chunk, in one pass; default wasm; webgpu
 * runs alone, on this thread), --ops forward,derivative,backward (backward with
 * dy ∈ --dy, default 1,1048576,9.5367431640625e-7), --sample N (default 1: all 2^32 inputs),
 * --variants (presets and PARAMETER_VARIANTS too), --no-defaults (only those), --threads K (default: the cores), --state FILE (resume from and save
 * to it; default .verify-state.json here), --out FILE (the JSON report).
 *
 * The reference is core's float64 closures (`act.forward`, `act.derivative`), evaluated per input;
 * a run of wasm alone takes cpu-js's generated float64 code instead (the same expressions, faster),
 * which a cpu-js run checks against the closures.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  createRegistry,
  type ElementwiseActivation,
  type SyncBackend,
  toText,
} from '@activations/core';
import { CpuJsBackend, toJS } from '@activations/cpu-js';
import { WasmBackend } from '@activations/wasm';
import {
  FLOAT32_SPECIALS,
  FLUSH_FLOOR,
  float32Error,
  floatsAround,
  readsAsZero,
} from '@activations/core/backend';
import { zoo } from '@activations/zoo';
import { check, emptyTally, mergeTally, rangeCheck, type Tally } from './verify-check.js';

const CHUNK = 1 << 20;
const TOTAL = 2 ** 32;
const BOUNDS: Record<string, number> = { 'cpu-js': 1, wasm: 3, webgpu: 4 };

/** One unit of work: a function (with parameters), an op, and for backward its dy. */
interface Job {
  readonly key: string;
  readonly id: string;
  readonly params: Record<string, number>;
  readonly op: 'forward' | 'derivative' | 'backward';
  readonly dy: number;
}

type BackendName = 'cpu-js' | 'wasm' | 'webgpu';

interface Config {
  /** Checked in one pass against one truth per chunk (webgpu only alone). */
  readonly backends: readonly BackendName[];
  readonly sample: number;
  readonly jobs: readonly Job[];
}

/**
 * Parameter values checked with --variants besides the defaults and presets: the ones users set
 * (softplus β, ELU/CELU α, leaky slopes, quick-GELU's swish β …), and values on either side of the
 * default that move a kernel's thresholds (β·x overflowing, α·expm1 scaling a tail).
 */
const PARAMETER_VARIANTS: Readonly<Record<string, ReadonlyArray<Record<string, number>>>> = {
  softplus: [{ beta: 0.5 }, { beta: 2 }, { beta: 100 }],
  elu: [{ alpha: 0.5 }, { alpha: 2 }],
  celu: [{ alpha: 0.5 }, { alpha: 2 }],
  swish: [{ beta: 0.5 }, { beta: 1.702 }, { beta: 2 }],
  'leaky-relu': [{ negativeSlope: 0.5 }],
  prelu: [{ alpha: 0.1 }, { alpha: 2 }],
  'hard-tanh': [{ minValue: -2, maxValue: 3 }],
  threshold: [{ threshold: 0.5, value: -1 }],
  squareplus: [{ b: 1 }, { b: 16 }],
  softshrink: [{ lambda: 1 }],
  hardshrink: [{ lambda: 1 }],
};

/** The prime step of a 1/N sample: the smallest prime ≥ N (1 for the whole set). */
function primeStep(n: number): number {
  if (n <= 1) return 1;
  const isPrime = (p: number) => {
    for (let d = 2; d * d <= p; d++) if (p % d === 0) return false;
    return p > 1;
  };
  let p = Math.max(2, Math.floor(n));
  while (!isPrime(p) || p === 2) p++;
  return p;
}

/** Where a sample's progression starts: not 0, so its low bits are not all zero. */
const SAMPLE_OFFSET = 1365;

/**
 * The inputs of chunk c: the bit patterns offset + k·step (mod 2^32) for the chunk's k, as float32
 * values. One progression for the whole run: an odd step visits the bit patterns evenly (after
 * 2^32/step inputs it wraps and goes on at the next residue), so a 1/N sample is spread over every
 * binade, every sign and every mantissa pattern.
 */
function inputsOf(chunk: number, sample: number, into: Float32Array): number {
  const sampled = Math.ceil(Math.ceil(TOTAL / sample) / CHUNK);
  if (sample > 1 && chunk === sampled) {
    into.set(SPECIALS);
    return SPECIALS.length;
  }
  const step = primeStep(sample);
  const count = Math.min(CHUNK, Math.ceil(TOTAL / sample) - chunk * CHUNK);
  const words = new Uint32Array(into.buffer, 0, count);
  const offset = sample <= 1 ? 0 : SAMPLE_OFFSET;
  for (let k = 0; k < count; k++) words[k] = (offset + (chunk * CHUNK + k) * step) >>> 0;
  return count;
}

/**
 * Inputs a sample must not miss: ±0, ±∞, NaN, the smallest subnormal, the normal range's ends, and
 * every float32 within 64 ULP of the thresholds kernels switch at (exp's overflow and underflow
 * edges, ±1, the -1000/-13.1/±18/±88.7/±104 cut-offs of the zoo's tails).
 */
const SPECIALS: Float32Array = (() => {
  const values = [...FLOAT32_SPECIALS];
  for (const t of [1, 13.1, 17.33, 18, 87.3365, 88.7228, 89.4159, 103.972, 1000, 2 ** 64, 1.19e7])
    for (const sign of [1, -1]) values.push(...floatsAround(sign * t, 64));
  return Float32Array.from(values);
})();

/** Chunks of one job: the sample's, plus one of SPECIALS when sampling (the whole set has them). */
function chunksPerJob(sample: number): number {
  return Math.ceil(Math.ceil(TOTAL / sample) / CHUNK) + (sample > 1 ? 1 : 0);
}

/** The declared interval an op's results must lie in (backward: none, dy scales it). */
function rangeOf(act: ElementwiseActivation, op: Job['op']) {
  return op === 'forward' ? act.bounds.output : op === 'derivative' ? act.bounds.derivative : null;
}

/**
 * Runs one chunk of one job on synchronous backends, against one truth: the closures, or
 * `reference`'s float64 code when given; returns a tally per backend.
 */
function runChunk(
  backends: ReadonlyArray<readonly [BackendName, SyncBackend]>,
  job: Job,
  chunk: number,
  sample: number,
  acts: Map<string, ElementwiseActivation>,
  reference: SyncBackend | undefined,
): Tally[] {
  const act = acts.get(job.key)!;
  const x = new Float32Array(CHUNK);
  const n = inputsOf(chunk, sample, x);
  const input = x.subarray(0, n);
  let want = new Float64Array(n);
  const wide = reference ? Float64Array.from(input) : undefined;
  if (job.op === 'forward') {
    if (reference) want = reference.forwardSync(act, wide!);
    else for (let i = 0; i < n; i++) want[i] = act.forward(input[i]!);
  } else {
    if (reference) want = reference.derivativeSync(act, wide!);
    else for (let i = 0; i < n; i++) want[i] = act.derivative(input[i]!);
    if (job.op === 'backward') for (let i = 0; i < n; i++) want[i] = job.dy * want[i]!;
  }
  const inRange = rangeCheck(rangeOf(act, job.op));
  const dy = job.op === 'backward' ? new Float32Array(n).fill(job.dy) : undefined;
  return backends.map(([name, backend]) => {
    const got =
      job.op === 'forward'
        ? backend.forwardSync(act, input)
        : job.op === 'derivative'
          ? backend.derivativeSync(act, input)
          : backend.backwardSync(act, input, dy!);
    const tally = emptyTally();
    check(tally, input, got, want, inRange, BOUNDS[name]!);
    return tally;
  });
}

function activations(jobs: readonly Job[]): Map<string, ElementwiseActivation> {
  const registry = createRegistry({ activations: zoo });
  const acts = new Map<string, ElementwiseActivation>();
  for (const job of jobs)
    acts.set(job.key, registry.activation(job.id, job.params) as ElementwiseActivation);
  return acts;
}

if (!isMainThread) {
  // a worker: its own backends, chunks on request
  const config = workerData as Config;
  const backends = config.backends.map(
    (name) => [name, name === 'cpu-js' ? new CpuJsBackend() : new WasmBackend()] as const,
  );
  // the float64 truth: the closures when cpu-js is checked (its own generated code is what it
  // runs), else cpu-js's generated code on Float64Array (the same expressions, faster)
  const reference = config.backends.includes('cpu-js') ? undefined : new CpuJsBackend();
  const acts = activations(config.jobs);
  parentPort!.on('message', (message: { job: number; chunk: number }) => {
    const job = config.jobs[message.job]!;
    const tallies = runChunk(backends, job, message.chunk, config.sample, acts, reference);
    parentPort!.postMessage({ job: message.job, chunk: message.chunk, tallies });
  });
} else {
  await main();
}

function parseArgs(argv: readonly string[]) {
  const get = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at < 0 ? undefined : argv[at + 1];
  };
  const backends = (get('backend') ?? 'wasm').split(',') as BackendName[];
  for (const backend of backends)
    if (!Object.hasOwn(BOUNDS, backend))
      throw new Error(`--backend is cpu-js, wasm, webgpu or a list of them, got ${backend}`);
  if (backends.includes('webgpu') && backends.length > 1)
    throw new Error('--backend webgpu runs alone (on this thread); run cpu-js,wasm separately');
  const elementwise = zoo.filter((d) => d.kind === 'elementwise');
  const ids = get('ids')?.split(',') ?? elementwise.map((d) => d.id);
  for (const id of ids)
    if (!elementwise.some((d) => d.id === id)) throw new Error(`unknown elementwise id '${id}'`);
  const ops = (get('ops') ?? 'forward,derivative').split(',') as Job['op'][];
  const dys = (get('dy') ?? `1,${2 ** 20},${2 ** -20}`).split(',').map(Number);
  const variants = argv.includes('--variants');
  const defaults = !argv.includes('--no-defaults');
  const jobs: Job[] = [];
  for (const id of ids) {
    const d = elementwise.find((e) => e.id === id)!;
    const sets: Array<[string, Record<string, number>]> = defaults ? [['', {}]] : [];
    if (variants) {
      for (const [name, preset] of Object.entries(d.presets))
        sets.push([`:${name}`, { ...preset.params }]);
      for (const params of PARAMETER_VARIANTS[id] ?? [])
        sets.push([
          `{${Object.entries(params)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}}`,
          params,
        ]);
    }
    for (const [suffix, params] of sets) {
      for (const op of ops) {
        for (const dy of op === 'backward' ? dys : [1]) {
          jobs.push({
            key: `${id}${suffix}|${op}${op === 'backward' ? `|dy=${dy}` : ''}`,
            id,
            params,
            op,
            dy,
          });
        }
      }
    }
  }
  return {
    config: { backends, sample: Number(get('sample') ?? 1), jobs } satisfies Config,
    threads: Number(get('threads') ?? cpus().length),
    state: get('state') ?? '.verify-state.json',
    out: get('out'),
  };
}

/**
 * What the run keeps, per job: the fingerprint of what computed it (see `fingerprints`), the chunks
 * done (as [first, last] ranges) and a tally per backend. A state file holds jobs of any number of
 * runs with the same backends and sample: a run with other --ids adds to it, and a job whose code
 * changed starts again, so a long run can be done in parts across sessions (and commits) and still
 * report only results of the code it names.
 */
interface State {
  readonly signature: string;
  jobs: Record<
    string,
    { fingerprint: string; done: Array<[number, number]>; tallies: Record<string, Tally> }
  >;
}

/** Sorted chunk numbers as [first, last] ranges, and back. */
function toRanges(chunks: Iterable<number>): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const c of [...chunks].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && c === last[1] + 1) last[1] = c;
    else if (!last || c > last[1]) ranges.push([c, c]);
  }
  return ranges;
}
function fromRanges(ranges: ReadonlyArray<readonly [number, number]>): number[] {
  return ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => a + k));
}

/** sha-256 of strings, as 16 hex digits. */
function hash(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** The source of files of this repository (relative to its root), for fingerprints. */
function sources(...paths: readonly string[]): string {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return hash(...paths.map((path) => readFileSync(`${root}${path}`, 'utf8')));
}

/**
 * A fingerprint per job of what its results depend on: the truth (the activation's expressions,
 * core's float64 evaluation, the checks of verify-check.ts), and per backend what computes them —
 * cpu-js's generated function and its emitter, wasm's compiled map kernel (module bytes and plan,
 * `kernelDigest`) and the JS around it (the façade's reference fixes). A resumed job keeps its
 * chunks only while its fingerprint is unchanged.
 */
function fingerprints(config: Config): Map<string, string> {
  const acts = activations(config.jobs);
  const truth = sources(
    'packages/core/src/evaluate.ts',
    'packages/core/src/math.ts',
    'packages/core/src/erf.ts',
    'packages/core/src/facade.ts',
    'apps/bench/src/verify-check.ts',
  );
  const cpuJsSource = sources('packages/cpu-js/src/emit-js.ts', 'packages/cpu-js/src/kernels.ts');
  const wasmSource = sources(
    'packages/wasm/src/backend.ts',
    'packages/wasm/src/provider.ts',
    'packages/wasm/src/memory.ts',
  );
  const webgpuSource = config.backends.includes('webgpu')
    ? sources(
        'packages/webgpu/src/wgsl.ts',
        'packages/webgpu/src/wgsl-math.ts',
        'packages/webgpu/src/wgsl-df.ts',
        'packages/webgpu/src/kernels.ts',
        'packages/webgpu/src/provider.ts',
      )
    : '';
  const wasm = new WasmBackend();
  const probe = new Float32Array([0.5]);
  const result = new Map<string, string>();
  for (const job of config.jobs) {
    const act = acts.get(job.key)!;
    const op = job.op === 'forward' ? 'forward' : 'derivative';
    const parts = [job.key, String(config.sample), truth, toText(act.kernels[op])];
    for (const backend of config.backends) {
      if (backend === 'cpu-js') parts.push(cpuJsSource, toJS(act, op));
      else if (backend === 'wasm') {
        if (op === 'forward') wasm.forwardSync(act, probe);
        else wasm.derivativeSync(act, probe);
        parts.push(wasmSource, wasm.kernelDigest(act, op) ?? 'unknown');
      } else parts.push(webgpuSource);
    }
    result.set(job.key, hash(...parts));
  }
  return result;
}

function format(t: number): string {
  if (!Number.isFinite(t)) return '?';
  const s = Math.round(t);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

async function main(): Promise<void> {
  const { config, threads, state: statePath, out } = parseArgs(process.argv.slice(2));
  const perJob = chunksPerJob(config.sample);
  const signature = JSON.stringify({ backends: config.backends, sample: config.sample });
  let state: State = { signature, jobs: {} };
  if (existsSync(statePath)) {
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as State;
    if (saved.signature === signature && saved.jobs) state = saved;
  }
  const prints = fingerprints(config);
  const done = new Map<string, Set<number>>();
  let kept = 0;
  for (const job of config.jobs) {
    const fingerprint = prints.get(job.key)!;
    const saved = state.jobs[job.key];
    if (saved?.fingerprint === fingerprint) {
      done.set(job.key, new Set(fromRanges(saved.done)));
      kept++;
    } else {
      state.jobs[job.key] = { fingerprint, done: [], tallies: {} };
      done.set(job.key, new Set());
    }
  }
  const todo: Array<{ job: number; chunk: number }> = [];
  config.jobs.forEach((job, j) => {
    const finished = done.get(job.key)!;
    for (let c = 0; c < perJob; c++) if (!finished.has(c)) todo.push({ job: j, chunk: c });
  });
  const total = config.jobs.length * perJob;
  const start = performance.now();
  const startDone = total - todo.length;
  let finished = startDone;
  let lastSave = performance.now();
  const save = () => {
    for (const job of config.jobs) state.jobs[job.key]!.done = toRanges(done.get(job.key)!);
    writeFileSync(statePath, `${JSON.stringify(state, null, 1)}\n`);
  };
  let lastShown = 0;
  let lastLogged = 0;
  const progress = () => {
    const now = performance.now();
    if (now - lastShown < 500 && finished < total) return;
    lastShown = now;
    const fraction = finished / total;
    const rate = ((finished - startDone) * CHUNK) / ((performance.now() - start) / 1000);
    const left = ((total - finished) * CHUNK) / rate;
    const bar = '#'.repeat(Math.round(fraction * 30)).padEnd(30, '.');
    const text = `[${bar}] ${(fraction * 100).toFixed(1)}%  ${(rate / 1e6).toFixed(1)} Minputs/s  ${format(left)} left`;
    // a terminal gets one line redrawn; a log gets a line every few seconds
    if (process.stderr.isTTY) process.stderr.write(`\r${text}   `);
    else if (now - lastLogged > 10_000 || finished === total) {
      process.stderr.write(`${text}\n`);
      lastLogged = now;
    }
  };
  const record = (job: number, chunk: number, tallies: readonly Tally[]) => {
    const spec = config.jobs[job]!;
    const saved = state.jobs[spec.key]!;
    config.backends.forEach((backend, b) => {
      saved.tallies[backend] = mergeTally(saved.tallies[backend] ?? emptyTally(), tallies[b]!);
    });
    done.get(spec.key)!.add(chunk);
    finished++;
    if (performance.now() - lastSave > 5000) {
      save();
      lastSave = performance.now();
    }
    progress();
  };
  process.stderr.write(
    `${config.backends.join(' + ')}: ${config.jobs.length} function×op jobs (${kept} resumed with unchanged code) × ${perJob} chunks of ${CHUNK} inputs (${config.sample <= 1 ? 'every float32 input' : `1/${config.sample}, prime step ${primeStep(config.sample)}`}), ${todo.length} chunks to go\n`,
  );
  if (config.backends[0] === 'webgpu') {
    await runOnGpu(config, todo, record);
  } else {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      // the workers run this same TypeScript file: they register tsx first, and resolve the source condition
      const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
      const workers = Array.from(
        { length: Math.max(1, threads) },
        () =>
          new Worker(boot, {
            eval: true,
            workerData: config,
            execArgv: ['--conditions=@activations/source'],
          }),
      );
      const feed = (w: Worker) => {
        if (next >= todo.length) {
          if (running === 0) {
            for (const worker of workers) void worker.terminate();
            resolve();
          }
          return;
        }
        running++;
        w.postMessage(todo[next++]);
      };
      for (const w of workers) {
        w.on('message', (m: { job: number; chunk: number; tallies: Tally[] }) => {
          running--;
          record(m.job, m.chunk, m.tallies);
          feed(w);
        });
        w.on('error', reject);
        feed(w);
      }
      if (todo.length === 0) resolve();
    });
  }
  save();
  process.stderr.write('\n');
  const report = config.backends.flatMap((backend) =>
    config.jobs.map((job) => ({
      backend,
      job: job.key,
      fingerprint: state.jobs[job.key]!.fingerprint,
      ...(state.jobs[job.key]!.tallies[backend] ?? emptyTally()),
    })),
  );
  if (out)
    writeFileSync(
      out,
      JSON.stringify(
        {
          backends: config.backends,
          sample: config.sample,
          seconds: (performance.now() - start) / 1000,
          cpu: cpus()[0]?.model ?? 'unknown CPU',
          report,
        },
        null,
        2,
      ),
    );
  console.log(
    `${'backend'.padEnd(7)} ${'function|op'.padEnd(40)} ${'inputs'.padStart(11)} ${'worst ULP'.padStart(10)}  at x  ${'range'.padStart(6)} ${'NaN/∞'.padStart(6)} ${'miss∞'.padStart(6)} ${'±0'.padStart(6)} ${'flush'.padStart(6)} ${'>bound'.padStart(9)}`,
  );
  for (const r of report) {
    console.log(
      `${r.backend.padEnd(7)} ${r.job.padEnd(40)} ${String(r.checked).padStart(11)} ${r.worstUlps.toFixed(2).padStart(10)}  ${String(r.worstAt)}  ${String(r.outsideRange).padStart(6)} ${String(r.badNonFinite).padStart(6)} ${String(r.missedNonFinite).padStart(6)} ${String(r.wrongZeroSign).padStart(6)} ${String(r.flushed).padStart(6)} ${String(r.beyondBound).padStart(9)}`,
    );
  }
  console.log(
    `${format((performance.now() - start) / 1000)} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); bounds ${config.backends.map((b) => `${b} ${BOUNDS[b]} ULP`).join(', ')}; state in ${statePath}`,
  );
}

/** webgpu: one device, chunks in turn on this thread. */
async function runOnGpu(
  config: Config,
  todo: ReadonlyArray<{ job: number; chunk: number }>,
  record: (job: number, chunk: number, tallies: readonly Tally[]) => void,
): Promise<void> {
  const { WebGPUBackend } = await import('@activations/webgpu');
  const gpu = await WebGPUBackend.create({ allowSoftware: true });
  const acts = activations(config.jobs);
  try {
    for (const { job, chunk } of todo) {
      const spec = config.jobs[job]!;
      const act = acts.get(spec.key)!;
      const x = new Float32Array(CHUNK);
      const n = inputsOf(chunk, config.sample, x);
      const input = x.subarray(0, n);
      const at = (v: number) =>
        spec.op === 'forward'
          ? act.forward(v)
          : spec.op === 'derivative'
            ? act.derivative(v)
            : spec.dy * act.derivative(v);
      const want = Float64Array.from(input, at);
      const got =
        spec.op === 'forward'
          ? await gpu.forward(act, input)
          : spec.op === 'derivative'
            ? await gpu.derivative(act, input)
            : await gpu.backward(act, input, new Float32Array(n).fill(spec.dy));
      // a device that flushes subnormals may read a subnormal input as ±0 (WGSL allows it; the
      // conformance suite accepts it too): there the truth at ±0 counts, when the result is it
      const matches = (g: number, w: number) =>
        w === 0
          ? g === 0 && Object.is(g, -0) === Object.is(w, -0)
          : float32Error(g, w) <= BOUNDS.webgpu!;
      for (let i = 0; i < n; i++) {
        const v = input[i]!;
        if (!readsAsZero(v)) continue;
        const w = [at(-0), at(0)].find((zero) => matches(got[i]!, zero));
        if (w !== undefined) want[i] = w;
      }
      const range = rangeOf(act, spec.op);
      const tally = emptyTally();
      // WGSL may flush subnormal results (errors below 2^-126 pass), not normal ones: stricter
      // than the conformance suite's FLUSH_FLOOR, so the report counts every normal result lost
      check(tally, input, got, want, rangeCheck(range), BOUNDS.webgpu!, FLUSH_FLOOR);
      record(job, chunk, [tally]);
    }
  } finally {
    gpu.dispose();
  }
}
