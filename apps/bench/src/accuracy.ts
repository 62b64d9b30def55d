/**
 * Accuracy report: the worst error, in float32 ULP against the float64 reference, of each backend
 * for every elementwise zoo activation and its derivative over 8,000+ inputs (every 1/40 in
 * [-100, 100] and the float32 extremes, ±∞ and NaN). Results outside float32's normal range count
 * as exact when within 1.2e-38 of the reference.
 *
 *   pnpm --filter @activations/bench accuracy
 */
import { createRegistry, type ElementwiseActivation, type SyncBackend } from '@activations/core';
import { cpuJs } from '@activations/cpu-js';
import { probeInputs, type WasmBackend, wasm, worstUlps } from '@activations/wasm';
import { zoo } from '@activations/zoo';

const registry = createRegistry({ activations: zoo, backends: [wasm(), cpuJs()] });
const wasmBackend = (await registry.backend('wasm')) as WasmBackend;
const cpu = (await registry.backend('cpu-js')) as SyncBackend;
const x = probeInputs();
console.log(`worst float32 ULP error over ${x.length} inputs (f = forward, f' = derivative)`);
console.log(`${'activation'.padEnd(16)}${'cpu-js f'.padStart(10)}${"cpu-js f'".padStart(11)}${'wasm f'.padStart(9)}${"wasm f'".padStart(9)}  wasm lanes (f / f')`);
let worst = 0;
for (const summary of registry.activations()) {
  if (summary.kind !== 'elementwise') continue;
  const act = registry.activation(summary.id) as ElementwiseActivation;
  const errors = [
    worstUlps(cpu.forwardSync(act, x), x, act.forward),
    worstUlps(cpu.derivativeSync(act, x), x, act.derivative),
    worstUlps(wasmBackend.forwardSync(act, x), x, act.forward),
    worstUlps(wasmBackend.derivativeSync(act, x), x, act.derivative),
  ];
  worst = Math.max(worst, ...errors);
  const cells = errors.map((e, i) => e.toFixed(2).padStart(i === 1 ? 11 : i === 0 ? 10 : 9)).join('');
  console.log(`${summary.id.padEnd(16)}${cells}  ${wasmBackend.lanesOf(act)} / ${wasmBackend.lanesOf(act, 'derivative')}`);
}
console.log(`worst overall: ${worst.toFixed(2)} ULP`);
