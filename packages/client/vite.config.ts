import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// One ESM bundle (mediasoup-client and zod included) so a page can `import` it from /sdk/.
export default defineConfig({
  resolve: { alias: { '@parley/protocol': fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    target: 'es2022',
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'parley-client.js' },
  },
});
