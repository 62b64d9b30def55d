/**
 * @activations/cpu-js: the plain JavaScript backend. Compiles each activation's expressions into
 * typed-array loops (or closures where a Content-Security-Policy forbids `new Function`).
 */
import {
  BadInputError,
  type BackendPlugin,
  type ElementwiseActivation,
  UnsupportedOperationError,
} from '@activations/core';
import { checkActivation, describeValue } from '@activations/core/backend';
import { CpuJsBackend, type CpuJsOptions } from './backend.js';
import { toJSFunction } from './emit-js.js';

export { CpuJsBackend, type CpuJsOptions } from './backend.js';
export type { CodegenMode } from './kernels.js';

/**
 * The cpu-js backend plugin for the registry (priority 0: the fallback every environment has).
 *
 * @example createRegistry({ activations: zoo, backends: [cpuJs()] })
 */
export function cpuJs(options: CpuJsOptions = {}): BackendPlugin {
  return {
    name: 'cpu-js',
    priority: 0,
    isSupported: () => true,
    create: () => new CpuJsBackend(options),
  };
}

/**
 * JavaScript source of an activation's forward or derivative, as a standalone function to paste
 * into your own code.
 *
 * @example toJS(registry.activation('gelu') as ElementwiseActivation)
 */
export function toJS(act: ElementwiseActivation, op: 'forward' | 'derivative' = 'forward'): string {
  checkActivation(act, 'toJS');
  if (act.kind !== 'elementwise') {
    throw new UnsupportedOperationError(
      `toJS writes elementwise activations; '${(act as { id: string }).id}' is ${(act as { kind: string }).kind === 'vector' ? 'a vector activation' : 'a loss'}.`,
    );
  }
  if (op !== 'forward' && op !== 'derivative')
    throw new BadInputError(
      `toJS(act, op): op is 'forward' or 'derivative', got ${describeValue(op)}.`,
    );
  const name = `${act.id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}${op === 'derivative' ? 'Derivative' : ''}`;
  return toJSFunction(op === 'forward' ? act.kernels.forward : act.kernels.derivative, name);
}
