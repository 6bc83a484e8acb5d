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
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], exclude: ['packages/server/src/media/**'], testTimeout: 30_000, hookTimeout: 60_000, sequence: { groupOrder: 0 } },
      },
      {
        resolve: { alias },
        // The media engines encode and decode in real time: one file at a time, and after the unit
        // tests (groupOrder), so they are not starved of CPU.
        test: { name: 'media', include: ['packages/server/src/media/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 60_000, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
      {
        resolve: { alias },
        // Real browsers and real media: one file at a time, after the media project, so two
        // Chromiums or a Chromium and a real-time encoder don't fight for 2 cores. One retry: a
        // real-time test on a 2-core machine can lose a timing race; the summary names any test
        // that needed it, and a test that fails twice fails the run.
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 120_000, fileParallelism: false, retry: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
