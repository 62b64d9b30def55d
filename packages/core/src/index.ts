/**
 * @activations/core: the Activation and Backend contracts, the expression language with symbolic
 * derivatives and interval bounds, and the registry.
 */
export {
  type Activation,
  type ActivationDefinition,
  type Bounds,
  type Docs,
  defineActivation,
  defineLoss,
  defineVectorActivation,
  type ElementwiseActivation,
  type ElementwiseDefinition,
  type ElementwiseSpec,
  type Formula,
  type FormulaContext,
  isActivation,
  type LossActivation,
  type LossDefinition,
  type LossSpec,
  type ParamSpec,
  type ParamValues,
  type PerParams,
  type Preset,
  type Reference,
  resolveParams,
  type VectorActivation,
  type VectorDefinition,
  type VectorSpec,
} from './activation.js';
export {
  type Backend,
  type BackendPlugin,
  checkGradient,
  checkInput,
  type FloatArray,
  outputFor,
  rejectLoss,
  requireElementwise,
  requireLoss,
  type SyncBackend,
} from './backend.js';
export { type DerivativeTarget, derivative } from './derivative.js';
export { erf as erf64, erfc as erfc64 } from './erf.js';
export {
  ActivationError,
  type ActivationErrorCode,
  BackendUnavailableError,
  BadInputError,
  BadParameterError,
  DeviceLostError,
  ParseError,
  UnknownActivationError,
  UnsupportedOperationError,
} from './errors.js';
export { compileScalar, evaluate, type ScalarFunction } from './evaluate.js';
export * from './expression.js';
export {
  contains,
  containsClosure,
  type Enclosure,
  enclose,
  enclosureToInterval,
  formatInterval,
  type Interval,
  type IntervalEnds,
  interval,
  intervalToLatex,
  isSubset,
  REAL_LINE,
  rangeOf,
} from './interval.js';
export { expandLibrary, expandSigmoid, expandSoftplus, type LibraryForm } from './library.js';
export { BINARY_FLOAT64, COMPARE_FLOAT64, powi64, sigmoid64, softplus64, UNARY_FLOAT64 } from './math.js';
export { type ParseOptions, parseExpression } from './parse.js';
export { toLatex, toText } from './print.js';
export {
  type Continuity,
  type DeclaredProperties,
  estimateProperties,
  type Properties,
  type SampledActivation,
  type Side,
  sampleGrid,
} from './properties.js';
export {
  type ActivationSummary,
  type BackendChoice,
  type BackendPreference,
  type BackendStatus,
  createRegistry,
  type Registry,
  type RegistryOptions,
  type SkippedBackend,
} from './registry.js';
export { constTimesInput, exactSquareOf, isPowerOfTwo, scaledInput, scaledSquare } from './patterns.js';
export { guardNaN, propagatesNaN, simplify } from './simplify.js';
export { closestNames } from './suggest.js';
export {
  accuracyInputs,
  FLUSH_FLOOR,
  float32Error,
  isNormalFloat32,
  ulpDistanceFloat32,
  ulpDistanceFloat64,
  ulpFloat32,
  ulpFloat64,
  worstUlps,
} from './ulp.js';
export {
  crossEntropyFromLogProbabilities,
  crossEntropyGradientFromProbabilities,
  resolveRowLength,
  resolveTargets,
  softmaxBackwardFromProbabilities,
  type SoftmaxSpec,
  softmaxBackwardRows,
  softmaxCrossEntropy,
  softmaxCrossEntropyGradient,
  softmaxRows,
  type Targets,
} from './vector.js';
