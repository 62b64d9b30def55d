/** Shrinkage functions: softshrink, hardshrink, tanhshrink. */
import {
  abs,
  add,
  constant,
  defineActivation,
  div,
  type Expr,
  gt,
  interval,
  lt,
  mul,
  type ParamValues,
  powi,
  select,
  sub,
  tanh,
  x,
} from '@activations/core';

const lambdaParam = { default: 0.5, min: 0, description: 'half-width λ of the zeroed band [-λ, λ]' };

/** x - λ above λ, x + λ below -λ, 0 between. */
export const softshrink = defineActivation({
  id: 'softshrink',
  params: { lambda: lambdaParam },
  forward: ({ x, p }) => select(gt(x, p.lambda!), sub(x, p.lambda!), select(lt(x, mul(-1, p.lambda!)), add(x, p.lambda!), 0)),
  output: interval(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, 1, '[]'),
  properties: (p: ParamValues) => ({
    monotonic: true,
    continuity: p.lambda === 0 ? 'smooth' : 'C0',
    zeroCentered: true,
    saturates: 'none',
    zeroGradient: 'none',
    selfNormalizing: false,
  }),
  docs: {
    name: 'Softshrink',
    formula: 'x - \\lambda \\text{ if } x > \\lambda, \\; x + \\lambda \\text{ if } x < -\\lambda, \\; 0 \\text{ otherwise}',
    derivativeFormula: '1 \\text{ if } |x| > \\lambda \\text{ else } 0',
    description: 'Soft thresholding: shrinks every input towards zero by λ and zeroes the band [-λ, λ]. The proximal operator of the L1 norm.',
    useCases: ['sparse coding and LISTA-style unrolled networks', 'wavelet denoising'],
    pros: ['produces exact zeros (sparsity)', 'continuous'],
    cons: ['zero gradient inside the band'],
    references: [{ title: 'De-noising by soft-thresholding (Donoho, 1995)', source: 'IEEE Trans. Inf. Theory 41(3)' }],
    conventions: ['PyTorch Softshrink(lambd=0.5); gradient 0 at ±λ as in PyTorch.'],
  },
});

/** x where |x| > λ, 0 elsewhere. */
export const hardshrink = defineActivation({
  id: 'hardshrink',
  params: { lambda: lambdaParam },
  forward: ({ x, p }) => select(gt(x, p.lambda!), x, select(lt(x, mul(-1, p.lambda!)), x, 0)),
  output: interval(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, 1, '[]'),
  properties: (p: ParamValues) => ({
    monotonic: true,
    continuity: p.lambda === 0 ? 'smooth' : 'discontinuous',
    zeroCentered: true,
    saturates: 'none',
    zeroGradient: 'none',
    selfNormalizing: false,
  }),
  docs: {
    name: 'Hardshrink',
    formula: 'x \\text{ if } |x| > \\lambda \\text{ else } 0',
    derivativeFormula: '1 \\text{ if } |x| > \\lambda \\text{ else } 0',
    description: 'Hard thresholding: keeps inputs larger than λ in magnitude and zeroes the rest.',
    useCases: ['sparse representations', 'hard-thresholding denoisers'],
    pros: ['exact zeros, no shrinkage of large values'],
    cons: ['discontinuous at ±λ'],
    references: [{ title: 'PyTorch torch.nn.Hardshrink', source: 'PyTorch' }],
    conventions: ['PyTorch Hardshrink(lambd=0.5).'],
  },
});

// x - tanh x cancels for small |x|; there x³ q(x²) with q fitted to 5e-18 (scripts/fit-tanhshrink.py)
// keeps every digit. Beyond 0.6 the cancellation costs at most a few ULP.
const TANHSHRINK_Q = [
  -4.45640138892549e-14, 6.554378855760363e-13, -9.506346733464904e-12, 1.3981729340500125e-10,
  -2.056552946796518e-09, 3.024733725948849e-08, -4.44871341003706e-07, 6.543086405617124e-06,
  -9.623615765361274e-05, 0.0014156545370321875, -0.020851388659612835, 0.3109630335673742,
];
const u = div(sub(powi(x, 2), 0.18), 0.18);
const tanhshrinkSmall = mul(
  powi(x, 3),
  TANHSHRINK_Q.slice(1).reduce<Expr>((acc, c) => add(mul(acc, u), c), constant(TANHSHRINK_Q[0]!)),
);

/** x - tanh(x). */
export const tanhshrink = defineActivation({
  id: 'tanhshrink',
  forward: select(lt(abs(x), 0.6), tanhshrinkSmall, sub(x, tanh(x))),
  derivative: powi(tanh(x), 2),
  output: interval(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '()'),
  derivativeRange: interval(0, 1, '[)'),
  properties: {
    monotonic: true,
    continuity: 'smooth',
    zeroCentered: true,
    saturates: 'none',
    zeroGradient: 'none',
    selfNormalizing: false,
  },
  docs: {
    name: 'Tanhshrink',
    formula: 'x - \\tanh(x)',
    derivativeFormula: '\\tanh^2(x)',
    description: 'The input minus its tanh: nearly flat (≈ x³/3) around zero and linear with offset ∓1 far out.',
    useCases: ['sparse coding', 'experiments with soft shrinkage'],
    pros: ['smooth shrinkage'],
    cons: ['small gradient near 0'],
    references: [{ title: 'PyTorch torch.nn.Tanhshrink', source: 'PyTorch' }],
    conventions: ['Computed as x³·q(x²) with a fitted q for |x| < 0.6, where x - tanh x would cancel.'],
  },
});
