/** Vector activations over rows: softmax, log-softmax, softmin; and softmax cross-entropy. */
import { defineLoss, defineVectorActivation, interval } from '@activations/core';

const ROW_PROPERTIES = {
  continuity: 'smooth',
  zeroCentered: false,
  saturates: 'both',
  zeroGradient: 'none',
  selfNormalizing: false,
} as const;

/** e^{x_i} / Σ_j e^{x_j} over each row. */
export const softmax = defineVectorActivation({
  id: 'softmax',
  softmax: { scale: 1, log: false },
  output: interval(0, 1, '(]'),
  derivativeRange: interval(-0.25, 0.25, '[]'),
  properties: { monotonic: true, ...ROW_PROPERTIES },
  docs: {
    name: 'Softmax',
    formula: '\\operatorname{softmax}(x)_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}',
    derivativeFormula: '\\frac{\\partial y_i}{\\partial x_j} = y_i(\\delta_{ij} - y_j), \\quad \\bar{x} = y \\odot (\\bar{y} - \\langle \\bar{y}, y \\rangle)',
    description:
      'Turns each row of scores into a probability distribution. Computed with the row maximum subtracted, so large logits never overflow. Its backward pass is the vector-Jacobian product.',
    useCases: ['multi-class classification output layer', 'attention weights in transformers'],
    pros: ['outputs a distribution', 'smooth'],
    cons: ['saturates when one logit dominates', 'acts on whole rows (rowLength parameter)'],
    references: [{ title: 'Probabilistic interpretation of feedforward classification network outputs (Bridle, 1990)', source: 'Neurocomputing' }],
    conventions: ['rowLength = 0 treats the whole array as one row; otherwise rows are contiguous (the last axis).'],
  },
});

/** x_i - log Σ_j e^{x_j} over each row. */
export const logSoftmax = defineVectorActivation({
  id: 'log-softmax',
  softmax: { scale: 1, log: true },
  output: interval(Number.NEGATIVE_INFINITY, 0, '(]'),
  derivativeRange: interval(-1, 1, '()'),
  properties: { monotonic: true, ...ROW_PROPERTIES },
  docs: {
    name: 'Log-softmax',
    formula: '\\log \\operatorname{softmax}(x)_i = x_i - \\log \\sum_j e^{x_j}',
    derivativeFormula: '\\bar{x} = \\bar{y} - \\operatorname{softmax}(x) \\sum_j \\bar{y}_j',
    description: 'The log of softmax, computed directly (log-sum-exp with the maximum subtracted) so tiny probabilities keep their logs.',
    useCases: ['negative log-likelihood losses', 'language-model token log-probabilities'],
    pros: ['no log(0) for tiny probabilities'],
    cons: ['acts on whole rows'],
    references: [{ title: 'PyTorch torch.nn.LogSoftmax', source: 'PyTorch' }],
    conventions: ['rowLength = 0 treats the whole array as one row.'],
  },
});

/** softmax(-x) over each row. */
export const softmin = defineVectorActivation({
  id: 'softmin',
  softmax: { scale: -1, log: false },
  output: interval(0, 1, '(]'),
  derivativeRange: interval(-0.25, 0.25, '[]'),
  properties: { monotonic: false, ...ROW_PROPERTIES },
  docs: {
    name: 'Softmin',
    formula: '\\operatorname{softmin}(x)_i = \\frac{e^{-x_i}}{\\sum_j e^{-x_j}}',
    derivativeFormula: '\\bar{x} = -y \\odot (\\bar{y} - \\langle \\bar{y}, y \\rangle)',
    description: 'Softmax of the negated inputs: puts most weight on the smallest entries.',
    useCases: ['soft assignment to the nearest of several prototypes (distances)', 'soft minimum'],
    pros: ['smooth minimum selection'],
    cons: ['acts on whole rows'],
    references: [{ title: 'PyTorch torch.nn.Softmin', source: 'PyTorch' }],
    conventions: ['rowLength = 0 treats the whole array as one row.'],
  },
});

/** Mean over rows of -Σ t_i log softmax(x)_i, with gradient (softmax(x) - t) / rows. */
export const softmaxCrossEntropy = defineLoss({
  id: 'softmax-cross-entropy',
  aliases: ['cross-entropy'],
  loss: 'softmax-cross-entropy',
  output: interval(0, Number.POSITIVE_INFINITY, '[)'),
  docs: {
    name: 'Softmax cross-entropy',
    formula: 'L = -\\frac{1}{B} \\sum_{b} \\sum_i t_{b,i} \\log \\operatorname{softmax}(x_b)_i',
    derivativeFormula: '\\frac{\\partial L}{\\partial x_{b,i}} = \\frac{\\operatorname{softmax}(x_b)_i - t_{b,i}}{B}',
    description:
      'Softmax fused with cross-entropy: the loss of multi-class classification. Fusing them gives the simple, stable gradient (y - t) / batch and never takes log(0). Targets are one-hot (or probability) rows, or one class index per row.',
    useCases: ['training multi-class classifiers'],
    pros: ['stable (log-sum-exp)', 'simple gradient'],
    cons: ['over-confident logits unless regularised (label smoothing)'],
    references: [{ title: 'Deep Learning (Goodfellow, Bengio, Courville), §6.2.2.3', source: 'textbook' }],
    conventions: ['Mean over rows, as PyTorch CrossEntropyLoss(reduction="mean"). rowLength is the number of classes.'],
  },
});
