/**
 * @activations/wasm: the WebAssembly SIMD128 backend. Kernels are generated at run time from each
 * activation's expressions by a small emitter in TypeScript: no toolchain, no .wasm file to serve,
 * nothing to configure under Node, bundlers or plain ESM in a browser.
 */
import type { BackendPlugin } from '@activations/core';
import { encodeModule, FunctionBuilder, Simd, V128 } from './binary.js';
import { WasmBackend, type WasmBackendOptions } from './backend.js';

export { WasmBackend, type WasmBackendOptions } from './backend.js';
export type { LaneReport } from './kernels.js';
export type { WasmArray } from './memory.js';
export type { Lanes } from './simd-math.js';
export { threadsUnavailable } from './threads.js';

/** Does this engine run WebAssembly with SIMD128? (Validates a tiny module using v128.) */
export function simdSupported(): boolean {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  const fb = new FunctionBuilder([]);
  const local = fb.local(V128);
  fb.i32(1).simd(Simd.i32x4Splat).set(local);
  return WebAssembly.validate(encodeModule([], [{ name: 'probe', builder: fb, results: [] }]));
}

/**
 * The wasm backend plugin for the registry (priority 10: preferred over cpu-js). Pass
 * `{ threads: 1 }` (or more) to spread large arrays over worker threads.
 *
 * @example createRegistry({ activations: zoo, backends: [wasm(), cpuJs()] })
 */
export function wasm(options: WasmBackendOptions = {}): BackendPlugin {
  return {
    name: 'wasm',
    priority: 10,
    isSupported: () =>
      simdSupported()
        ? true
        : 'this engine has no WebAssembly SIMD128 (needs Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+)',
    create: () => new WasmBackend(options),
  };
}
