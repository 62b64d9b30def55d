import { expect, it } from 'vitest';
import * as root from './index.js';

// The public surface, name by name: the factory, its options and what only this package has.
// Nothing internal; update on purpose, never by accident.
it('exports exactly these names', () => {
  expect(Object.keys(root).sort()).toMatchInlineSnapshot(`
    [
      "SELU_CONSTANTS",
      "binaryStep",
      "bipolarSigmoid",
      "celu",
      "elu",
      "gaussian",
      "gelu",
      "geluTanh",
      "hardSigmoid",
      "hardSwish",
      "hardTanh",
      "hardshrink",
      "identity",
      "leakyRelu",
      "logSigmoid",
      "logSoftmax",
      "mish",
      "prelu",
      "relu",
      "relu6",
      "selu",
      "sigmoid",
      "silu",
      "sin",
      "softmax",
      "softmaxCrossEntropy",
      "softmin",
      "softplus",
      "softshrink",
      "softsign",
      "squareplus",
      "swish",
      "tanh",
      "tanhshrink",
      "threshold",
      "zoo",
    ]
  `);
});
