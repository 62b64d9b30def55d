import { expect, it } from 'vitest';
import * as root from './index.js';

// The public surface, name by name: the factory, its options and what only this package has.
// Nothing internal; update on purpose, never by accident.
it('exports exactly these names', () => {
  expect(Object.keys(root).sort()).toMatchInlineSnapshot(`
    [
      "MAX_TRANSCENDENTALS",
      "WebGPUBackend",
      "toWGSL",
      "webgpu",
    ]
  `);
});
