import { fileURLToPath } from 'node:url';
import { startParleyServer, type ParleyServer, type ConfigInput } from '@parley/server';

const repo = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** A real Parley server on free ports, serving the SDK bundle at /sdk/ and test pages at /e2e/. */
export async function startTestServer(overrides: ConfigInput = {}): Promise<ParleyServer & { auth: string }> {
  const server = await startParleyServer(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir: ':memory:',
      logLevel: 'warn',
      apiSecret: 'test-secret-0123456789abcdef',
      ...overrides,
      rtc: { port: 0, workers: 1, ...overrides.rtc },
      // Each room's preview is a media engine process: on only in the tests that look at previews.
      media: { previews: false, ...overrides.media },
    },
    { staticMounts: [{ prefix: '/sdk/', root: repo('packages/client/dist') }, { prefix: '/e2e/', root: repo('e2e/pages') }] },
    {},
  );
  const auth = `Basic ${Buffer.from(`${server.config.apiKey}:${server.config.apiSecret}`).toString('base64')}`;
  return Object.assign(server, { auth });
}

/** Calls the Chime-compatible REST API with the server's credentials. */
export async function api<T = unknown>(server: ParleyServer & { auth: string }, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: server.auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
