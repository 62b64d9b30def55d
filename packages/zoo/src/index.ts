/**
 * @activations/zoo: the catalogue. Every entry is an activation definition with its derivative,
 * exact output and derivative ranges, properties, docs and framework presets.
 *
 * @example
 * import { zoo } from '@activations/zoo';
 * const registry = createRegistry({ activations: zoo, backends: [cpuJs()] });
 */
import type { ActivationDefinition } from '@activations/core';
import { binaryStep, gaussian, identity, sin, softplus, squareplus } from './basic.js';
import { celu, elu, selu } from './exponential-family.js';
import { gelu, geluTanh, hardSwish, mish, silu, swish } from './gated.js';
import { leakyRelu, prelu, relu, relu6, threshold } from './relu-family.js';
import { hardshrink, softshrink, tanhshrink } from './shrink.js';
import { bipolarSigmoid, hardSigmoid, hardTanh, logSigmoid, sigmoid, softsign, tanh } from './sigmoid-family.js';
import { logSoftmax, softmax, softmaxCrossEntropy, softmin } from './vector.js';

export { binaryStep, gaussian, identity, sin, softplus, squareplus } from './basic.js';
export { celu, elu, SELU_CONSTANTS, selu } from './exponential-family.js';
export { gelu, geluTanh, hardSwish, mish, silu, swish } from './gated.js';
export { leakyRelu, prelu, relu, relu6, threshold } from './relu-family.js';
export { hardshrink, softshrink, tanhshrink } from './shrink.js';
export { bipolarSigmoid, hardSigmoid, hardTanh, logSigmoid, sigmoid, softsign, tanh } from './sigmoid-family.js';
export { logSoftmax, softmax, softmaxCrossEntropy, softmin } from './vector.js';

/** Every zoo activation, in catalogue order (pass it to createRegistry). */
export const zoo: readonly ActivationDefinition[] = Object.freeze([
  identity,
  binaryStep,
  sigmoid,
  bipolarSigmoid,
  hardSigmoid,
  logSigmoid,
  tanh,
  hardTanh,
  tanhshrink,
  softsign,
  relu,
  relu6,
  leakyRelu,
  prelu,
  threshold,
  elu,
  celu,
  selu,
  gelu,
  geluTanh,
  silu,
  swish,
  hardSwish,
  mish,
  softplus,
  squareplus,
  softshrink,
  hardshrink,
  gaussian,
  sin,
  softmax,
  logSoftmax,
  softmin,
  softmaxCrossEntropy,
]);
