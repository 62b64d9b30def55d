/**
 * @activations/core/testing: the shared conformance suite for backends (needs vitest).
 *
 * @example
 * import { describeBackendConformance } from '@activations/core/testing';
 * describeBackendConformance({ name: 'my-backend', create: () => new MyBackend(), activations: zoo, ulps: 4 });
 */
export {
  type ConformanceOptions,
  conformanceInputs,
  describeBackendConformance,
  FLUSH_FLOOR,
  firstDifference,
  firstFloat32Mismatch,
  firstSampleMismatch,
  vjpTerms,
} from './conformance.js';
export { hostileTrees, SENTINEL, sentinel } from './hostile.js';
