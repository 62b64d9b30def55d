import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

/**
 * Two projects run the same tests: `node` (npm `webgpu`, i.e. Dawn) and `chromium` (headless
 * Debian Chromium with WebGPU enabled, page served on 127.0.0.1). Without a GPU both use
 * SwiftShader, the Vulkan CPU driver that Debian's `chromium` package ships.
 */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const env: Record<string, string> = { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) env.VK_ICD_FILENAMES = SWIFTSHADER;
const include = ['src/**/*.test.ts'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.ACTIVATIONS_REQUIRE_WEBGPU === '1') throw new Error(`Chromium is required for the browser tests but ${CHROMIUM} does not exist (apt-get install -y chromium)`);
  console.warn(`skipping the WebGPU browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}
const chromium: TestProjectInlineConfiguration = {
  extends: true,
  server: { host: '127.0.0.1' },
  test: {
    name: 'chromium',
    include,
    exclude: ['src/**/*.node.test.ts'],
    browser: {
      enabled: true,
      headless: true,
      api: { host: '127.0.0.1' },
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM,
          args: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--no-sandbox'],
          env: { ...process.env, ...env },
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
};

const base = packageTestConfig(import.meta.dirname, { testTimeout: 120_000 });
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    projects: [{ extends: true, test: { name: 'node', include, env } }, ...(hasChromium ? [chromium] : [])],
  },
});
