import { defaultClientConditions, defineConfig } from 'vite';

/** Packages resolve to their TypeScript sources (the `@activations/source` condition): no build first. */
export default defineConfig({
  resolve: { conditions: ['@activations/source', ...defaultClientConditions] },
  server: { host: '127.0.0.1' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
