import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

const base = packageTestConfig(import.meta.dirname, { testTimeout: 120_000 });
/** End-to-end tests: a Vite dev server and Debian's headless Chromium (see e2e/harness.ts). */
export default defineConfig({ ...base, test: { ...base.test, include: ['e2e/**/*.test.ts'], hookTimeout: 120_000 } });
