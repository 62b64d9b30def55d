// Sums vitest JSON reports (one per package) and prints "tests: N passed, M failed".
// Exits non-zero when a test failed or no report was written.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/count-tests.mjs REPORT_DIR');
const reports = readdirSync(dir).filter((f) => f.endsWith('.json'));
let passed = 0;
let failed = 0;
for (const file of reports) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  console.log(`${file.replace(/\.json$/, '').padEnd(12)} ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`tests: ${passed} passed, ${failed} failed`);
if (reports.length === 0 || failed > 0 || passed === 0) process.exitCode = 1;
