/** Gated (self-gating) activations x · g(x): GELU, GELU-tanh, SiLU, Swish, hard swish, Mish. */
import {
  add,
  defineActivation,
  derivative,
  div,
  erfc,
  type Expr,
  ge,
  interval,
  le,
  lt,
  mul,
  type ParamValues,
  param,
  powi,
  select,
  sigmoid,
  softplus,
  tanh,
  x,
} from '@activations/core';
import { withLimits } from './tails.js';

const SMOOTH_GATED = {
  monotonic: false,
  continuity: 'smooth',
  zeroCentered: true,
  saturates: 'left',
  zeroGradient: 'none',
  selfNormalizing: false,
} as const;

/** Forward with its -∞ limit (0), derivative with both limits (0 and 1), from one smooth formula. */
function gatedForms(gate: Expr, core: Expr): { forward: Expr; derivative: Expr } {
  return {
    forward: withLimits(gate, core, { left: 0 }),
    derivative: withLimits(gate, derivative(core), { left: 0, right: 1 }),
  };
}

// x Φ(x) with Φ(x) = erfc(-x/√2) / 2: erfc keeps the left tail (GELU(-13) ≈ -8e-38) where 1 + erf(x/√2) is 0
const geluForms = gatedForms(x, mul(mul(0.5, x), erfc(mul(-Math.SQRT1_2, x))));

/** x Φ(x), Φ the standard normal CDF. */
export const gelu = defineActivation({
  id: 'gelu',
  ...geluForms,
  output: interval(-0.16997120747990366, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: interval(-0.12890414518515478, 1.1289041451851547, '[]'),
  properties: SMOOTH_GATED,
  docs: {
    name: 'GELU',
    formula: 'x\\,\\Phi(x) = \\frac{x}{2}\\left(1 + \\operatorname{erf}\\left(\\frac{x}{\\sqrt{2}}\\right)\\right)',
    derivativeFormula: '\\Phi(x) + x\\,\\varphi(x), \\quad \\varphi(x) = \\frac{e^{-x^2/2}}{\\sqrt{2\\pi}}',
    description:
      'Gaussian error linear unit: weights its input by the probability that a standard normal variable is below it. Smooth, non-monotonic (a small dip to -0.17 near x = -0.75), and the default in transformers.',
    useCases: ['transformer FFN (BERT, GPT-2, ViT)', 'modern MLPs and CNNs'],
    pros: ['smooth everywhere', 'non-zero gradient for negative inputs near 0', 'strong results in transformers'],
    cons: ['needs erf: costlier than ReLU', 'peers lose the left tail (return 0 on [-13, -4], NaN at -∞); this one does not'],
    references: [{ title: 'Gaussian Error Linear Units (Hendrycks & Gimpel, 2016)', source: 'arXiv:1606.08415' }],
    conventions: [
      'Exact (erf) form, as torch.nn.GELU() and tf.nn.gelu(approximate=False).',
      'For the tanh approximation (GELU(approximate="tanh"), tf.nn.gelu default in TF.js, GPT-2) use gelu-tanh.',
    ],
  },
});

const GELU_TANH_K = Math.sqrt(2 / Math.PI);
// 0.5 x (1 + tanh u) = x σ(2u): no cancellation for negative x, where 1 + tanh u loses every digit
const geluTanhU = mul(GELU_TANH_K, add(x, mul(0.044715, powi(x, 3))));
const geluTanhForms = gatedForms(x, mul(x, sigmoid(mul(2, geluTanhU))));

/** The tanh approximation of GELU. */
export const geluTanh = defineActivation({
  id: 'gelu-tanh',
  aliases: ['gelu-approximate'],
  ...geluTanhForms,
  output: interval(-0.17004075057125406, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: interval(-0.12899306865877178, 1.1289930686587717, '[]'),
  properties: SMOOTH_GATED,
  docs: {
    name: 'GELU (tanh approximation)',
    formula: '\\frac{x}{2}\\left(1 + \\tanh\\left(\\sqrt{2/\\pi}\\,(x + 0.044715 x^3)\\right)\\right)',
    derivativeFormula: "\\sigma(2u) + 2x\\,u'\\,\\sigma(2u)\\,\\sigma(-2u), \\quad u = \\sqrt{2/\\pi}(x + 0.044715x^3)",
    description:
      'The tanh approximation of GELU used by GPT-2 and many fast kernels; within about 1e-3 of the exact GELU. Computed as x·σ(2u), which equals 0.5x(1 + tanh u) but keeps its digits for negative x.',
    useCases: ['transformer FFN where the reference model used the approximation (GPT-2, BERT TF code)'],
    pros: ['no erf needed', 'matches models trained with it'],
    cons: ['not exactly GELU (max difference ≈ 4.7e-4)'],
    references: [{ title: 'Gaussian Error Linear Units (Hendrycks & Gimpel, 2016)', source: 'arXiv:1606.08415' }],
    conventions: ['torch.nn.GELU(approximate="tanh"); jax.nn.gelu(approximate=True) (JAX default).'],
  },
});

const siluForms = gatedForms(x, mul(x, sigmoid(x)));
const SILU_MIN = -0.2784645427610738;
const SILU_DERIVATIVE = interval(-0.09983932012886693, 1.099839320128867, '[]');

/** x σ(x). */
export const silu = defineActivation({
  id: 'silu',
  aliases: ['swish-1'],
  ...siluForms,
  output: interval(SILU_MIN, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: SILU_DERIVATIVE,
  properties: SMOOTH_GATED,
  docs: {
    name: 'SiLU (Swish-1)',
    formula: 'x\\,\\sigma(x) = \\frac{x}{1 + e^{-x}}',
    derivativeFormula: '\\sigma(x)\\left(1 + x\\,\\sigma(-x)\\right)',
    description:
      'Sigmoid-weighted linear unit: the input gated by its own sigmoid. Smooth, non-monotonic with a minimum of -0.278 at x ≈ -1.278, unbounded above like ReLU.',
    useCases: ['EfficientNet and other modern CNNs', 'SwiGLU gates in LLM feed-forward layers (LLaMA, PaLM)', 'reinforcement learning (SiLU was introduced there)'],
    pros: ['smooth', 'no dead units', 'often better than ReLU in deep models'],
    cons: ['an exponential per element', 'non-monotonic'],
    references: [
      { title: 'Sigmoid-Weighted Linear Units for Neural Network Function Approximation in RL (Elfwing et al., 2017)', source: 'arXiv:1702.03118' },
      { title: 'Searching for Activation Functions (Ramachandran et al., 2017)', source: 'arXiv:1710.05941' },
    ],
    conventions: ['torch.nn.SiLU; Swish with β = 1. Peers return NaN at -∞; this returns 0.'],
  },
});

const beta = param('beta');
const swishGate = mul(beta, x);
const swishForms = gatedForms(swishGate, mul(x, sigmoid(swishGate)));

/** x σ(βx) with a (learnable) β. */
export const swish = defineActivation({
  id: 'swish',
  params: { beta: { default: 1, min: 0, minExclusive: true, learnable: true, description: 'gate sharpness β' } },
  ...swishForms,
  output: (p: ParamValues) => interval(SILU_MIN / p.beta!, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: SILU_DERIVATIVE,
  properties: SMOOTH_GATED,
  docs: {
    name: 'Swish',
    formula: 'x\\,\\sigma(\\beta x)',
    derivativeFormula: '\\sigma(\\beta x)\\left(1 + \\beta x\\,\\sigma(-\\beta x)\\right)',
    description:
      'SiLU with a gate sharpness β, which may be learned: β → 0 gives x/2, β → ∞ approaches ReLU. Backends give the gradient with respect to β.',
    useCases: ['architecture search results', 'models that learn their activation shape'],
    pros: ['interpolates between linear and ReLU', 'smooth'],
    cons: ['one more parameter'],
    references: [{ title: 'Searching for Activation Functions (Ramachandran et al., 2017)', source: 'arXiv:1710.05941' }],
    conventions: ['β = 1 is silu (alias swish-1); TF.js and Keras "swish" are silu.'],
  },
});

/** x · relu6(x + 3) / 6. */
export const hardSwish = defineActivation({
  id: 'hard-swish',
  forward: select(le(x, -3), 0, select(ge(x, 3), x, div(mul(x, add(x, 3)), 6))),
  // PyTorch's hardswish_backward: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above
  derivative: select(lt(x, -3), 0, select(le(x, 3), add(div(x, 3), 0.5), 1)),
  output: interval(-0.375, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: interval(-0.5, 1.5, '[]'),
  properties: {
    monotonic: false,
    continuity: 'C0',
    zeroCentered: true,
    saturates: 'left',
    zeroGradient: 'left',
    selfNormalizing: false,
  },
  docs: {
    name: 'Hard swish',
    formula: 'x\\,\\frac{\\operatorname{ReLU6}(x + 3)}{6}',
    derivativeFormula: '0 \\text{ if } x < -3, \\; \\frac{x}{3} + \\frac{1}{2} \\text{ if } -3 \\le x \\le 3, \\; 1 \\text{ otherwise}',
    description: 'A piecewise-quadratic stand-in for Swish without exponentials, designed for mobile inference.',
    useCases: ['MobileNetV3 and other mobile CNNs'],
    pros: ['no exponential', 'close to Swish'],
    cons: ['zero gradient below -3', 'derivative jumps at ±3'],
    references: [{ title: 'Searching for MobileNetV3 (Howard et al., 2019)', source: 'arXiv:1905.02244' }],
    conventions: ['Gradient at ±3 as PyTorch computes it (-0.5 and 1.5).'],
  },
});

const mishForms = gatedForms(x, mul(x, tanh(softplus(x))));

/** x tanh(softplus(x)). */
export const mish = defineActivation({
  id: 'mish',
  ...mishForms,
  output: interval(-0.30884341301725043, Number.POSITIVE_INFINITY, '[)'),
  derivativeRange: interval(-0.11252612238946257, 1.088498161251728, '[]'),
  properties: SMOOTH_GATED,
  docs: {
    name: 'Mish',
    formula: 'x \\tanh(\\operatorname{softplus}(x)) = x \\tanh(\\ln(1 + e^{x}))',
    derivativeFormula: '\\tanh(\\operatorname{sp}(x)) + x\\,\\operatorname{sech}^2(\\operatorname{sp}(x))\\,\\sigma(x)',
    description: 'A smooth, non-monotonic self-gated activation similar to Swish, with a slightly deeper negative dip (-0.309).',
    useCases: ['YOLOv4 and other detection backbones', 'CNN hidden layers'],
    pros: ['smooth', 'no dead units', 'strong results in some vision models'],
    cons: ['the costliest common activation (exp, log1p and tanh per element)'],
    references: [{ title: 'Mish: A Self Regularized Non-Monotonic Activation Function (Misra, 2019)', source: 'arXiv:1908.08681' }],
    conventions: ['Peers return NaN at -∞; this returns 0.'],
  },
});
