/** Exponential linear units: ELU, CELU, SELU. */
import { defineActivation, div, exp, expm1, gt, interval, mul, type ParamValues, select } from '@activations/core';

/** x if x > 0 else alpha (e^x - 1). */
export const elu = defineActivation({
  id: 'elu',
  params: { alpha: { default: 1, min: 0, minExclusive: true, description: 'negative saturation value is -alpha' } },
  forward: ({ x, p }) => select(gt(x, 0), x, mul(p.alpha!, expm1(x))),
  derivative: ({ x, p }) => select(gt(x, 0), 1, mul(p.alpha!, exp(x))),
  output: (p: ParamValues) => interval(-p.alpha!, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: (p: ParamValues) => interval(0, Math.max(1, p.alpha!), '(]'),
  properties: (p: ParamValues) => ({
    monotonic: true,
    continuity: p.alpha === 1 ? 'C1' : 'C0',
    zeroCentered: true,
    saturates: 'left',
    zeroGradient: 'none',
    selfNormalizing: false,
  }),
  docs: {
    name: 'ELU',
    formula: 'x \\text{ if } x > 0 \\text{ else } \\alpha (e^{x} - 1)',
    derivativeFormula: '1 \\text{ if } x > 0 \\text{ else } \\alpha e^{x}',
    description:
      'Exponential linear unit: identity for positive inputs, a smooth exponential approach to -α for negative ones. Negative outputs push mean activations towards zero, and negative units keep a gradient.',
    useCases: ['hidden layers of deep MLPs and CNNs', 'an alternative to ReLU when dead units are a problem'],
    pros: ['no dead units', 'mean activation closer to zero', 'smooth (C¹) for α = 1'],
    cons: ['exponential is costlier than ReLU', 'saturates for large negative x'],
    references: [{ title: 'Fast and Accurate Deep Network Learning by Exponential Linear Units (Clevert et al., 2015)', source: 'arXiv:1511.07289' }],
    conventions: ['Computed with expm1, so tiny negative x keep all their digits.', "Gradient at 0 is α, as in PyTorch."],
  },
});

/** x if x > 0 else alpha (e^{x / alpha} - 1). */
export const celu = defineActivation({
  id: 'celu',
  params: { alpha: { default: 1, min: 0, minExclusive: true, description: 'negative saturation value is -alpha' } },
  forward: ({ x, p }) => select(gt(x, 0), x, mul(p.alpha!, expm1(div(x, p.alpha!)))),
  derivative: ({ x, p }) => select(gt(x, 0), 1, exp(div(x, p.alpha!))),
  output: (p: ParamValues) => interval(-p.alpha!, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, 1, '(]'),
  properties: {
    monotonic: true,
    continuity: 'C1',
    zeroCentered: true,
    saturates: 'left',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'CELU',
    formula: 'x \\text{ if } x > 0 \\text{ else } \\alpha (e^{x/\\alpha} - 1)',
    derivativeFormula: '1 \\text{ if } x > 0 \\text{ else } e^{x/\\alpha}',
    description: 'Continuously differentiable ELU: rescaling the exponent by 1/α makes the derivative continuous at 0 for every α.',
    useCases: ['as ELU, when α ≠ 1 is wanted without a kink'],
    pros: ['C¹ for every α', 'no dead units'],
    cons: ['exponential cost', 'saturates for large negative x'],
    references: [{ title: 'Continuously Differentiable Exponential Linear Units (Barron, 2017)', source: 'arXiv:1704.07483' }],
    conventions: [],
  },
});

// 1.0507009873554804934193349852946 and 1.6732632423543772848170429916717 rounded to float64
const SELU_LAMBDA = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** lambda · (x if x > 0 else alpha (e^x - 1)) with the self-normalising constants. */
export const selu = defineActivation({
  id: 'selu',
  forward: ({ x }) => mul(SELU_LAMBDA, select(gt(x, 0), x, mul(SELU_ALPHA, expm1(x)))),
  derivative: ({ x }) => select(gt(x, 0), SELU_LAMBDA, mul(SELU_LAMBDA * SELU_ALPHA, exp(x))),
  output: interval(-SELU_LAMBDA * SELU_ALPHA, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, SELU_LAMBDA * SELU_ALPHA, '(]'),
  properties: {
    monotonic: true,
    continuity: 'C0',
    zeroCentered: true,
    saturates: 'left',
    zeroGradient: 'none',
    selfNormalizing: true,
  },
  docs: {
    name: 'SELU',
    formula: '\\lambda \\left(x \\text{ if } x > 0 \\text{ else } \\alpha (e^{x} - 1)\\right), \\; \\lambda \\approx 1.0507, \\alpha \\approx 1.6733',
    derivativeFormula: '\\lambda \\text{ if } x > 0 \\text{ else } \\lambda \\alpha e^{x}',
    description:
      'Scaled ELU with constants chosen so that activations converge to zero mean and unit variance through many layers (with LeCun-normal initialisation and no batch normalisation).',
    useCases: ['self-normalising fully connected networks (SNNs)', 'deep MLPs without batch norm'],
    pros: ['self-normalising', 'no dead units'],
    cons: ['needs LeCun-normal init and alpha-dropout to keep its guarantees', 'kink at 0'],
    references: [{ title: 'Self-Normalizing Neural Networks (Klambauer et al., 2017)', source: 'arXiv:1706.02515' }],
    conventions: ['λ = 1.0507009873554805, α = 1.6732632423543772, as in PyTorch.'],
  },
});

/** The SELU constants (λ, α). */
export const SELU_CONSTANTS = Object.freeze({ lambda: SELU_LAMBDA, alpha: SELU_ALPHA });
