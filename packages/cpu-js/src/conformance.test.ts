import { describeBackendConformance } from '@activations/core/testing';
import { zoo } from '@activations/zoo';
import { CpuJsBackend } from './backend.js';

describeBackendConformance({
  name: 'cpu-js (generated code)',
  create: () => new CpuJsBackend(),
  activations: zoo,
  ulps: 2,
});
describeBackendConformance({
  name: 'cpu-js (closures, as under a CSP)',
  create: () => new CpuJsBackend({ codegen: 'closures' }),
  activations: zoo,
  ulps: 2,
});
