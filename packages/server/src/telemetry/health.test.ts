import { afterEach, describe, expect, it } from 'vitest';
import { startParleyServer, type ParleyServer } from '../server.js';
import { parseMetrics, until, valueOf } from './testClient.js';

const start = (): Promise<ParleyServer> =>
  startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 2 }, media: { previews: false } }, {}, {});

const get = async (server: ParleyServer, path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('/health and /ready tell the truth', () => {
  let server: ParleyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('both say yes on a fresh server', async () => {
    server = await start();
    expect(await get(server, '/health')).toMatchObject({ status: 200, body: { status: 'ok', workers: 2 } });
    expect(await get(server, '/ready')).toMatchObject({ status: 200, body: { ready: true, checks: { workers: { ok: true, alive: 2 }, store: { ok: true }, draining: false } } });
  });

  it('SIGKILLed workers: one dead leaves the server ready and is replaced; all dead makes both say no until replacements run', async () => {
    server = await start();
    const [first, second] = server.pool.workerPids as [number, number];
    process.kill(first, 'SIGKILL');
    await until(() => server!.pool.workerPids.length === 1);
    expect(await get(server, '/ready')).toMatchObject({ status: 200, body: { checks: { workers: { alive: 1 } } } });
    // The pool starts a replacement on the dead worker's port.
    await until(() => server!.pool.workerPids.length === 2 && !server!.pool.workerPids.includes(first));
    const [third, fourth] = server.pool.workerPids as [number, number];
    expect(third).toBe(second);
    process.kill(second, 'SIGKILL');
    process.kill(fourth, 'SIGKILL');
    // For the moment no worker is alive, both say so (replacements come after at least 100 ms).
    let unhealthy: { status: number; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 200 && !unhealthy; i++) {
      const h = await get(server, '/health');
      if (h.status === 503) unhealthy = h;
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(unhealthy).toMatchObject({ status: 503, body: { status: 'unhealthy', workers: 0, reason: 'no mediasoup worker is alive' } });
    await until(() => server!.pool.workerPids.length === 2);
    expect(await get(server, '/health')).toMatchObject({ status: 200 });
    expect(await get(server, '/ready')).toMatchObject({ status: 200, body: { checks: { workers: { ok: true, alive: 2 } } } });
    const metrics = parseMetrics(await (await fetch(`${server.url}/metrics`)).text());
    expect(valueOf(metrics, 'parley_workers')).toBe(2);
    expect(valueOf(metrics, 'parley_worker_deaths_total')).toBe(3);
  });

  it('draining: /ready says no, /health stays ok', async () => {
    server = await start();
    server.health.startDraining();
    expect(await get(server, '/ready')).toMatchObject({ status: 503, body: { ready: false, checks: { draining: true, workers: { ok: true } } } });
    expect((await get(server, '/health')).status).toBe(200);
  });

  it('an unreadable store makes /ready say no, with the reason', async () => {
    server = await start();
    server.store.close();
    const ready = await get(server, '/ready');
    expect(ready).toMatchObject({ status: 503, body: { ready: false, checks: { store: { ok: false } } } });
    console.log('store check after close:', JSON.stringify(ready.body));
  });
});
