/**
 * `pnpm --filter @activations/bench spellings`: common spellings of zoo functions, registered with
 * `defineActivation`, against the zoo's own kernel on the wasm backend in one process — the lanes
 * each gets, its worst error on core's probe sample, and its throughput as a ratio of the zoo
 * kernel's (forward and derivative, rounds alternating so both see the same machine state).
 *
 *   pnpm --filter @activations/bench spellings -- --n 65536 --json
 */
import { defineActivation, type ElementwiseActivation } from '@activations/core';
import { probeSample, worstUlps } from '@activations/core/backend';
import { WasmBackend } from '@activations/wasm';
import { gelu, mish, sigmoid, silu, softplus, swish, zoo } from '@activations/zoo';
import { sampleInput, throughput } from './measure.js';

/** [spelling, the zoo activation it computes]. */
export const SPELLINGS: ReadonlyArray<readonly [string, () => ElementwiseActivation]> = [
  ['0.5*x*(1+erf(x/sqrt(2)))', () => gelu.create()],
  ['x*0.5*erfc(-x/sqrt(2))', () => gelu.create()],
  ['0.5 * x * erfc(-0.7071067811865476 * x)', () => gelu.create()],
  ['x/(1+exp(-x))', () => silu.create()],
  ['x*sigmoid(x)', () => silu.create()],
  ['x*tanh(log(1+exp(x)))', () => mish.create()],
  ['x*tanh(softplus(x))', () => mish.create()],
  ['log(1+exp(x))', () => softplus.create()],
  ['1/(1+exp(-x))', () => sigmoid.create()],
  ['x*sigmoid(1.702*x)', () => swish.create({ beta: 1.702 })],
];

interface Row {
  spelling: string;
  zoo: string;
  op: 'forward' | 'derivative';
  lanes: string;
  zooLanes: string;
  worstUlps: number;
  ratio: number;
}

/** Best-of-rounds time per call of each of two functions, rounds alternating between them. */
function alternate(a: () => void, b: () => void, rounds = 9): [number, number] {
  for (let i = 0; i < 3; i++) {
    a();
    b();
  }
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) a();
    if (performance.now() - t0 >= 10) break;
    reps *= 2;
  }
  const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let r = 0; r < rounds; r++) {
    for (const [j, f] of [a, b].entries()) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) f();
      best[j] = Math.min(best[j]!, (performance.now() - t0) / reps);
    }
  }
  return [best[0]!, best[1]!];
}

export function runSpellings(n: number): Row[] {
  const backend = new WasmBackend();
  const x = sampleInput(n);
  const out = new Float32Array(n);
  const probe = probeSample();
  const rows: Row[] = [];
  SPELLINGS.forEach(([spelling, zooAct], i) => {
    const own = zooAct();
    const user = defineActivation({ id: `spelling-${i}`, forward: spelling }).create();
    for (const op of ['forward', 'derivative'] as const) {
      const run = (act: ElementwiseActivation) => () =>
        op === 'forward' ? backend.forwardSync(act, x, out) : backend.derivativeSync(act, x, out);
      const got =
        op === 'forward' ? backend.forwardSync(user, probe) : backend.derivativeSync(user, probe);
      const [tUser, tZoo] = alternate(run(user), run(own));
      rows.push({
        spelling,
        zoo: own.key,
        op,
        lanes: String(backend.lanesOf(user, op)),
        zooLanes: String(backend.lanesOf(own, op)),
        worstUlps: worstUlps(got, probe, op === 'forward' ? user.forward : user.derivative),
        ratio: tZoo / tUser,
      });
    }
  });
  return rows;
}

/** Derivative kernels of the bench's activations: lanes and Melem/s (best of rounds). */
export function runDerivatives(n: number): Array<{ id: string; lanes: string; melems: number }> {
  const backend = new WasmBackend();
  const x = sampleInput(n);
  const out = new Float32Array(n);
  return ['sigmoid', 'tanh', 'gelu', 'silu', 'elu', 'mish', 'softplus', 'relu'].map((id) => {
    const act = zooById(id).create() as ElementwiseActivation;
    const melems = throughput(() => backend.derivativeSync(act, x, out), n);
    return { id, lanes: String(backend.lanesOf(act, 'derivative')), melems };
  });
}

function zooById(id: string) {
  const d = zoo.find((e) => e.id === id);
  if (!d) throw new Error(`no zoo activation '${id}'`);
  return d;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--n');
  const n = at >= 0 ? Number(argv[at + 1]) : 65_536;
  if (argv.includes('--derivatives')) {
    for (const r of runDerivatives(n))
      console.log(r.id.padEnd(10), r.lanes.padEnd(8), `${r.melems.toFixed(0)} Melem/s`);
    process.exit(0);
  }
  const rows = runSpellings(n);
  if (argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log(
      `wasm, N = ${n}: each spelling against the zoo kernel, same process, alternating rounds`,
    );
    console.log(
      'spelling'.padEnd(42),
      'op'.padEnd(11),
      'lanes (zoo)'.padEnd(18),
      'worst ULP',
      '  × zoo',
    );
    for (const r of rows)
      console.log(
        r.spelling.padEnd(42),
        r.op.padEnd(11),
        `${r.lanes} (${r.zooLanes})`.padEnd(18),
        r.worstUlps.toFixed(2).padStart(9),
        r.ratio.toFixed(2).padStart(8),
      );
  }
}
