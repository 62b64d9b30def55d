/**
 * End-to-end harness: a web app on a Vite dev server at 127.0.0.1 (WebGPU needs a secure
 * context) and Debian's headless Chromium with WebGPU on SwiftShader, driven by playwright-core
 * (never a downloaded browser). CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Why the end-to-end tests cannot run here, or undefined. Required (an error) in CI. */
export const unavailable = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
if (unavailable && process.env.ACTIVATIONS_REQUIRE_WEBGPU === '1')
  throw new Error(`the explorer's end-to-end tests need Chromium: ${unavailable}`);

export interface Session {
  readonly url: string;
  readonly page: Page;
  close(): Promise<void>;
}

/** Starts the app in `appDir` (its vite.config.ts) and a browser page, not yet navigated. */
export async function start(appDir: string, options: { width?: number; height?: number } = {}): Promise<Session> {
  const server: ViteDevServer = await createServer({
    root: appDir,
    configFile: `${appDir}/vite.config.ts`,
    server: { host: '127.0.0.1', port: 0, strictPort: false },
    logLevel: 'warn',
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the Vite server has no port');
  const url = `http://127.0.0.1:${address.port}/`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp',
  };
  if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) env.VK_ICD_FILENAMES = SWIFTSHADER;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--no-sandbox',
    ],
    env,
  });
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    url,
    page,
    async close() {
      await browser.close();
      await server.close();
      if (errors.length) throw new Error(`errors in the page: ${errors.join('; ')}`);
    },
  };
}

/**
 * Opens a hash route and waits until the view has rendered: the app counts renders in
 * `window.__app.rendered` and sets `document.body.dataset.ready` to 'true' when done.
 */
export async function open(session: Session, hash: string): Promise<void> {
  const { page, url } = session;
  const before = await page
    .evaluate(
      () => (globalThis as { __app?: { rendered: number } }).__app?.rendered ?? -1,
    )
    .catch(() => -1);
  if (page.url().startsWith(url))
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
  else await page.goto(`${url}${hash}`);
  await page.waitForFunction(
    (n) => {
      const hooks = (globalThis as { __app?: { rendered: number } }).__app;
      return hooks !== undefined && hooks.rendered > n && document.body.dataset.ready === 'true';
    },
    before,
    { timeout: 60_000 },
  );
}

/** The last curve the page drew. */
export function lastCurve(
  page: Page,
): Promise<{ id: string; backend: string; x: number[]; f: number[]; df: number[] }> {
  return page.evaluate(
    () =>
      (
        globalThis as unknown as {
          __app: {
            curve: { id: string; backend: string; x: number[]; f: number[]; df: number[] };
          };
        }
      ).__app.curve,
  );
}

/**
 * For a test file: starts the app in `appDir` before its tests (unless `unavailable`) and closes
 * it after them; returns a getter for the session.
 */
export function useApp(appDir: string): () => Session {
  let session: Session | undefined;
  beforeAll(async () => {
    if (!unavailable) session = await start(appDir);
  });
  afterAll(async () => {
    await session?.close();
  });
  return () => {
    if (!session) throw new Error('the app is not running (no Chromium?)');
    return session;
  };
}
