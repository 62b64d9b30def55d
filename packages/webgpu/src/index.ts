/// <reference types="@webgpu/types" />
/**
 * @activations/webgpu: the WebGPU backend. Each activation's expressions become a WGSL compute
 * shader at run time (stable forms, no reliance on WGSL's exp/log/tanh builtins), so user-defined
 * activations run on the GPU with no extra code. Same code in browsers and in Node (npm `webgpu`).
 */
import type { BackendPlugin } from '@activations/core';
import { WebGPUBackend, type WebGPUBackendOptions } from './backend.js';
import { findGpu } from './device.js';

export {
  type BufferOptions,
  chunksOf,
  PROBE_ULPS,
  type PrecisionReport,
  WebGPUBackend,
  type WebGPUBackendOptions,
} from './backend.js';
export {
  acquireDevice,
  adapterName,
  type DeviceOptions,
  findGpu,
  isSoftwareAdapter,
} from './device.js';
export { elementwiseShader, type KernelShape, softmaxShader } from './kernels.js';
export {
  activationFunction,
  emitFunction,
  hornerChain,
  type Precision,
  toWGSL,
  type WgslFunction,
  type WgslOp,
  wgslExpression,
  wgslName,
} from './wgsl.js';
export { f32Literal, type MathHelper, mathLibrary, TWO_OVER_PI_WORDS } from './wgsl-math.js';

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
