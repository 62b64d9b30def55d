/**
 * Screenshots for the docs (docs/training-lab-*.png), taken in headless Chromium like the tests:
 *   pnpm --filter @activations/training-lab screenshots
 */
import { mkdir } from 'node:fs/promises';
import { open, start } from '@activations/browser-harness';

const docs = new URL('../../../docs/', import.meta.url).pathname;
await mkdir(docs, { recursive: true });
const session = await start(new URL('..', import.meta.url).pathname, { width: 1280, height: 1180 });
await open(session, '#/');
for (const [id, steps] of [
  ['vanishing', 300],
  ['xor', 300],
  ['dying', 200],
] as const) {
  const { page } = session;
  await page.click(`[data-testid=experiment-${id}]`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  await page.click('[data-testid=run-steps]');
  await page.waitForFunction(
    (n) =>
      document.body.dataset.ready === 'true' &&
      (globalThis as unknown as { __app: { runs: Array<{ step: number }> } }).__app.runs.every(
        (r) => r.step >= n,
      ),
    steps,
    { timeout: 120_000 },
  );
  await page.screenshot({ path: `${docs}training-lab-${id}.png`, fullPage: true });
  console.log(`wrote docs/training-lab-${id}.png`);
}
await session.close();
