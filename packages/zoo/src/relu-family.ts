/** Rectifiers: ReLU, ReLU6, leaky ReLU, PReLU, threshold. */
import { defineActivation, gt, interval, max, min, mul, type ParamValues, type Properties, select } from '@activations/core';

/** max(x, 0). */
export const relu = defineActivation({
  id: 'relu',
  forward: ({ x }) => max(x, 0),
  output: interval(0, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: interval(0, 1, '[]'),
  properties: {
    monotonic: true,
    continuity: 'C0',
    zeroCentered: false,
    saturates: 'left',
    zeroGradient: 'left',
    selfNormalizing: false,
  },
  docs: {
    name: 'ReLU',
    formula: '\\max(0, x)',
    derivativeFormula: '1 \\text{ if } x > 0 \\text{ else } 0',
    description:
      'The rectified linear unit: identity for positive inputs, zero otherwise. Its gradient is exactly 1 where active, so deep networks train without vanishing gradients — but a unit whose input stays negative gets no gradient at all and can die.',
    useCases: ['hidden layers of CNNs and MLPs (the default)', 'deep networks where sigmoid/tanh gradients vanish'],
    pros: ['no vanishing gradient for x > 0', 'cheap', 'sparse activations'],
    cons: ['dying ReLU: zero gradient for x < 0', 'not zero-centred', 'kink at 0'],
    references: [
      { title: 'Rectified Linear Units Improve Restricted Boltzmann Machines (Nair & Hinton, 2010)', source: 'ICML 2010' },
      { title: 'Deep Sparse Rectifier Neural Networks (Glorot, Bordes, Bengio, 2011)', source: 'AISTATS 2011' },
    ],
    conventions: ["relu'(0) = 0, as in PyTorch, TensorFlow and JAX."],
  },
});

/** min(max(x, 0), 6). */
export const relu6 = defineActivation({
  id: 'relu6',
  forward: ({ x }) => min(max(x, 0), 6),
  output: interval(0, 6, '[]'),
  derivativeRange: interval(0, 1, '[]'),
  properties: {
    monotonic: true,
    continuity: 'C0',
    zeroCentered: false,
    saturates: 'both',
    zeroGradient: 'both',
    selfNormalizing: false,
  },
  docs: {
    name: 'ReLU6',
    formula: '\\min(\\max(0, x), 6)',
    derivativeFormula: '1 \\text{ if } 0 < x < 6 \\text{ else } 0',
    description: 'ReLU capped at 6, which keeps activations in a range that fixed-point and low-precision arithmetic represent well.',
    useCases: ['mobile networks (MobileNetV1/V2)', 'quantised inference'],
    pros: ['bounded, so robust under low precision'],
    cons: ['zero gradient below 0 and above 6'],
    references: [{ title: 'MobileNets (Howard et al., 2017)', source: 'arXiv:1704.04861' }],
    conventions: ['Gradient 0 at x = 0 and x = 6, as in PyTorch.'],
  },
});

function leakyProperties(slope: number): Omit<Properties, 'boundedBelow' | 'boundedAbove'> {
  return {
    monotonic: slope >= 0,
    continuity: slope === 1 ? 'smooth' : 'C0',
    zeroCentered: slope > 0,
    saturates: slope === 0 ? 'left' : 'none',
    zeroGradient: slope === 0 ? 'left' : 'none',
    selfNormalizing: false,
  };
}

function leakyOutput(slope: number) {
  return slope > 0 ? interval(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '()') : interval(0, Number.POSITIVE_INFINITY, '[)');
}

/** x if x > 0 else negativeSlope · x. */
export const leakyRelu = defineActivation({
  id: 'leaky-relu',
  params: { negativeSlope: { default: 0.01, min: 0, max: 1, maxExclusive: true, description: 'slope for x < 0' } },
  presets: {
    pytorch: { params: { negativeSlope: 0.01 }, description: 'torch.nn.LeakyReLU default' },
    tfjs: { params: { negativeSlope: 0.2 }, description: 'tf.leakyRelu and tf.layers.leakyReLU default (alpha 0.2)' },
    keras: { params: { negativeSlope: 0.3 }, description: 'keras.layers.LeakyReLU default (alpha 0.3)' },
  },
  forward: ({ x, p }) => select(gt(x, 0), x, mul(p.negativeSlope!, x)),
  output: (p: ParamValues) => leakyOutput(p.negativeSlope!),
  derivativeRange: (p: ParamValues) => interval(p.negativeSlope!, 1, '[]'),
  properties: (p: ParamValues) => leakyProperties(p.negativeSlope!),
  docs: {
    name: 'Leaky ReLU',
    formula: 'x \\text{ if } x > 0 \\text{ else } a x',
    derivativeFormula: '1 \\text{ if } x > 0 \\text{ else } a',
    description:
      'ReLU with a small slope a for negative inputs, so units never stop receiving gradient. Frameworks disagree on the default slope: 0.01 (PyTorch), 0.2 (TF.js), 0.3 (Keras).',
    useCases: ['hidden layers where dead ReLUs are a problem', 'GAN discriminators (slope 0.2)'],
    pros: ['no dead units', 'cheap'],
    cons: ['the slope is one more hyperparameter', 'kink at 0'],
    references: [{ title: 'Rectifier Nonlinearities Improve Neural Network Acoustic Models (Maas et al., 2013)', source: 'ICML 2013' }],
    conventions: ['Default 0.01 as in PyTorch; presets "tfjs" (0.2) and "keras" (0.3).', 'Gradient at 0 is a, as in PyTorch.'],
  },
});

/** Leaky ReLU whose slope alpha is learned. */
export const prelu = defineActivation({
  id: 'prelu',
  params: {
    alpha: { default: 0.25, learnable: true, description: 'learned slope for x < 0 (PyTorch init 0.25)' },
  },
  forward: ({ x, p }) => select(gt(x, 0), x, mul(p.alpha!, x)),
  output: (p: ParamValues) =>
    p.alpha! > 0 ? interval(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '()') : interval(0, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: (p: ParamValues) => interval(Math.min(p.alpha!, 1), Math.max(p.alpha!, 1), '[]'),
  properties: (p: ParamValues) => leakyProperties(p.alpha!),
  docs: {
    name: 'PReLU',
    formula: 'x \\text{ if } x > 0 \\text{ else } \\alpha x',
    derivativeFormula: '\\frac{\\partial f}{\\partial x} = 1 \\text{ or } \\alpha, \\quad \\frac{\\partial f}{\\partial \\alpha} = 0 \\text{ if } x > 0 \\text{ else } x',
    description:
      'Parametric ReLU: a leaky ReLU whose negative slope α is a trained parameter. Backends give the gradient with respect to α (Σ dy · ∂f/∂α) as well as to x.',
    useCases: ['deep CNNs (introduced with ImageNet models that surpassed human-level accuracy)'],
    pros: ['the network chooses its own leak', 'no dead units while α > 0'],
    cons: ['one more parameter per channel (here one scalar)', 'can overfit on small data'],
    references: [{ title: 'Delving Deep into Rectifiers (He et al., 2015)', source: 'arXiv:1502.01852' }],
    conventions: ['PyTorch nn.PReLU initialises α = 0.25; here α is one scalar (num_parameters=1).'],
  },
});

/** x if x > threshold else value. */
export const threshold = defineActivation({
  id: 'threshold',
  params: {
    threshold: { default: 0, description: 'inputs at or below this are replaced' },
    value: { default: 0, description: 'the replacement value' },
  },
  forward: ({ x, p }) => select(gt(x, p.threshold!), x, p.value!),
  output: (p: ParamValues) =>
    p.value! <= p.threshold!
      ? interval(p.value!, Number.POSITIVE_INFINITY, '[)')
      : interval(p.threshold!, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, 1, '[]'),
  properties: (p: ParamValues) => {
    const f0 = 0 > p.threshold! ? 0 : p.value!;
    return {
      monotonic: p.value! <= p.threshold!,
      continuity: p.value === p.threshold ? 'C0' : 'discontinuous',
      zeroCentered: f0 === 0 && (p.value! < 0 || p.threshold! < 0),
      saturates: 'left',
      zeroGradient: 'left',
      selfNormalizing: false,
    };
  },
  docs: {
    name: 'Threshold',
    formula: 'x \\text{ if } x > t \\text{ else } v',
    derivativeFormula: '1 \\text{ if } x > t \\text{ else } 0',
    description: 'Passes inputs above a threshold t and replaces the rest by a constant v. With t = v = 0 it is ReLU.',
    useCases: ['masking small activations', 'teaching: ReLU as a special case'],
    pros: ['simple, configurable'],
    cons: ['discontinuous unless v = t', 'zero gradient below t'],
    references: [{ title: 'PyTorch torch.nn.Threshold', source: 'PyTorch' }],
    conventions: ['PyTorch requires both arguments; the defaults here (0, 0) make it ReLU.'],
  },
});
