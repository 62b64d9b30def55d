/**
 * `pnpm --filter @activations/bench verify-rows`: the softmax family and the cross-entropy gradient
 * over random rows (lengths 2, 10, 1,000 and 32,768; logits of spread 1, 10 and 30; and the
 * cancellation rows [L, 0, …] where the largest probability rounds close to 1) on every backend,
 * against core's float64 reference, in float32 ULP.
 *
 * Two figures per case: the worst error in ULP of each entry, and the worst error beyond the
 * rounding the backend's float32 probabilities bring in (ulps·2^-24 of the terms an entry is the
 * difference of, p_i·(|dy_i| + Σ|dy_j|p_j); see `vjpTerms` in @activations/core/testing) — the
 * first is the strict claim, the second what no float32-probability method can beat. On webgpu
 * (subnormals flushed) absolute errors below 2^-124 pass.
 *
 *   pnpm --filter @activations/bench verify-rows [-- --json]
 */
import { existsSync } from 'node:fs';
import { createRegistry, type LossActivation, type VectorActivation } from '@activations/core';
import { float32Error } from '@activations/core/backend';
import { vjpTerms } from '@activations/core/testing';
import { CpuJsBackend } from '@activations/cpu-js';
import { WasmBackend } from '@activations/wasm';
import { zoo } from '@activations/zoo';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER))
  process.env.VK_ICD_FILENAMES = SWIFTSHADER;

type AsyncBackend = {
  forward(act: VectorActivation, x: Float32Array): Promise<Float32Array>;
  backward(act: VectorActivation, x: Float32Array, dy: Float32Array): Promise<Float32Array>;
  lossGradient(act: LossActivation, x: Float32Array, t: Int32Array): Promise<Float32Array>;
};

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Rows of one kind: random logits of a spread, or [L, 0, …, 0] with L from `peaks`. */
function rowsOf(length: number, count: number, kind: string, seed: number): Float32Array {
  const next = random(seed);
  const x = new Float32Array(length * count);
  if (kind.startsWith('peak')) {
    const peaks = [6, 8, 10, 16, 20];
    for (let r = 0; r < count; r++) x[r * length + (r % length)] = peaks[r % peaks.length]!;
    return x;
  }
  const spread = Number(kind.slice('spread '.length));
  for (let i = 0; i < x.length; i++) {
    // a sum of uniforms: roughly normal, deterministic
    x[i] = (next() + next() + next() - 1.5) * 2 * spread;
  }
  return x;
}

interface Case {
  backend: string;
  op: string;
  length: number;
  kind: string;
  worstUlps: number;
  worstBeyondRounding: number;
}

function worst(
  got: Float32Array,
  want: Float64Array,
  slack: Float64Array | undefined,
  ulps: number,
  floor = 0,
): [number, number] {
  let strict = 0;
  let beyond = 0;
  for (let i = 0; i < got.length; i++) {
    if (Math.abs(got[i]! - want[i]!) <= floor) continue;
    const e = float32Error(got[i]!, want[i]!);
    strict = Math.max(strict, e);
    const allowance = slack ? ulps * 2 ** -24 * slack[i]! : 0;
    if (Math.abs(got[i]! - want[i]!) > allowance) beyond = Math.max(beyond, e);
  }
  return [strict, beyond];
}

/**
 * webgpu flushes subnormals (WGSL allows it): a probability below 2^-126 may be 0, and with it an
 * entry p_i·(dy_i - …) up to |dy|·2^-126 (|dy| ≤ 2 here): 2^-124 passes there, nothing elsewhere.
 */
const floorOf = (backend: string) => (backend === 'webgpu' ? 2 ** -124 : 0);

async function main(): Promise<void> {
  const registry = createRegistry({ activations: zoo });
  const backends: Array<[string, AsyncBackend]> = [
    ['cpu-js', new CpuJsBackend() as unknown as AsyncBackend],
    ['wasm', new WasmBackend() as unknown as AsyncBackend],
  ];
  try {
    const { WebGPUBackend } = await import('@activations/webgpu');
    backends.push(['webgpu', (await WebGPUBackend.create({ allowSoftware: true })) as never]);
  } catch (error) {
    console.error(`webgpu skipped: ${(error as Error).message}`);
  }
  const cases: Case[] = [];
  for (const length of [2, 10, 1000, 32768]) {
    const count = Math.max(4, Math.floor(65536 / length));
    for (const kind of ['spread 1', 'spread 10', 'spread 30', 'peaks']) {
      const x = rowsOf(length, count, kind, length * 31 + kind.length);
      const next = random(length + 7);
      const dy = Float32Array.from({ length: x.length }, () => next() * 4 - 2);
      // one-hot dy at each row's largest logit: the cancellation case of the issue ([10, 0], [1, 0])
      const oneHot = new Float32Array(x.length);
      const targets = new Int32Array(count);
      for (let r = 0; r < count; r++) {
        let m = 0;
        for (let i = 1; i < length; i++) if (x[r * length + i]! > x[r * length + m]!) m = i;
        oneHot[r * length + m] = 1;
        targets[r] = m;
      }
      for (const id of ['softmax', 'log-softmax', 'softmin']) {
        const act = registry.activation(id, { rowLength: length }) as VectorActivation;
        const p = act.forward(x);
        const probabilities = act.softmax.log ? p.map(Math.exp) : p;
        for (const [name, g] of [
          ['random dy', dy],
          ['one-hot dy', oneHot],
        ] as const) {
          const want = act.backward(x, g);
          const slack = vjpTerms(probabilities, g, length, act.softmax.log);
          for (const [backendName, backend] of backends) {
            const got = await backend.backward(act, x, g);
            const [strict, beyond] = worst(got, want, slack, 4, floorOf(backendName));
            cases.push({
              backend: backendName,
              op: `${id} backward, ${name}`,
              length,
              kind,
              worstUlps: strict,
              worstBeyondRounding: beyond,
            });
          }
        }
        for (const [backendName, backend] of backends) {
          const got = await backend.forward(act, x);
          const [strict] = worst(got, act.forward(x), undefined, 4, floorOf(backendName));
          cases.push({
            backend: backendName,
            op: `${id} forward`,
            length,
            kind,
            worstUlps: strict,
            worstBeyondRounding: strict,
          });
        }
      }
      const ce = registry.activation('softmax-cross-entropy', {
        rowLength: length,
      }) as LossActivation;
      const want = ce.gradient(x, targets);
      for (const [backendName, backend] of backends) {
        const got = await backend.lossGradient(ce, x, targets);
        const [strict] = worst(got, want, undefined, 4, floorOf(backendName));
        cases.push({
          backend: backendName,
          op: 'cross-entropy gradient',
          length,
          kind,
          worstUlps: strict,
          worstBeyondRounding: strict,
        });
      }
    }
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(cases, null, 2));
    return;
  }
  // one line per backend × op: the worst over lengths and kinds, and where it is
  const byOp = new Map<string, Case[]>();
  for (const c of cases) {
    const key = `${c.backend.padEnd(7)} ${c.op}`;
    byOp.set(key, [...(byOp.get(key) ?? []), c]);
  }
  console.log('rows of 2, 10, 1,000, 32,768; logits of spread 1, 10, 30 and peaked rows');
  console.log(
    `${'backend op'.padEnd(44)} ${'worst ULP'.padStart(10)} ${'beyond p rounding'.padStart(18)}  worst case`,
  );
  for (const [key, list] of byOp) {
    const w = list.reduce((a, b) => (b.worstUlps > a.worstUlps ? b : a));
    const beyond = Math.max(...list.map((c) => c.worstBeyondRounding));
    console.log(
      `${key.padEnd(44)} ${w.worstUlps.toFixed(2).padStart(10)} ${beyond.toFixed(2).padStart(18)}  rows of ${w.length}, ${w.kind}`,
    );
  }
}

await main();
