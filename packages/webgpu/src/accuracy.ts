/**
 * Where the WGSL kernels miss 4 ULP, measured on SwiftShader over core's accuracy inputs (see the
 * README's accuracy section). All float32 arithmetic, no float64 on the GPU: a derivative that
 * sums two terms of opposite sign (silu′, gelu′, mish′ near their roots; x - tanh x) loses relative
 * accuracy where the sum is small, though its absolute error stays near float32 rounding of the
 * terms. The bound is the ULP error tolerated for the activation's forward, derivative and backward.
 */
export const KNOWN_DEVIATIONS: Readonly<Record<string, number>> = {
  'tanhshrink{}': 12,
  'gelu{}': 500,
  'gelu-tanh{}': 2000,
  'silu{}': 900,
  'swish{"beta":1}': 900,
  'mish{}': 6500,
  'squareplus{"b":4}': 4.5,
  'quick-gelu': 7000,
};
