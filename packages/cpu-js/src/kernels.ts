/**
 * The cpu-js provider: compiles op requests into typed-array loops (generated JS, or closures
 * under a Content-Security-Policy) and runs them. Everything else is core's façade.
 */
import {
  compileScalar,
  erf64,
  erfc64,
  type Expr,
  type FloatArray,
  powi64,
} from '@activations/core';
import {
  type Job,
  type LibraryForm,
  type OpRequest,
  softmaxRows,
  type SyncBackendProvider,
} from '@activations/core/backend';
import { emitKernelSource } from './emit-js.js';

/** out[i] = f(x[i]) */
type MapKernel = (x: FloatArray, out: FloatArray, n: number) => void;
/** out[i] = dy[i] · f(x[i]) */
type BackwardKernel = (x: FloatArray, dy: FloatArray, out: FloatArray, n: number) => void;

/** A compiled cpu-js kernel: a loop, or the float64 row reference for the softmax family. */
type CpuKernel = MapKernel | BackwardKernel | 'rows';

/** How kernels are built: generated source (fast) or closures (works where `new Function` is forbidden). */
export type CodegenMode = 'generate' | 'closures';

/** Can this environment compile code from strings (no CSP forbidding 'unsafe-eval')? */
export function canGenerateCode(): boolean {
  try {
    return new Function('return 2')() === 2;
  } catch {
    return false;
  }
}

function generate(e: Expr, shape: 'map' | 'backward', form: LibraryForm): CpuKernel {
  // the source holds only number literals and fixed names (emit-js); helpers come in as parameters
  const factory = new Function(
    'erf',
    'erfc',
    'powi',
    `"use strict";\n${emitKernelSource(e, shape, form)}`,
  );
  return factory(erf64, erfc64, powi64) as CpuKernel;
}

function closures(e: Expr, shape: 'map' | 'backward'): CpuKernel {
  const f = compileScalar(e);
  if (shape === 'map') {
    return ((x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = f(x[i]!);
    }) satisfies MapKernel;
  }
  return ((x, dy, out, n) => {
    for (let i = 0; i < n; i++) out[i] = dy[i]! * f(x[i]!);
  }) satisfies BackwardKernel;
}

/** The cpu-js provider for core's façade. */
export class CpuJsProvider implements SyncBackendProvider<CpuKernel> {
  readonly name = 'cpu-js';
  readonly float64 = true;
  readonly mode: CodegenMode;

  constructor(mode: CodegenMode) {
    this.mode = mode;
  }

  compileSync(request: OpRequest): CpuKernel {
    if (request.kind === 'rows') return 'rows';
    const shape = request.kind;
    return this.mode === 'generate'
      ? // the library's float64 forms for float32 results too: float64 denormals decide the sign
        // of a float32 result that rounds to zero (see LibraryForm)
        generate(request.expression, shape, 'float64')
      : closures(request.expression, shape);
  }

  compile(request: OpRequest): CpuKernel {
    return this.compileSync(request);
  }

  runSync(kernel: CpuKernel, request: OpRequest, job: Job): void {
    if (kernel === 'rows') {
      if (request.kind === 'rows') softmaxRows(request.softmax, job.x, job.rowLength!, job.out);
    } else if (request.kind === 'backward') {
      (kernel as BackwardKernel)(job.x, job.dy!, job.out, job.length);
    } else {
      (kernel as MapKernel)(job.x, job.out, job.length);
    }
  }

  run(kernel: CpuKernel, request: OpRequest, job: Job): void {
    this.runSync(kernel, request, job);
  }

  dispose(): void {}
}
