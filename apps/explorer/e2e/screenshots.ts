/**
 * Screenshots for the docs (docs/explorer-*.png), taken in headless Chromium like the tests:
 *   pnpm --filter @activations/explorer screenshots
 */
import { mkdir } from 'node:fs/promises';
import { open, start } from '@activations/browser-harness';

const docs = new URL('../../../docs/', import.meta.url).pathname;
await mkdir(docs, { recursive: true });
const session = await start(new URL('..', import.meta.url).pathname, { width: 1280, height: 860 });
const shots: Array<[string, string]> = [
  ['#/a/gelu?backend=wasm', 'explorer-detail.png'],
  ['#/', 'explorer-gallery.png'],
  ['#/compare?ids=sigmoid,tanh,relu,gelu,silu&d=1', 'explorer-compare.png'],
  ['#/custom?f=x+*+sigmoid%281.702+*+x%29&backend=webgpu', 'explorer-custom.png'],
];
for (const [hash, file] of shots) {
  await open(session, hash);
  await session.page.screenshot({ path: `${docs}${file}` });
  console.log(`wrote docs/${file}`);
}
await session.close();
