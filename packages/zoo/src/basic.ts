/** Identity, binary step, softplus, Gaussian, sine and squareplus. */
import {
  add,
  cos,
  defineActivation,
  div,
  exp,
  ge,
  interval,
  lt,
  mul,
  neg,
  param,
  powi,
  select,
  sigmoid,
  sin as sine,
  softplus as softplusOf,
  sqrt,
  sub,
  x,
} from '@activations/core';
import { withLimits } from './tails.js';

/** f(x) = x. */
export const identity = defineActivation({
  id: 'identity',
  aliases: ['linear'],
  forward: x,
  output: interval(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(1, 1, '[]'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: true,
    saturates: 'none',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Identity',
    formula: 'x',
    derivativeFormula: '1',
    description: 'No activation at all. A network of identity layers is one linear map however deep it is, which is why hidden layers need a nonlinearity.',
    useCases: ['regression output layer', 'teaching: stacked linear layers collapse into one'],
    pros: ['unbounded, exact gradient'],
    cons: ['adds no expressive power'],
    references: [{ title: 'Deep Learning (Goodfellow, Bengio, Courville), ch. 6', source: 'textbook' }],
    conventions: [],
  },
});

/** 1 if x ≥ 0 else 0. */
export const binaryStep = defineActivation({
  id: 'binary-step',
  aliases: ['heaviside'],
  forward: select(ge(x, 0), 1, 0),
  output: interval(0, 1, '[]'),
  derivativeRange: interval(0, 0, '[]'),
  properties: {
    monotonic: true,
    continuity: 'discontinuous',
    zeroCentered: false,
    saturates: 'both',
    zeroGradient: 'both',
    selfNormalizing: false,
  },
  docs: {
    name: 'Binary step',
    formula: '1 \\text{ if } x \\ge 0 \\text{ else } 0',
    derivativeFormula: '0 \\; (x \\ne 0)',
    description:
      'The perceptron’s threshold unit. Its derivative is zero wherever it exists, so gradient descent cannot train through it — one reason the perceptron could not learn XOR and multilayer networks needed smooth activations.',
    useCases: ['the classic perceptron', 'teaching: why XOR needs a hidden layer and a differentiable activation'],
    pros: ['simple, binary output'],
    cons: ['no gradient to learn from', 'discontinuous'],
    references: [{ title: 'The Perceptron (Rosenblatt, 1958)', source: 'Psychological Review 65(6)' }],
    conventions: ['step(0) = 1; derivative taken as 0 everywhere (including 0).'],
  },
});

const softplusBeta = param('beta');

/** ln(1 + e^{βx}) / β. */
export const softplus = defineActivation({
  id: 'softplus',
  params: { beta: { default: 1, min: 0, minExclusive: true, description: 'sharpness β' } },
  forward: div(softplusOf(mul(softplusBeta, x)), softplusBeta),
  derivative: sigmoid(mul(softplusBeta, x)),
  output: interval(0, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, 1, '()'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: false,
    saturates: 'left',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Softplus',
    formula: '\\frac{1}{\\beta} \\ln\\left(1 + e^{\\beta x}\\right)',
    derivativeFormula: '\\sigma(\\beta x)',
    description: 'A smooth ReLU: always positive, ≈ x for large x and ≈ e^{βx}/β for very negative x. Its derivative is the sigmoid.',
    useCases: ['positive outputs (variances, rates, scales)', 'smooth alternative to ReLU'],
    pros: ['smooth, strictly positive', 'gradient never exactly zero'],
    cons: ['not zero-centred', 'costlier than ReLU'],
    references: [{ title: 'Incorporating Second-Order Functional Knowledge for Better Option Pricing (Dugas et al., 2001)', source: 'NeurIPS 2000' }],
    conventions: [
      'Computed exactly as (max(βx, 0) + log1p(e^{-|βx|})) / β. PyTorch switches to x for βx > threshold (20); the difference is below float32 resolution.',
    ],
  },
});

/** e^{-x²}. */
export const gaussian = defineActivation({
  id: 'gaussian',
  forward: exp(neg(powi(x, 2))),
  derivative: withLimits(x, mul(mul(-2, x), exp(neg(powi(x, 2)))), { left: 0, right: 0 }),
  output: interval(0, 1, '(]'),
  derivativeRange: interval(-Math.sqrt(2 / Math.E), Math.sqrt(2 / Math.E), '[]'),
  properties: {
    monotonic: false,
    continuity: 'smooth',
    zeroCentered: false,
    saturates: 'both',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Gaussian',
    formula: 'e^{-x^2}',
    derivativeFormula: '-2x\\,e^{-x^2}',
    description: 'A bell-shaped bump: large only near 0. The activation of radial-basis-function networks.',
    useCases: ['RBF networks', 'implicit neural representations'],
    pros: ['smooth, bounded', 'local response'],
    cons: ['vanishing gradient in both tails', 'non-monotonic'],
    references: [{ title: 'Multivariable functional interpolation and adaptive networks (Broomhead & Lowe, 1988)', source: 'Complex Systems 2' }],
    conventions: [],
  },
});

/** sin(x). */
export const sin = defineActivation({
  id: 'sin',
  aliases: ['sine'],
  forward: sine(x),
  derivative: cos(x),
  output: interval(-1, 1, '[]'),
  derivativeRange: interval(-1, 1, '[]'),
  properties: {
    monotonic: false,
    continuity: 'smooth',
    zeroCentered: true,
    saturates: 'none',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Sine',
    formula: '\\sin(x)',
    derivativeFormula: '\\cos(x)',
    description: 'A periodic activation. With a frequency-scaled first layer (SIREN) it represents signals and their derivatives far better than ReLU networks.',
    useCases: ['implicit neural representations (SIREN)', 'periodic signals'],
    pros: ['smooth, derivatives are again sinusoids'],
    cons: ['needs careful initialisation', 'no limit at ±∞ (sin(±∞) is NaN)'],
    references: [{ title: 'Implicit Neural Representations with Periodic Activation Functions (Sitzmann et al., 2020)', source: 'arXiv:2006.09661' }],
    conventions: [],
  },
});

const b = param('b');
const s = sqrt(add(powi(x, 2), b));

/** (x + √(x² + b)) / 2. */
export const squareplus = defineActivation({
  id: 'squareplus',
  params: { b: { default: 4, min: 0, minExclusive: true, description: 'curvature near 0 (value at 0 is √b / 2)' } },
  // (x + s)/2 rewritten per side so neither cancels: b / (2(s - x)) for x < 0, x + b / (2(s + x)) otherwise
  forward: select(lt(x, 0), div(b, mul(2, sub(s, x))), add(x, div(b, mul(2, add(s, x))))),
  derivative: select(lt(x, 0), div(b, mul(mul(2, s), sub(s, x))), sub(1, div(b, mul(mul(2, s), add(s, x))))),
  output: interval(0, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, 1, '()'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: false,
    saturates: 'left',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Squareplus',
    formula: '\\frac{x + \\sqrt{x^2 + b}}{2}',
    derivativeFormula: '\\frac{1}{2}\\left(1 + \\frac{x}{\\sqrt{x^2 + b}}\\right)',
    description: 'A softplus-like smooth ReLU built from a square root instead of exp and log: cheaper and with a tunable curvature.',
    useCases: ['a cheap smooth alternative to softplus'],
    pros: ['only a square root', 'smooth, positive'],
    cons: ['approaches 0 slowly (≈ b / 4|x|) on the left'],
    references: [{ title: 'Squareplus: A Softplus-Like Algebraic Rectifier (Barron, 2021)', source: 'arXiv:2112.11687' }],
    conventions: ['b = 4 as in the paper.'],
  },
});
