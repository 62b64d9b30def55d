/** The cpu-js backend: compiled JS loops over typed arrays, synchronous and asynchronous. */
import { type FacadeOptions, SyncBackendFacade } from '@activations/core/backend';
import { type CodegenMode, CpuJsProvider, canGenerateCode } from './kernels.js';

/** Options for `cpuJs()` and `new CpuJsBackend()`. */
export interface CpuJsOptions extends FacadeOptions {
  /**
   * 'auto' (default): generated code where `new Function` is allowed, closures where a
   * Content-Security-Policy forbids it. 'generate' or 'closures' to force one.
   */
  readonly codegen?: 'auto' | CodegenMode;
}

/**
 * Runs activations as plain JS loops over Float32Array or Float64Array (computing in float64).
 * Every method has a synchronous twin (`forwardSync`, …).
 *
 * @example
 * const backend = new CpuJsBackend();
 * backend.forwardSync(zoo.gelu.create(), new Float32Array([-1, 0, 1]));
 */
export class CpuJsBackend extends SyncBackendFacade {
  /** How kernels are built here. */
  readonly codegen: CodegenMode;

  constructor(options: CpuJsOptions = {}) {
    const requested = options.codegen ?? 'auto';
    const codegen =
      requested === 'auto' ? (canGenerateCode() ? 'generate' : 'closures') : requested;
    super(new CpuJsProvider(codegen), options);
    this.codegen = codegen;
  }
}
