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

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.logger.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  });
}
