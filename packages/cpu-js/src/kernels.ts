/** Compiled kernels, cached per (activation, parameters, op): generated JS, or closures under a CSP. */
import {
  compileScalar,
  type ElementwiseActivation,
  type Expr,
  erf64,
  erfc64,
  type FloatArray,
  type LibraryForm,
  powi64,
} from '@activations/core';
import { emitKernelSource } from './emit-js.js';

/** out[i] = f(x[i]) */
export type MapKernel = (x: FloatArray, out: FloatArray, n: number) => void;
/** out[i] = dy[i] · f(x[i]) */
export type BackwardKernel = (x: FloatArray, dy: FloatArray, out: FloatArray, n: number) => void;
/** Σ dy[i] · f(x[i]) */
export type ReduceKernel = (x: FloatArray, dy: FloatArray, n: number) => number;

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

/** Float32 results let the library use its fastest float64 forms (see LibraryForm). */
function formFor(output: FloatArray | undefined): LibraryForm {
  return output instanceof Float32Array ? 'float64-to-float32' : 'float64';
}

function generate<K>(e: Expr, shape: 'map' | 'backward' | 'reduce', form: LibraryForm): K {
  const factory = new Function('erf', 'erfc', 'powi', `"use strict";\n${emitKernelSource(e, shape, form)}`);
  return factory(erf64, erfc64, powi64) as K;
}

function closureMap(e: Expr): MapKernel {
  const f = compileScalar(e);
  return (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = f(x[i]!);
  };
}

function closureBackward(e: Expr): BackwardKernel {
  const f = compileScalar(e);
  return (x, dy, out, n) => {
    for (let i = 0; i < n; i++) out[i] = dy[i]! * f(x[i]!);
  };
}

function closureReduce(e: Expr): ReduceKernel {
  const f = compileScalar(e);
  return (x, dy, n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += dy[i]! * f(x[i]!);
    return sum;
  };
}

/** Builds and caches the kernels of elementwise activations. */
export class KernelCache {
  readonly mode: CodegenMode;
  readonly #cache = new Map<string, unknown>();

  constructor(mode: CodegenMode) {
    this.mode = mode;
  }

  #get<K>(key: string, build: () => K): K {
    let kernel = this.#cache.get(key) as K | undefined;
    if (kernel === undefined) {
      kernel = build();
      this.#cache.set(key, kernel);
    }
    return kernel;
  }

  /** out = f(x) or f'(x); `out` decides the library form. */
  map(act: ElementwiseActivation, op: 'forward' | 'derivative', out: FloatArray): MapKernel {
    const e = act.kernels[op];
    const form = formFor(out);
    return this.#get(`${act.key}|${op}|${form}`, () =>
      this.mode === 'generate' ? generate<MapKernel>(e, 'map', form) : closureMap(e),
    );
  }

  /** out = dy · f'(x). */
  backward(act: ElementwiseActivation, out: FloatArray): BackwardKernel {
    const e = act.kernels.derivative;
    const form = formFor(out);
    return this.#get(`${act.key}|backward|${form}`, () =>
      this.mode === 'generate' ? generate<BackwardKernel>(e, 'backward', form) : closureBackward(e),
    );
  }

  /** Σ dy · ∂f/∂p, summed in float64. */
  paramGradient(act: ElementwiseActivation, name: string): ReduceKernel {
    return this.#get(`${act.key}|d/d${name}`, () => {
      const e = act.paramDerivativeExpression(name);
      return this.mode === 'generate' ? generate<ReduceKernel>(e, 'reduce', 'float64') : closureReduce(e);
    });
  }

  get size(): number {
    return this.#cache.size;
  }

  clear(): void {
    this.#cache.clear();
  }
}
