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
      // CI runs every package's suite at once on 2 cores: a test that takes 2 s alone has taken
      // 30 s there. The work of each test is bounded; the timeout only catches a hang.
      testTimeout: options.testTimeout ?? 120_000,
    },
  });
}
