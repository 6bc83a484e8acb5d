import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, ErrorCode, PROTOCOL_VERSION, SessionEndReason } from '@parley/protocol';
import { startParleyServer, type ParleyServer } from './server.js';
import { until } from './telemetry/testClient.js';

/** A raw signaling client: collects replies, notifications and the close. */
class RawClient {
  readonly messages: Array<Record<string, any>> = [];
  closed: { code: number; reason: string } | undefined;
  #id = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.messages.push(JSON.parse(String(d))));
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
  }
  static open(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('error', reject);
    });
  }
  async request(method: string, params: unknown): Promise<Record<string, any>> {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return until(() => this.messages.find((m) => m.id === id && 'ok' in m));
  }
  event(name: string): Promise<Record<string, any>> {
    return until(() => this.messages.find((m) => m.event === name)?.data);
  }
  events(name: string): Array<Record<string, any>> {
    return this.messages.filter((m) => m.event === name);
  }
  waitClosed(ms?: number): Promise<{ code: number; reason: string }> {
    return until(() => this.closed, ms);
  }
}


/** REST and signaling against a server at `url` with the given credentials. */
function api(url: string, apiKey: string, apiSecret: string) {
  const auth = `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.json();
  };
  const wsUrl = `${url.replace('http', 'ws')}/signaling`;
  return {
    createMeeting: async () => (await post('/meetings', { ClientRequestToken: crypto.randomUUID() })).Meeting.MeetingId as string,
    /** Opens a socket and sends join for a new attendee of the meeting; returns the client and the join reply. */
    join: async (meetingId: string, user: string) => {
      const token = (await post(`/meetings/${meetingId}/attendees`, { ExternalUserId: user })).Attendee.JoinToken as string;
      const client = await RawClient.open(wsUrl);
      return { client, reply: await client.request('join', { protocol: PROTOCOL_VERSION, token }) };
    },
  };
}

const start = () => startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 } }, {}, {});

describe('server.drain(): graceful shutdown', () => {
  let server: ParleyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses new rooms, admits joins into running ones, tells everyone once, and finishes early when the rooms empty', async () => {
    server = await start();
    const s = api(server.url, server.config.apiKey, server.config.apiSecret!);
    const running = await s.createMeeting();
    const alice = await s.join(running, 'alice-1');
    expect(alice.reply.ok).toBe(true);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);

    const started = Date.now();
    let drained = false;
    const drain = server.drain(20_000).then(() => (drained = true));
    expect(server.config.drainTimeoutMs).toBe(60_000);

    const note = await alice.client.event('serverDraining');
    expect(note.deadlineMs).toBeGreaterThanOrEqual(started + 19_000);
    expect(note.deadlineMs).toBeLessThanOrEqual(Date.now() + 20_000);
    expect(note.message).toMatch(/shutting down/);

    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.draining).toBe(true);

    // A meeting that is not running here: refused with a clear code (creating it in the store still works).
    const fresh = await s.createMeeting();
    const carol = await s.join(fresh, 'carol-1');
    expect(carol.reply).toMatchObject({ ok: false, error: { code: ErrorCode.ServerDraining, message: expect.stringMatching(/shutting down/) } });
    expect(server.rooms.get(fresh)).toBeUndefined();
    carol.client.ws.close();

    // Someone joining the running meeting gets in, and hears about the drain too.
    const bob = await s.join(running, 'bob-1');
    expect(bob.reply.ok).toBe(true);
    expect((await bob.client.event('serverDraining')).deadlineMs).toBe(note.deadlineMs);
    expect(bob.client.messages.findIndex((m) => m.event === 'serverDraining')).toBeGreaterThan(bob.client.messages.findIndex((m) => m.id === 1));

    await new Promise((r) => setTimeout(r, 200));
    expect(drained).toBe(false);
    expect(alice.client.events('serverDraining')).toHaveLength(1);

    // Everyone leaves: the room closes and drain() finishes long before its deadline.
    expect((await alice.client.request('leave', {})).ok).toBe(true);
    bob.client.ws.close();
    await drain;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.rooms.rooms).toHaveLength(0);
    expect(alice.client.events('sessionEnded')).toHaveLength(0);
  });

  it('ends the rooms still running at the deadline with ServerShutdown', async () => {
    server = await start();
    const s = api(server.url, server.config.apiKey, server.config.apiSecret!);
    const meetingId = await s.createMeeting();
    const alice = await s.join(meetingId, 'alice-1');
    expect(alice.reply.ok).toBe(true);

    const started = Date.now();
    await server.drain(1500);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(10_000);
    expect(await alice.client.event('serverDraining')).toBeDefined();
    expect(await alice.client.event('sessionEnded')).toEqual({ reason: SessionEndReason.ServerShutdown, message: 'the server is shutting down' });
    expect((await alice.client.waitClosed()).code).toBe(CloseCode.ServerShutdown);
  });

  it('close() during the drain ends it at once', async () => {
    server = await start();
    const s = api(server.url, server.config.apiKey, server.config.apiSecret!);
    const alice = await s.join(await s.createMeeting(), 'alice-1');
    const started = Date.now();
    const drain = server.drain(60_000);
    await alice.client.event('serverDraining');
    await server.close();
    await drain;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await alice.client.event('sessionEnded')).reason).toBe(SessionEndReason.ServerShutdown);
  });
});

describe('main.ts: SIGTERM drains, then exits 0', () => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const mainJs = join(repo, 'packages/server/dist/main.js');
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/protocol', 'packages/server'], { cwd: repo, stdio: 'pipe' });
  }, 120_000);

  const freePort = () => new Promise<number>((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    }).on('error', reject);
  });

  /** Starts `node packages/server/dist/main.js`; resolves once it says it is running. */
  async function launch(drainTimeoutMs: number) {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-drain-'));
    const [port, rtcPort] = [await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH, HOME: process.env.HOME,
      PARLEY_HOST: '127.0.0.1', PARLEY_PORT: String(port), PARLEY_RTC_PORT: String(rtcPort), PARLEY_RTC_WORKERS: '1',
      PARLEY_DATA_DIR: dataDir, PARLEY_DRAIN_TIMEOUT_MS: String(drainTimeoutMs), PARLEY_STATIC_DIR: join(dataDir, 'none'),
      PARLEY_API_KEY: 'drain-test-key', PARLEY_API_SECRET: 'drain-test-secret-0123456789', PARLEY_LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, [mainJs], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
    await until(() => (output.includes('Parley is running') ? true : undefined), 30_000).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${String(err)}\n${output}`);
    });
    return {
      child, exited, output: () => output,
      api: api(`http://127.0.0.1:${port}`, env.PARLEY_API_KEY, env.PARLEY_API_SECRET),
      cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }

  it('SIGTERM: the member hears of the drain, the room ends at the drain time, the process exits 0', async () => {
    const p = await launch(1500);
    try {
      const alice = await p.api.join(await p.api.createMeeting(), 'alice-1');
      expect(alice.reply.ok).toBe(true);
      const sent = Date.now();
      p.child.kill('SIGTERM');
      expect((await alice.client.event('serverDraining')).deadlineMs).toBeGreaterThan(sent);
      const { code, at } = await p.exited;
      expect(code, p.output()).toBe(0);
      expect(at - sent).toBeGreaterThanOrEqual(1400);
      expect(at - sent).toBeLessThan(1500 + 10_000);
      expect((await alice.client.event('sessionEnded')).reason).toBe(SessionEndReason.ServerShutdown);
      expect((await alice.client.waitClosed()).code).toBe(CloseCode.ServerShutdown);
    } finally {
      p.child.kill('SIGKILL');
      p.cleanup();
    }
  }, 60_000);

  it('a second SIGTERM during the drain ends at once', async () => {
    const p = await launch(60_000);
    try {
      const alice = await p.api.join(await p.api.createMeeting(), 'alice-1');
      const sent = Date.now();
      p.child.kill('SIGTERM');
      await alice.client.event('serverDraining');
      p.child.kill('SIGTERM');
      const { code, at } = await p.exited;
      expect(code, p.output()).toBe(0);
      expect(at - sent).toBeLessThan(15_000);
      expect((await alice.client.event('sessionEnded')).reason).toBe(SessionEndReason.ServerShutdown);
    } finally {
      p.child.kill('SIGKILL');
      p.cleanup();
    }
  }, 60_000);
});
