/**
 * @activations/core/backend: what backend authors need. A backend package supplies a provider
 * (compile an op request into a kernel, run it, dispose) and gets the whole public Backend from
 * `BackendFacade` / `SyncBackendFacade`; the rest is the shared machinery of code generators:
 * library expansion and NaN guards, expression patterns, structural identity, accuracy helpers.
 *
 * @example
 * import { SyncBackendFacade, type SyncBackendProvider } from '@activations/core/backend';
 * class MyBackend extends SyncBackendFacade<MyKernel> { constructor() { super(new MyProvider()); } }
 */
export {
  checkActivation,
  checkFloatArray,
  checkResidentOp,
  floatArrayType,
  isDetached,
  isShared,
  overlap,
} from '../checks.js';
export {
  BackendFacade,
  type FacadeOptions,
  referenceFixes,
  SyncBackendFacade,
} from '../facade.js';
export {
  children,
  type Condition,
  type Expr,
  bindParams,
  dependsOnInput,
  describeValue,
  isBinaryOp,
  isCompareOp,
  isUnaryOp,
  lift,
  mapChildren,
  rewrite,
} from '../expression.js';
export { encloser } from '../interval.js';
export { KERNEL_CACHE_SIZE, KernelCache, type KernelStats } from '../kernel-cache.js';
export { expandLibrary, expandSigmoid, expandSoftplus, type LibraryForm } from '../library.js';
export {
  BINARY_FLOAT64,
  COMPARE_FLOAT64,
  powi64,
  sigmoid64,
  softplus64,
  UNARY_FLOAT64,
} from '../math.js';
export {
  FLOAT32_SPECIALS,
  float32Sample,
  floatsAround,
  holeIntervals,
  rootIntervals,
  rootsOf,
  primeStepSample,
  probeSample,
  SAMPLE_SIZE,
  seedOf,
  switchPoints,
  thresholdInputs,
} from '../sample.js';
export {
  constTimesInput,
  exactSquareOf,
  type Float32Shape,
  float32Shape,
  inputThreshold,
  isNormalCdfScale,
  isPowerOfTwo,
  scaledInput,
  scaledSquare,
} from '../patterns.js';
export {
  type BackendProvider,
  type ElementwiseOp,
  type FloatType,
  type Job,
  type MapRequest,
  mapRequest,
  opRange,
  type OpRequest,
  type RowsRequest,
  rowsRequest,
  type SyncBackendProvider,
} from '../provider.js';
export { guardNaN, propagatesNaN, simplify } from '../simplify.js';
export {
  measure,
  memoized,
  type Node,
  nodesOf,
  numberKey,
  StructuralIds,
  TRANSCENDENTAL_OPS,
  transcendentalCount,
  useCounts,
} from '../structure.js';
export { closestNames, editDistance } from '../suggest.js';
export {
  accuracyInputs,
  FLUSH_FLOOR,
  flushForgives,
  readsAsZero,
  float32Above,
  float32Below,
  float32Error,
  isNormalFloat32,
  ulpDistanceFloat32,
  ulpDistanceFloat64,
  ulpFloat32,
  ulpFloat64,
  worstUlps,
} from '../ulp.js';
export {
  crossEntropyFromLogProbabilities,
  crossEntropyGradientFromProbabilities,
  resolveRowLength,
  resolveTargets,
  softmaxBackwardFromProbabilities,
  softmaxBackwardRows,
  softmaxCrossEntropy,
  softmaxCrossEntropyGradient,
  softmaxRows,
  type SoftmaxSpec,
  type Targets,
} from '../vector.js';
