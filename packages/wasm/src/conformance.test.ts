import { describeBackendConformance } from '@activations/core/testing';
import { zoo } from '@activations/zoo';
import { WasmBackend } from './backend.js';

describeBackendConformance({
  name: 'wasm',
  create: () => new WasmBackend(),
  activations: zoo,
  ulps: 4,
});
