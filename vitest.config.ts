import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against TypeScript sources; `npm start` runs the tsc build.
const alias = {
  '@parley/protocol': src('protocol'),
  '@parley/server': src('server'),
  '@parley/server-sdk': src('server-sdk'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', './scripts/summaryReporter.ts'],
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], exclude: ['packages/server/src/media/**'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias },
        // The media engines encode and decode in real time: one file at a time, so they are not starved of CPU.
        test: { name: 'media', include: ['packages/server/src/media/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 60_000, fileParallelism: false },
      },
      {
        resolve: { alias },
        // Real browsers and real media: one file at a time so two Chromiums don't fight for 2 cores.
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 120_000, fileParallelism: false },
      },
    ],
  },
});
