/**
 * The benchmark as a function: throughput (Melem/s, array in → array out, copies included) of
 * plain-JS loops, cpu-js, wasm, webgpu and the peers (tfjs-backend-wasm, onnxruntime-web; one
 * thread each, when installed), measured in one process and one run so the ratios are comparable
 * on a noisy machine. Contenders alternate and the best of several rounds counts. Also: relu on
 * data already in wasm memory against the memory-bandwidth ceiling (Float32Array.prototype.set),
 * wasm with a worker thread, webgpu on GPU-resident buffers (when an adapter exists; a software
 * one such as SwiftShader says nothing about real GPUs), and the wasm backend's start-up.
 * `src/bench.ts` (pnpm bench) and the CLI's `activations bench` print it.
 */
import { existsSync } from 'node:fs';
import { createRegistry, type ElementwiseActivation, type SyncBackend } from '@activations/core';
import { cpuJs } from '@activations/cpu-js';
import { WasmBackend, wasm } from '@activations/wasm';
import { type WebGPUBackend, webgpu } from '@activations/webgpu';
import { zoo } from '@activations/zoo';
import { sampleInput, throughput, throughputAsync } from './measure.js';
import { loadOnnxruntimeWeb, loadTfjsWasm, type Peer, type PeerRun } from './peers.js';
import { plainLoops } from './plain-js.js';

/** Rounds in which every contender is measured in turn (each the best of 3 timings). */
const ALTERNATING_ROUNDS = 5;

export const CONTENDERS = [
  'plain JS',
  'cpu-js',
  'wasm',
  'webgpu',
  'tfjs-wasm',
  'onnxruntime-web',
] as const;
export type Contender = (typeof CONTENDERS)[number];

/** The activations the benchmark knows (those with a plain-JS loop to compare with). */
export const BENCH_ACTIVATIONS: readonly string[] = Object.keys(plainLoops);

export interface BenchOptions {
  /** Array lengths (default 65,536 and 4,194,304). */
  readonly sizes?: readonly number[] | undefined;
  /** Activation ids (default: all of BENCH_ACTIVATIONS). */
  readonly only?: readonly string[] | undefined;
  /** Measure tfjs-backend-wasm and onnxruntime-web when installed (default true). */
  readonly peers?: boolean;
  /** Called before each measurement, with how many are done and how many there are. */
  readonly progress?: ((message: string, done: number, total: number) => void) | undefined;
}

export interface BenchRow {
  activation: string;
  n: number;
  melemPerSecond: Partial<Record<Contender, number>>;
  wasmOverPlain: number;
  wasmOverBestPeer: number | null;
}

export interface BenchResult {
  node: string;
  webgpu: string;
  skippedPeers: Array<{ name: string; reason: string }>;
  only: string[];
  readyMs: number;
  firstKernelMs: number;
  kernelBytes: number;
  rows: BenchRow[];
  ceiling: Array<{ n: number; reluInMemory: number; set: number; ratio: number }>;
  threadRows: Array<{
    activation: string;
    n: number;
    oneThread: number;
    twoThreads: number;
    ratio: number;
  }>;
  resident: Array<{ activation: string; n: number; typed: number; resident: number }>;
}

/** Checks options and runs every measurement. Throws a RangeError naming the bad option. */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const sizes = [...(options.sizes ?? [65_536, 4_194_304])];
  const only = [...(options.only ?? BENCH_ACTIVATIONS)];
  for (const n of sizes)
    if (!(Number.isInteger(n) && n > 0 && n <= 2 ** 26))
      throw new RangeError(`array length ${n} must be a whole number from 1 to 67,108,864`);
  for (const id of only)
    if (!plainLoops[id])
      throw new RangeError(
        `no plain-JS loop for '${id}'; choose from ${BENCH_ACTIVATIONS.join(', ')}`,
      );
  const progress = options.progress ?? (() => {});
  // start-up: registry → ready wasm backend, then the first kernel (compile + accuracy probe)
  const t0 = performance.now();
  const registry = createRegistry({ activations: zoo, backends: [wasm(), cpuJs()] });
  const wasmBackend = (await registry.backend('wasm')) as WasmBackend;
  const readyMs = performance.now() - t0;
  const t1 = performance.now();
  wasmBackend.forwardSync(registry.activation('sigmoid'), new Float32Array(4));
  const firstKernelMs = performance.now() - t1;
  const cpu = (await registry.backend('cpu-js')) as SyncBackend;

  // WebGPU: a GPU if there is one, else SwiftShader (Debian's chromium package) in Node
  const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER))
    process.env.VK_ICD_FILENAMES = SWIFTSHADER;
  registry.registerBackend(webgpu({ allowSoftware: true }));
  const gpuChoice = await registry.selectBackend(['webgpu', 'cpu-js']);
  const gpu = gpuChoice.name === 'webgpu' ? (gpuChoice.backend as WebGPUBackend) : undefined;
  const gpuLabel = gpu
    ? `${gpu.adapterName}${gpu.software ? ' — a software adapter: the GPU is emulated on this CPU, so its figures say nothing about a real GPU' : ''}`
    : `unavailable: ${gpuChoice.skipped[0]?.reason}`;

  let done = 0;
  const total = sizes.length * (only.length * (gpu ? 2 : 1) + 2);
  const step = (message: string) => progress(message, done++, total);
  const peers: Peer[] =
    options.peers === false ? [] : [await loadTfjsWasm(), await loadOnnxruntimeWeb()];
  const skippedPeers = peers.flatMap((p) =>
    'error' in p ? [{ name: p.name, reason: p.error }] : [],
  );

  const rows: BenchRow[] = [];
  for (const n of sizes) {
    const x = sampleInput(n);
    const out = new Float32Array(n);
    for (const id of only) {
      const plain = plainLoops[id]!;
      step(`${id} at N = ${n}`);
      const act = registry.activation(id) as ElementwiseActivation;
      const runs: Partial<
        Record<Contender, { sync?: () => void; async?: () => Promise<unknown> }>
      > = {
        'plain JS': { sync: () => plain(x, out) },
        'cpu-js': { sync: () => cpu.forwardSync(act, x, out) },
        wasm: { sync: () => wasmBackend.forwardSync(act, x, out) },
        ...(gpu ? { webgpu: { async: () => gpu.forward(act, x, out) } } : {}),
      };
      for (const peer of peers) {
        if ('error' in peer) continue;
        const run: PeerRun | undefined = await peer.make(id, n);
        if (run) runs[peer.name as Contender] = { async: async () => run(x) };
      }
      const best: Partial<Record<Contender, number>> = {};
      // five alternating rounds: a shared VM's noisy second rarely covers one contender's five
      for (let round = 0; round < ALTERNATING_ROUNDS; round++) {
        for (const [name, run] of Object.entries(runs) as Array<
          [Contender, { sync?: () => void; async?: () => Promise<unknown> }]
        >) {
          const figure = run.sync
            ? throughput(run.sync, n, { rounds: 3 })
            : await throughputAsync(run.async!, n, { rounds: 3 });
          best[name] = Math.max(best[name] ?? 0, figure);
        }
      }
      const peerFigures = [best['tfjs-wasm'], best['onnxruntime-web']].filter(
        (v): v is number => v !== undefined,
      );
      rows.push({
        activation: id,
        n,
        melemPerSecond: best,
        wasmOverPlain: best.wasm! / best['plain JS']!,
        wasmOverBestPeer: peerFigures.length ? best.wasm! / Math.max(...peerFigures) : null,
      });
    }
  }

  // relu with data already in wasm memory, against copying the same N with Float32Array.prototype.set
  const ceiling: BenchResult['ceiling'] = [];
  for (const n of sizes) {
    step(`relu in wasm memory vs Float32Array.prototype.set at N = ${n}`);
    const input = wasmBackend.allocate(n);
    input.array.set(sampleInput(n));
    const output = wasmBackend.allocate(n);
    const relu = registry.activation('relu');
    const source = new Float32Array(n);
    const target = new Float32Array(n);
    let inMemory = 0;
    let set = 0;
    for (let round = 0; round < 3; round++) {
      inMemory = Math.max(
        inMemory,
        throughput(() => wasmBackend.forwardArray(relu, input, output), n, { rounds: 3 }),
      );
      set = Math.max(
        set,
        throughput(() => target.set(source), n, { rounds: 3 }),
      );
    }
    ceiling.push({ n, reluInMemory: inMemory, set, ratio: inMemory / set });
    input.free();
    output.free();
  }

  // worker threads: the asynchronous API with one worker (plus this thread) against one thread
  const threaded = new WasmBackend({ threads: 1 });
  const threadRows: BenchResult['threadRows'] = [];
  for (const n of sizes) {
    step(`wasm with a worker thread at N = ${n}`);
    const x = sampleInput(n);
    const out = new Float32Array(n);
    for (const id of ['relu', 'sigmoid', 'gelu'].filter((a) => only.includes(a))) {
      const act = registry.activation(id);
      let one = 0;
      let two = 0;
      for (let round = 0; round < 3; round++) {
        one = Math.max(
          one,
          await throughputAsync(() => wasmBackend.forward(act, x, out), n, { rounds: 3 }),
        );
        two = Math.max(
          two,
          await throughputAsync(() => threaded.forward(act, x, out), n, { rounds: 3 }),
        );
      }
      threadRows.push({ activation: id, n, oneThread: one, twoThreads: two, ratio: two / one });
    }
  }
  threaded.dispose();

  // webgpu with the data already on the device: one dispatch per call, then wait for the queue
  const resident: BenchResult['resident'] = [];
  if (gpu) {
    for (const n of sizes) {
      const xb = gpu.createBuffer(sampleInput(n));
      const yb = gpu.createBuffer(n);
      for (const id of only) {
        step(`webgpu GPU-resident ${id} at N = ${n}`);
        const act = registry.activation(id);
        const run = async () => {
          await gpu.forwardBuffer(act, xb, { out: yb });
          await gpu.device.queue.onSubmittedWorkDone();
        };
        let best = 0;
        for (let round = 0; round < 3; round++)
          best = Math.max(best, await throughputAsync(run, n, { rounds: 3 }));
        const typed =
          rows.find((r) => r.activation === id && r.n === n)?.melemPerSecond.webgpu ?? 0;
        resident.push({ activation: id, n, typed, resident: best });
      }
      xb.destroy();
      yb.destroy();
    }
  }

  // generated code size: the forward kernels the benchmark ran (as compiled: f32, hybrid or f64)
  let kernelBytes = 0;
  for (const id of only)
    kernelBytes += wasmBackend.kernelBytes(registry.activation(id) as ElementwiseActivation) ?? 0;
  return {
    node: process.version,
    webgpu: gpuLabel,
    skippedPeers,
    only,
    readyMs,
    firstKernelMs,
    kernelBytes,
    rows,
    ceiling,
    threadRows,
    resident,
  };
}

/** The result as the table `pnpm bench` prints. */
export function formatBench(result: BenchResult): string {
  const lines: string[] = [`webgpu: ${result.webgpu}`];
  for (const p of result.skippedPeers) lines.push(`(skipped ${p.name}: ${p.reason})`);
  const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(0)).padStart(9);
  lines.push(
    `\nMelem/s, Float32Array in → out (copies included), one thread, best of alternating rounds (node ${result.node})`,
  );
  lines.push(
    `${'activation'.padEnd(11)}${'N'.padStart(9)}${CONTENDERS.map((c) => c.padStart(Math.max(9, c.length + 1))).join('')}  wasm/plain  wasm/best peer`,
  );
  for (const r of result.rows) {
    const cells = CONTENDERS.map((c) =>
      fmt(r.melemPerSecond[c]).padStart(Math.max(9, c.length + 1)),
    ).join('');
    const peer = r.wasmOverBestPeer === null ? '—' : `${r.wasmOverBestPeer.toFixed(2)}x`;
    lines.push(
      `${r.activation.padEnd(11)}${String(r.n).padStart(9)}${cells}${`${r.wasmOverPlain.toFixed(1)}x`.padStart(12)}${peer.padStart(16)}`,
    );
  }
  lines.push(
    '\nrelu on data already in wasm memory vs Float32Array.prototype.set of the same N (the bandwidth ceiling):',
  );
  for (const c of result.ceiling)
    lines.push(
      `  N = ${c.n}: relu ${c.reluInMemory.toFixed(0)} Melem/s, set ${c.set.toFixed(0)} Melem/s → ${c.ratio.toFixed(2)}x`,
    );
  lines.push('\nwasm with a worker thread (async API; arrays under 1,048,576 stay on one thread):');
  for (const t of result.threadRows) {
    lines.push(
      `  ${t.activation.padEnd(8)} N = ${String(t.n).padStart(7)}: one thread ${t.oneThread.toFixed(0)}, with a worker ${t.twoThreads.toFixed(0)} Melem/s → ${t.ratio.toFixed(2)}x`,
    );
  }
  if (result.resident.length) {
    lines.push(`\nwebgpu on ${result.webgpu}:`);
    lines.push(
      `${'activation'.padEnd(11)}${'N'.padStart(9)}${'typed arrays'.padStart(14)}${'GPU-resident'.padStart(14)}  Melem/s`,
    );
    for (const r of result.resident)
      lines.push(
        `${r.activation.padEnd(11)}${String(r.n).padStart(9)}${r.typed.toFixed(0).padStart(14)}${r.resident.toFixed(0).padStart(14)}`,
      );
  } else {
    lines.push(`\nwebgpu ${result.webgpu}`);
  }
  lines.push(
    `\nwasm backend ready in ${result.readyMs.toFixed(1)} ms; first kernel (sigmoid: compile + accuracy probe) ${result.firstKernelMs.toFixed(1)} ms;`,
  );
  lines.push(
    `generated kernels for ${result.only.join(', ')}: ${result.kernelBytes} bytes of wasm in total (no .wasm files ship).`,
  );
  return lines.join('\n');
}
