/**
 * The benchmark: throughput (Melem/s) of every available backend next to hand-written plain-JS
 * loops, in one process and one run, so the ratios are comparable even on a noisy machine.
 *
 *   pnpm bench                 # N = 65,536 and 4,194,304, the activations with a plain loop
 *   pnpm bench -- --n 65536 --only sigmoid,gelu --json
 */
import { createRegistry, type ElementwiseActivation, type SyncBackend } from '@activations/core';
import { cpuJs } from '@activations/cpu-js';
import { zoo } from '@activations/zoo';
import { throughput, sampleInput } from './measure.js';
import { plainLoops } from './plain-js.js';

interface Row {
  activation: string;
  n: number;
  plainJs: number;
  cpuJs: number;
  ratio: number;
}

function parseArgs(argv: readonly string[]) {
  const args = { sizes: [65_536, 4_194_304], only: Object.keys(plainLoops), json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--n') args.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--only') args.only = argv[++i]!.split(',');
    else if (a !== '--') throw new Error(`unknown argument '${a}'; use --n N[,N], --only id[,id], --json`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const registry = createRegistry({ activations: zoo, backends: [cpuJs()] });
const backend = (await registry.backend('cpu-js')) as SyncBackend;
const rows: Row[] = [];
for (const n of args.sizes) {
  const x = sampleInput(n);
  const out = new Float32Array(n);
  for (const id of args.only) {
    const plain = plainLoops[id];
    if (!plain) throw new Error(`no plain-JS loop for '${id}'; choose from ${Object.keys(plainLoops).join(', ')}`);
    const act = registry.activation(id) as ElementwiseActivation;
    // alternate the two so drift in machine load hits both alike
    let plainBest = 0;
    let cpuBest = 0;
    for (let round = 0; round < 3; round++) {
      plainBest = Math.max(plainBest, throughput(() => plain(x, out), n, { rounds: 3 }));
      cpuBest = Math.max(cpuBest, throughput(() => backend.forwardSync(act, x, out), n, { rounds: 3 }));
    }
    rows.push({ activation: id, n, plainJs: plainBest, cpuJs: cpuBest, ratio: cpuBest / plainBest });
  }
}

if (args.json) {
  console.log(JSON.stringify({ node: process.version, rows }, null, 2));
} else {
  console.log(`Melem/s, Float32Array in and out, best of several rounds (node ${process.version})`);
  console.log(`${'activation'.padEnd(12)}${'N'.padStart(10)}${'plain JS'.padStart(11)}${'cpu-js'.padStart(9)}${'cpu-js/plain'.padStart(14)}`);
  for (const r of rows) {
    console.log(
      `${r.activation.padEnd(12)}${String(r.n).padStart(10)}${r.plainJs.toFixed(1).padStart(11)}${r.cpuJs.toFixed(1).padStart(9)}${`${r.ratio.toFixed(2)}x`.padStart(14)}`,
    );
  }
}
