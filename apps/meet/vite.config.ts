import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const fromHere = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The demo meeting app: plain TypeScript + CSS, built to dist/ and served by the Parley server at /.
// The SDK is bundled from source so the app always matches the checked-out client.
export default defineConfig({
  resolve: {
    alias: {
      '@parley/client': fromHere('../../packages/client/src/index.ts'),
      '@parley/protocol': fromHere('../../packages/protocol/src/index.ts'),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    // `npx vite apps/meet` during development: forward the API and signaling to a running server.
    proxy: {
      '/demo': 'http://localhost:8080',
      '/signaling': { target: 'ws://localhost:8080', ws: true },
    },
  },
});
