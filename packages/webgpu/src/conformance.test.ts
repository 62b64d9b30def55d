import { describeBackendConformance } from '@activations/core/testing';
import { zoo } from '@activations/zoo';
import { it } from 'vitest';
import { unavailable } from './availability.test-util.js';
import { WebGPUBackend } from './backend.js';

if (unavailable) it.skip(`webgpu conformance: ${unavailable}`, () => {});
else
  describeBackendConformance({
    name: `webgpu (${typeof window === 'undefined' ? 'Node, npm webgpu' : 'browser'})`,
    create: () => WebGPUBackend.create({ allowSoftware: true }),
    activations: zoo,
    // every kernel within 4 ULP: float32 where that suffices, double-float where the probe says not
    ulps: 4,
    // SwiftShader (like most GPUs) flushes subnormals to zero, which WGSL allows
    flushesSubnormals: true,
  });
