import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration every package uses: tests run against `src/` through the
 * `@activations/source` export condition, so no build is needed to test. When
 * ACTIVATIONS_TEST_REPORT_DIR is set (CI), a JSON report per package is written there so
 * `.ci/run` can count passed and failed tests.
 */
export function packageTestConfig(packageDir: string, options: { testTimeout?: number } = {}) {
  const reportDir = process.env.ACTIVATIONS_TEST_REPORT_DIR;
  const reporters: Array<string | [string, Record<string, unknown>]> = ['default'];
  if (reportDir) {
    reporters.push(['json', { outputFile: `${reportDir}/${basename(packageDir)}.json` }]);
  }
  return defineConfig({
    resolve: { conditions: ['@activations/source'] },
    ssr: { resolve: { conditions: ['@activations/source'] } },
    test: {
      include: ['src/**/*.test.ts'],
      reporters,
      testTimeout: options.testTimeout ?? 30_000,
    },
  });
}
