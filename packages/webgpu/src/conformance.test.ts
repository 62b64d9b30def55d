import { describeBackendConformance } from '@activations/core/testing';
import { zoo } from '@activations/zoo';
import { WebGPUBackend } from './backend.js';
import { KNOWN_DEVIATIONS } from './accuracy.js';

describeBackendConformance({
  name: `webgpu (${typeof window === 'undefined' ? 'Node, npm webgpu' : 'browser'})`,
  create: () => WebGPUBackend.create({ allowSoftware: true }),
  activations: zoo,
  ulps: 4,
  // SwiftShader (like most GPUs) flushes subnormals to zero, which WGSL allows
  flushesSubnormals: true,
  knownDeviations: KNOWN_DEVIATIONS,
});
