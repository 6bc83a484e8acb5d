#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { startParleyServer } from './server.js';

// Run from the repo: serve the demo app and the SDK bundle built beside this package.
const repoPath = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

const server = await startParleyServer(
  { staticDir: process.env.PARLEY_STATIC_DIR ?? repoPath('apps/meet/dist') },
  { staticMounts: [{ prefix: '/sdk/', root: repoPath('packages/client/dist') }] },
);
const { config } = server;
console.log(`
  Parley is running.
    Demo app     ${server.url}/
    REST API     ${server.url}/meetings   (Chime SDK Meetings compatible)
    Signaling    ${server.url.replace('http', 'ws')}/signaling
    Media        UDP/TCP ${server.pool.ports.join(', ')} on ${config.rtc.announcedIp}

  Development credentials (set PARLEY_API_KEY / PARLEY_API_SECRET to choose your own):
    API key      ${config.apiKey}
    API secret   ${config.apiSecret}
`);

// The first SIGTERM/SIGINT drains (rooms may finish for up to PARLEY_DRAIN_TIMEOUT_MS); a second one ends at once.
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    const first = ++signals === 1;
    server.logger.info({ signal, drainTimeoutMs: first ? config.drainTimeoutMs : 0 }, first ? 'draining, then shutting down' : 'shutting down now');
    void (first ? server.drain() : server.close()).then(() => process.exit(0), (err: unknown) => {
      server.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  });
}
