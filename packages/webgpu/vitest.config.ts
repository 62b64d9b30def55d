import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, mergeConfig } from 'vitest/config';
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

export default mergeConfig(
  packageTestConfig(import.meta.dirname, { testTimeout: 120_000 }),
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'node', include, env } },
        {
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
        },
      ],
    },
  }),
);
