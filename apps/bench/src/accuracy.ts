/**
 * Accuracy report: the worst error, in float32 ULP against the float64 reference, of each backend
 * for every elementwise zoo activation and its derivative over core's probe sample (~128K inputs:
 * the dense grid over [-100, 100], 65,536 prime-step inputs over every binade and mantissa pattern,
 * the inputs around float32's kernel edges, ±0, ±∞, NaN). Results outside float32's normal range count
 * as exact when within 1.2e-38 of the reference. The webgpu columns (when an adapter exists: a
 * software one, SwiftShader, in CI) also pass results within 2^-116 of the reference: GPUs flush
 * subnormal intermediates to zero.
 *
 *   pnpm --filter @activations/bench accuracy
 */

import { existsSync } from 'node:fs';
import { createRegistry, type ElementwiseActivation, type SyncBackend } from '@activations/core';
import { FLUSH_FLOOR, probeSample, worstUlps } from '@activations/core/backend';
import { cpuJs } from '@activations/cpu-js';
import { type WasmBackend, wasm } from '@activations/wasm';
import { type WebGPUBackend, webgpu } from '@activations/webgpu';
import { zoo } from '@activations/zoo';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER))
  process.env.VK_ICD_FILENAMES = SWIFTSHADER;
const registry = createRegistry({
  activations: zoo,
  backends: [wasm(), cpuJs(), webgpu({ allowSoftware: true })],
});
const gpuChoice = await registry.selectBackend(['webgpu', 'cpu-js']);
const gpu = gpuChoice.name === 'webgpu' ? (gpuChoice.backend as WebGPUBackend) : undefined;
console.log(
  gpu ? `webgpu: ${gpu.adapterName}` : `webgpu unavailable: ${gpuChoice.skipped[0]?.reason}`,
);
/** worstUlps with the flush-to-zero allowance of GPUs. */
const worstGpu = (got: Float32Array, inputs: Float32Array, reference: (x: number) => number) =>
  worstUlps(got, inputs, reference, FLUSH_FLOOR);
const wasmBackend = (await registry.backend('wasm')) as WasmBackend;
const cpu = (await registry.backend('cpu-js')) as SyncBackend;
// the probes' sample: the dense grid, 65,536 prime-step inputs over every binade, the kernel edges
const x = probeSample();
console.log(`worst float32 ULP error over ${x.length} inputs (f = forward, f' = derivative)`);
console.log(
  `${'activation'.padEnd(16)}${'cpu-js f'.padStart(10)}${"cpu-js f'".padStart(11)}${'wasm f'.padStart(9)}${"wasm f'".padStart(9)}${'webgpu f'.padStart(10)}${"webgpu f'".padStart(11)}  wasm lanes (f / f')`,
);
let worstWebgpu = 0;
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
  const gpuErrors = gpu
    ? [
        worstGpu(await gpu.forward(act, x), x, act.forward),
        worstGpu(await gpu.derivative(act, x), x, act.derivative),
      ]
    : [];
  worstWebgpu = Math.max(worstWebgpu, ...gpuErrors);
  const cells = errors
    .map((e, i) => e.toFixed(2).padStart(i === 1 ? 11 : i === 0 ? 10 : 9))
    .join('');
  const gpuCells = gpu
    ? gpuErrors.map((e, i) => e.toFixed(2).padStart(i === 0 ? 10 : 11)).join('')
    : `${'—'.padStart(10)}${'—'.padStart(11)}`;
  console.log(
    `${summary.id.padEnd(16)}${cells}${gpuCells}  ${wasmBackend.lanesOf(act)} / ${wasmBackend.lanesOf(act, 'derivative')}`,
  );
}
console.log(
  `worst overall: cpu-js and wasm ${worst.toFixed(2)} ULP${gpu ? `, webgpu ${worstWebgpu.toFixed(2)} ULP` : ''}`,
);
registry.dispose();
