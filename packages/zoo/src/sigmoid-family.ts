/** Sigmoid-shaped activations: sigmoid, bipolar sigmoid, hard sigmoid, log-sigmoid, tanh, hard tanh, softsign. */
import {
  abs,
  add,
  defineActivation,
  div,
  gt,
  interval,
  max,
  min,
  mul,
  neg,
  powi,
  select,
  sigmoid as sigma,
  sign,
  softplus,
  tanh as tanhOf,
} from '@activations/core';

/** σ(x) = 1 / (1 + e^{-x}). */
export const sigmoid = defineActivation({
  id: 'sigmoid',
  aliases: ['logistic'],
  forward: ({ x }) => sigma(x),
  derivative: ({ x }) => mul(sigma(x), sigma(neg(x))),
  output: interval(0, 1, '()'),
  derivativeRange: interval(0, 0.25, '(]'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: false,
    saturates: 'both',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Sigmoid',
    formula: '\\sigma(x) = \\frac{1}{1 + e^{-x}}',
    derivativeFormula: "\\sigma'(x) = \\sigma(x)\\,\\sigma(-x) = \\sigma(x)(1 - \\sigma(x))",
    description:
      'The logistic function squashes any real number into (0, 1), so its output reads as a probability. Its derivative is at most 1/4 and vanishes in both tails, which is why deep stacks of sigmoid layers train slowly (vanishing gradients).',
    useCases: ['binary classification output layer', 'gates in LSTM and GRU cells', 'attention and gating weights'],
    pros: ['output is a probability in (0, 1)', 'smooth and monotonic'],
    cons: ['vanishing gradient: f′ ≤ 0.25 and → 0 for large |x|', 'not zero-centred, so hidden layers shift the next layer’s inputs'],
    references: [{ title: 'Learning representations by back-propagating errors (Rumelhart, Hinton, Williams, 1986)', source: 'Nature 323' }],
    conventions: ['Computed as e^{-|x|} / (1 + e^{-|x|}) for x < 0, so it never overflows and keeps tiny values (σ(-100) ≈ 3.7e-44).'],
  },
});

/** 2σ(x) - 1 = tanh(x / 2). */
export const bipolarSigmoid = defineActivation({
  id: 'bipolar-sigmoid',
  forward: ({ x }) => tanhOf(mul(0.5, x)),
  derivative: ({ x }) => mul(2, mul(sigma(x), sigma(neg(x)))),
  output: interval(-1, 1, '()'),
  derivativeRange: interval(0, 0.5, '(]'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: true,
    saturates: 'both',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Bipolar sigmoid',
    formula: '2\\sigma(x) - 1 = \\frac{1 - e^{-x}}{1 + e^{-x}} = \\tanh(x/2)',
    derivativeFormula: '2\\sigma(x)\\,\\sigma(-x)',
    description:
      'The logistic function rescaled to (-1, 1): zero-centred like tanh, but half as steep. Computed as tanh(x/2), which keeps full precision near 0 where 2σ(x) - 1 would cancel.',
    useCases: ['classic neural networks with bipolar (±1) targets', 'teaching: sigmoid versus tanh'],
    pros: ['zero-centred', 'smooth and monotonic'],
    cons: ['vanishing gradient in both tails', 'f′ ≤ 0.5'],
    references: [{ title: 'Neural Networks: A Comprehensive Foundation (Haykin)', source: 'textbook' }],
    conventions: ['Identical to tanh(x/2).'],
  },
});

/** max(0, min(1, slope · x + offset)); PyTorch's slope 1/6 by default. */
export const hardSigmoid = defineActivation({
  id: 'hard-sigmoid',
  params: {
    slope: { default: 1 / 6, min: 0, minExclusive: true, description: 'slope of the linear part' },
    offset: { default: 0.5, min: 0, max: 1, description: 'value at x = 0' },
  },
  presets: {
    pytorch: { params: { slope: 1 / 6, offset: 0.5 }, description: 'torch.nn.Hardsigmoid: relu6(x + 3) / 6' },
    onnx: { params: { slope: 0.2, offset: 0.5 }, description: 'ONNX HardSigmoid (alpha 0.2, beta 0.5), also TF.js and Keras 2' },
  },
  forward: ({ x, p }) => min(max(add(mul(p.slope!, x), p.offset!), 0), 1),
  output: interval(0, 1, '[]'),
  derivativeRange: (p) => interval(0, p.slope!, '[]'),
  properties: {
    monotonic: true,
    continuity: 'C0',
    zeroCentered: false,
    saturates: 'both',
    zeroGradient: 'both',
    selfNormalizing: false,
  },
  docs: {
    name: 'Hard sigmoid',
    formula: '\\max(0, \\min(1, s x + o))',
    derivativeFormula: 's \\text{ if } 0 < s x + o < 1 \\text{ else } 0',
    description:
      'A piecewise-linear stand-in for the sigmoid: cheap (no exponential), exactly 0 and 1 in the tails. Frameworks disagree on the slope: PyTorch uses 1/6 (so it saturates at ±3), ONNX, TF.js and Keras 2 use 0.2 (±2.5).',
    useCases: ['mobile networks (MobileNetV3 gates)', 'quantised models'],
    pros: ['no exponential', 'exact 0 and 1 outside the linear part'],
    cons: ['zero gradient outside the linear part', 'kinks at the ends'],
    references: [{ title: 'Searching for MobileNetV3 (Howard et al., 2019)', source: 'arXiv:1905.02244' }],
    conventions: ['PyTorch: slope 1/6, offset 0.5.', 'ONNX HardSigmoid, TF.js and Keras 2: slope 0.2, offset 0.5 (preset "onnx").'],
  },
});

/** log σ(x) = -softplus(-x). */
export const logSigmoid = defineActivation({
  id: 'log-sigmoid',
  forward: ({ x }) => neg(softplus(neg(x))),
  derivative: ({ x }) => sigma(neg(x)),
  output: interval(Number.NEGATIVE_INFINITY, 0, '()'),
  derivativeRange: interval(0, 1, '()'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: false,
    saturates: 'right',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Log-sigmoid',
    formula: '\\log \\sigma(x) = -\\operatorname{softplus}(-x)',
    derivativeFormula: '\\sigma(-x) = 1 - \\sigma(x)',
    description:
      'The logarithm of the sigmoid, computed without ever forming σ(x), so it stays exact for large negative x (where log σ(x) ≈ x) and large positive x (where it is ≈ -e^{-x}).',
    useCases: ['binary cross-entropy from logits', 'log-likelihoods of Bernoulli outputs', 'negative sampling (word2vec)'],
    pros: ['numerically stable log-probability', 'gradient never exactly zero'],
    cons: ['unbounded below'],
    references: [{ title: 'PyTorch torch.nn.LogSigmoid', source: 'PyTorch' }],
    conventions: ['Computed as -(max(-x, 0) + log1p(e^{-|x|})).'],
  },
});

/** tanh(x). */
export const tanh = defineActivation({
  id: 'tanh',
  forward: ({ x }) => tanhOf(x),
  output: interval(-1, 1, '()'),
  derivativeRange: interval(0, 1, '(]'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: true,
    saturates: 'both',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Tanh',
    formula: '\\tanh(x) = \\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}',
    derivativeFormula: '1 - \\tanh^2(x) = \\operatorname{sech}^2(x)',
    description:
      'The hyperbolic tangent: a zero-centred sigmoid with range (-1, 1) and slope 1 at the origin. Still saturates in both tails, so deep tanh networks also suffer from vanishing gradients, though less than sigmoid ones.',
    useCases: ['recurrent networks (LSTM/GRU cell state)', 'hidden layers of small MLPs', 'outputs in [-1, 1] (e.g. GAN generators)'],
    pros: ['zero-centred', 'smooth, f′(0) = 1'],
    cons: ['vanishing gradient in both tails'],
    references: [{ title: 'Efficient BackProp (LeCun et al., 1998)', source: 'Neural Networks: Tricks of the Trade' }],
    conventions: ["The derivative is computed as 4e^{-2|x|} / (1 + e^{-2|x|})^2, which keeps tiny values where 1 - tanh² would round to 0."],
  },
});

/** min(max(x, minValue), maxValue). */
export const hardTanh = defineActivation({
  id: 'hard-tanh',
  params: {
    minValue: { default: -1, description: 'lower clamp (PyTorch min_val)' },
    maxValue: { default: 1, description: 'upper clamp (PyTorch max_val)' },
  },
  validate: (p) =>
    p.minValue! < p.maxValue! ? undefined : { parameter: 'maxValue', expected: `must be greater than minValue (${p.minValue})` },
  forward: ({ x, p }) => min(max(x, p.minValue!), p.maxValue!),
  output: (p) => interval(p.minValue!, p.maxValue!, '[]'),
  derivativeRange: interval(0, 1, '[]'),
  properties: (p) => ({
    monotonic: true,
    continuity: 'C0',
    zeroCentered: p.minValue! < 0 && p.maxValue! > 0,
    saturates: 'both',
    zeroGradient: 'both',
    selfNormalizing: false,
  }),
  docs: {
    name: 'Hard tanh',
    formula: '\\min(\\max(x, a), b)',
    derivativeFormula: '1 \\text{ if } a < x < b \\text{ else } 0',
    description: 'Clamps x to [a, b] (default [-1, 1]): the piecewise-linear version of tanh.',
    useCases: ['cheap bounded activations', 'quantisation-aware training', 'gradient clipping of values'],
    pros: ['cheap', 'bounded and zero-centred by default'],
    cons: ['zero gradient outside [a, b]'],
    references: [{ title: 'Natural Language Processing (almost) from Scratch (Collobert et al., 2011)', source: 'JMLR 12' }],
    conventions: ['PyTorch Hardtanh(min_val=-1, max_val=1); gradient 0 at the clamp points, as in PyTorch.'],
  },
});

/** x / (1 + |x|). */
export const softsign = defineActivation({
  id: 'softsign',
  // at |x| > 1e20 the value rounds to ±1 anyway; the select keeps ±∞ from giving ∞/∞
  forward: ({ x }) => select(gt(abs(x), 1e20), sign(x), div(x, add(1, abs(x)))),
  derivative: ({ x }) => div(1, powi(add(1, abs(x)), 2)),
  output: interval(-1, 1, '()'),
  derivativeRange: interval(0, 1, '(]'),
  properties: {
    monotonic: true,
    continuity: 'C1',
    zeroCentered: true,
    saturates: 'both',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Softsign',
    formula: '\\frac{x}{1 + |x|}',
    derivativeFormula: '\\frac{1}{(1 + |x|)^2}',
    description:
      'A tanh-like squashing function that approaches ±1 polynomially rather than exponentially, so it saturates more slowly and needs no exponential.',
    useCases: ['an alternative to tanh in hidden layers', 'cheap bounded outputs'],
    pros: ['zero-centred, bounded', 'slower saturation than tanh', 'no exponential'],
    cons: ['still saturates', 'second derivative jumps at 0 (C¹ only)'],
    references: [{ title: 'Quadratic features and deep architectures for chunking (Turian et al., 2009)', source: 'NAACL 2009' }],
    conventions: [],
  },
});
