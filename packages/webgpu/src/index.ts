/// <reference types="@webgpu/types" />
/**
 * @activations/webgpu: the WebGPU backend. Each activation's expressions become a WGSL compute
 * shader at run time (stable forms, no reliance on WGSL's exp/log/tanh builtins), so user-defined
 * activations run on the GPU with no extra code. Same code in browsers and in Node (npm `webgpu`).
 */
import type { BackendPlugin } from '@activations/core';
import { WebGPUBackend, type WebGPUBackendOptions } from './backend.js';
import { findGpu } from './device.js';

export { type BufferOptions, WebGPUBackend, type WebGPUBackendOptions } from './backend.js';
export { MAX_TRANSCENDENTALS, type PrecisionReport } from './provider.js';
export { type Precision, toWGSL, type WgslOp } from './wgsl.js';

/**
 * The webgpu backend plugin for the registry (priority 20: preferred over wasm and cpu-js when a
 * hardware adapter exists). Software adapters (SwiftShader, WARP, llvmpipe) are skipped with the
 * reason unless `allowSoftware: true`: they are correct but slower than the wasm backend.
 *
 * @example createRegistry({ activations: zoo, backends: [webgpu(), wasm(), cpuJs()] })
 */
export function webgpu(options: WebGPUBackendOptions = {}): BackendPlugin {
  return {
    name: 'webgpu',
    priority: 20,
    isSupported: async () => {
      if (options.device || options.gpu) return true;
      const gpu = await findGpu();
      return typeof gpu === 'string' ? gpu : true;
    },
    create: () => WebGPUBackend.create(options),
  };
}
