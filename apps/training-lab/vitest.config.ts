import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

const base = packageTestConfig(import.meta.dirname, { testTimeout: 120_000 });
/** Unit tests (src/, Node, cpu-js) and end-to-end tests (e2e/, headless Chromium). */
export default defineConfig({ ...base, test: { ...base.test, include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'], hookTimeout: 120_000 } });
