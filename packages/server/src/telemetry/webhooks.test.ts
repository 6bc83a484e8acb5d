import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookReceiver, type WebhookEvent } from '@parley/server-sdk';
import type { ConfigInput } from '../config/config.js';
import { startParleyServer, type ParleyServer } from '../server.js';
import { SignalingMember, createAttendee, createMeeting, parseMetrics, until, valueOf } from './testClient.js';

const SECRET = 'test-webhook-secret-0123';
const OPUS = { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} }], encodings: [{ ssrc: 2222 }] };

interface Received { event: WebhookEvent; headers: IncomingHttpHeaders; at: number }

/** A real HTTP receiver on 127.0.0.1 that verifies with the server SDK's WebhookReceiver. */
class Receiver {
  readonly got: Received[] = [];
  readonly rejected: string[] = [];
  delayMs = 0;
  status = 200;
  /** Down: every connection is reset before an answer (as a crashed receiver behind a proxy). */
  down = false;
  readonly #verify = new WebhookReceiver({ secret: SECRET });
  server: Server | undefined;

  async listen(port = 0): Promise<number> {
    this.server = createServer((req, res) => {
      if (this.down) return void req.socket.destroy();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          this.got.push({ event: this.#verify.receive(Buffer.concat(chunks), req.headers), headers: req.headers, at: Date.now() });
        } catch (err) {
          this.rejected.push(String((err as Error).message));
        }
        setTimeout(() => res.writeHead(this.status).end(), this.delayMs);
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (!this.server) return r();
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }

  names(): string[] {
    return this.got.map((g) => g.event.event);
  }
}

describe('webhooks: signed, retried, never in the room path', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const start = async (webhooks: ConfigInput['webhooks']): Promise<ParleyServer> => {
    const server = await startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 }, media: { previews: false }, webhooks: { secret: SECRET, shutdownFlushMs: 0, ...webhooks } }, {}, {});
    cleanup.push(() => server.close());
    return server;
  };
  const receiver = async (): Promise<{ r: Receiver; url: string }> => {
    const r = new Receiver();
    const port = await r.listen();
    cleanup.push(() => r.close());
    return { r, url: `http://127.0.0.1:${port}/hooks` };
  };

  it('delivers the lifecycle in order with a valid signature', async () => {
    const { r, url } = await receiver();
    const server = await start({ urls: [url] });
    const meetingId = await createMeeting(server);
    const alice = await SignalingMember.open(server);
    const bob = await SignalingMember.open(server);
    const a = await createAttendee(server, meetingId, 'alice');
    await alice.join(a.JoinToken);
    await bob.join((await createAttendee(server, meetingId, 'bob')).JoinToken);
    const send = await alice.request('createTransport', { direction: 'send' });
    const produced = await alice.request('produce', { transportId: send.result.id, kind: 'audio', source: 'microphone', rtpParameters: OPUS });
    expect(produced.ok).toBe(true);
    await alice.request('leave');
    await bob.close();
    await until(() => r.names().includes('room_ended'));
    expect(r.rejected).toEqual([]);
    expect(r.names()).toEqual(['room_started', 'participant_joined', 'participant_joined', 'track_published', 'track_unpublished', 'participant_left', 'participant_left', 'room_ended']);
    const byName = (n: string) => r.got.filter((g) => g.event.event === n).map((g) => g.event);
    const [joined] = byName('participant_joined');
    expect(joined).toMatchObject({ room: { meeting_id: meetingId }, participant: { id: a.AttendeeId, external_user_id: 'alice', type: 'member' } });
    expect(byName('track_published')[0]).toMatchObject({ participant: { id: a.AttendeeId }, track: { id: produced.result.producerId, kind: 'audio', source: 'microphone', mime_type: 'audio/opus', simulcast: false } });
    expect(byName('participant_left').map((e) => 'reason' in e && e.reason)).toEqual(['left', 'dropped']);
    const sessions = new Set(r.got.map((g) => g.event.room.session_id));
    expect(sessions.size).toBe(1);
    expect(r.got.every((g) => g.headers['parley-webhook-attempt'] === '1' && g.headers['content-type'] === 'application/json')).toBe(true);
    expect(new Set(r.got.map((g) => g.event.id)).size).toBe(8);
  });

  it('retries a receiver that is down, then delivers when it comes up (same id, in order)', async () => {
    // Down = its connections are reset (a freed port could be taken by another test's server).
    const { r, url } = await receiver();
    r.down = true;
    const server = await start({ urls: [url], retryInitialMs: 100, retryMaxMs: 400, maxAttempts: 30 });
    const meetingId = await createMeeting(server);
    const alice = await SignalingMember.open(server);
    const t0 = Date.now();
    await alice.join((await createAttendee(server, meetingId, 'alice')).JoinToken);
    const joinMs = Date.now() - t0;
    await until(async () => valueOf(parseMetrics(await server.metrics!.text()), 'parley_webhook_attempts_total', { result: 'error' }) >= 3 || undefined);
    expect(r.got).toEqual([]);
    r.down = false;
    const upAt = Date.now();
    await until(() => r.names().length >= 2);
    expect(r.names()).toEqual(['room_started', 'participant_joined']);
    const first = r.got[0]!;
    expect(Number(first.headers['parley-webhook-attempt'])).toBeGreaterThanOrEqual(4);
    expect(r.got[1]!.headers['parley-webhook-attempt']).toBe('1');
    // The receiver has the second POST before the dispatcher has read its answer: wait for the count.
    await until(async () => valueOf(parseMetrics(await server.metrics!.text()), 'parley_webhook_events_total', { outcome: 'delivered' }) >= 2 || undefined);
    expect(valueOf(parseMetrics(await server.metrics!.text()), 'parley_webhook_events_total', { outcome: 'delivered' })).toBe(2);
    console.log(`down receiver: join took ${joinMs} ms; room_started delivered on attempt ${first.headers['parley-webhook-attempt']}, ${first.at - upAt} ms after the receiver came up`);
    await alice.close();
  });

  it('a slow receiver does not delay joins; answers it gives too late are retried', async () => {
    const { r, url } = await receiver();
    r.delayMs = 1500;
    const server = await start({ urls: [url], timeoutMs: 1000, retryInitialMs: 100, retryMaxMs: 200, maxAttempts: 10 });
    const meetingId = await createMeeting(server);
    const joinMs: number[] = [];
    const members: SignalingMember[] = [];
    for (const user of ['user-a', 'user-b', 'user-c', 'user-d']) {
      const m = await SignalingMember.open(server);
      const token = (await createAttendee(server, meetingId, user)).JoinToken;
      const t = performance.now();
      await m.join(token);
      joinMs.push(performance.now() - t);
      members.push(m);
    }
    // The receiver holds the first request for 1.5 s: every join above finished long before.
    expect(r.got.length).toBeLessThanOrEqual(1);
    expect(Math.max(...joinMs)).toBeLessThan(500);
    const queued = server.webhooks!.queued;
    expect(queued).toBeGreaterThanOrEqual(4);
    await until(async () => valueOf(parseMetrics(await server.metrics!.text()), 'parley_webhook_attempts_total', { result: 'timeout' }) >= 1 || undefined, 5000);
    r.delayMs = 0;
    await until(() => new Set(r.got.map((g) => g.event.id)).size >= 5, 10000);
    // A timed-out attempt may still have reached the receiver: duplicates share the id.
    const ids = r.got.map((g) => g.event.id);
    expect(new Set(ids).size).toBe(5);
    console.log(`slow receiver: joins took ${joinMs.map((m) => m.toFixed(1)).join(', ')} ms with ${queued} events queued; ${ids.length} POSTs for 5 events`);
    for (const m of members) await m.close();
  });

  it('a bounded queue: a dead receiver costs dropped events, not memory; a 4xx is not retried', async () => {
    const dead = await receiver();
    dead.r.down = true;
    const { r, url } = await receiver();
    r.status = 400;
    const server = await start({ urls: [dead.url, url], queueSize: 2, retryInitialMs: 1000, maxAttempts: 5 });
    const meetingId = await createMeeting(server);
    const members: SignalingMember[] = [];
    for (const user of ['user-a', 'user-b', 'user-c', 'user-d', 'user-e']) {
      const m = await SignalingMember.open(server);
      await m.join((await createAttendee(server, meetingId, user)).JoinToken);
      members.push(m);
    }
    await until(() => r.got.length >= 6);
    const metrics = parseMetrics(await server.metrics!.text());
    // 6 events to each receiver: the dead one keeps 2 and dropped the 4 oldest waiting.
    expect(valueOf(metrics, 'parley_webhook_events_total', { outcome: 'dropped' })).toBe(4);
    expect(valueOf(metrics, 'parley_webhook_queue_length')).toBeLessThanOrEqual(2);
    expect(valueOf(metrics, 'parley_webhook_attempts_total', { result: '4xx' })).toBe(6);
    expect(valueOf(metrics, 'parley_webhook_events_total', { outcome: 'failed' })).toBe(6);
    for (const m of members) await m.close();
  });
});
