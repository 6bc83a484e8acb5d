import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode, PROTOCOL_VERSION } from '@parley/protocol';
import { startParleyServer, type ParleyServer } from '../server.js';
import { SignalingMember, basicAuth, createAttendee, createMeeting, parseMetrics, valueOf } from '../telemetry/testClient.js';
import { limitKeyOfAddress } from './clientIp.js';

const OPUS = (ssrc: number) => ({ codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} }], encodings: [{ ssrc }] });

/** A GET from a chosen loopback address (Linux answers on all of 127/8), so each test client has its own IP. */
function get(server: ParleyServer, path: string, from: string, auth?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { localAddress: from, headers: auth ? { authorization: auth } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket from a chosen address: resolves with the socket, or with the HTTP status the upgrade was refused with. */
function connect(server: ParleyServer, from: string): Promise<WebSocket | { status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signaling`, { localAddress: from });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body }));
    });
    ws.once('error', () => undefined);
  });
}

describe('abuse limits: floods are refused with stable codes, others are untouched', () => {
  let server: ParleyServer;
  const metric = async (labels: Record<string, string>): Promise<number> => valueOf(parseMetrics(await (await fetch(`${server.url}/metrics`)).text()), 'parley_rate_limited_total', labels);

  beforeAll(async () => {
    server = await startParleyServer({
      host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 }, media: { previews: false },
      limits: { maxTransportsPerMember: 4, maxAudioProducersPerMember: 3 },
      rateLimits: { restPerIp: { points: 40, seconds: 60 }, restPerApiKey: { points: 100, seconds: 60 }, wsConnectsPerIp: { points: 20, seconds: 60 }, wsConcurrentPerIp: 5, joinsPerAttendee: { points: 3, seconds: 60 } },
    }, {}, {});
  });
  afterAll(() => server?.close());

  it('IPv6 addresses are counted by their /64, IPv4-mapped ones as IPv4', () => {
    expect(limitKeyOfAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(limitKeyOfAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limitKeyOfAddress('2001:db8::5')).toBe('2001:db8:0:0::/64');
  });

  it('a REST flood from one address gets 429 ThrottlingException with Retry-After; another address still gets 200', async () => {
    const auth = basicAuth(server);
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await get(server, '/meetings/none', '127.0.0.2', auth);
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
    }
    expect(statuses.slice(0, 40).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(40).every((s) => s === 429)).toBe(true);
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused!.headers['x-amzn-errortype']).toBe('ThrottlingException');
    expect(JSON.parse(refused!.body)).toMatchObject({ Code: 'Throttling' });
    // The native rooms API answers in its own shape.
    const native = await get(server, '/api/rooms', '127.0.0.2', auth);
    expect(native.status).toBe(429);
    expect(JSON.parse(native.body)).toMatchObject({ error: { code: ErrorCode.RateLimited } });
    expect((await get(server, '/meetings/none', '127.0.0.3', auth)).status).toBe(404);
    expect((await get(server, '/health', '127.0.0.2')).status).toBe(200);
    expect(await metric({ scope: 'ip', reason: 'rest_requests' })).toBeGreaterThanOrEqual(11);
  });

  it('a WebSocket flood from one address is refused at upgrade (429) while a room from another address keeps working', async () => {
    const meetingId = await createMeeting(server);
    const a = await createAttendee(server, meetingId, 'steady');
    const steady = await SignalingMember.open(server);
    await steady.join(a.JoinToken);

    const opened: WebSocket[] = [];
    const refusals: Array<{ status: number; retryAfter: string | undefined; body: string }> = [];
    for (let i = 0; i < 8; i++) {
      const r = await connect(server, '127.0.3.1');
      if (r instanceof WebSocket) opened.push(r);
      else refusals.push(r);
    }
    // At most 5 open at once from one address...
    expect(opened.length).toBe(5);
    expect(refusals.length).toBe(3);
    expect(refusals.every((r) => r.status === 429 && Number(r.retryAfter) >= 1)).toBe(true);
    expect(JSON.parse(refusals[0]!.body)).toMatchObject({ error: { code: ErrorCode.RateLimited } });
    await Promise.all(opened.map((ws) => new Promise((r) => (ws.once('close', r), ws.close()))));
    // ...and 20 connections per window: one at a time, the 16th more is refused by the rate.
    let more = 0;
    for (;;) {
      const r = await connect(server, '127.0.3.1');
      if (!(r instanceof WebSocket)) {
        expect(r.status).toBe(429);
        expect(JSON.parse(r.body).error.message).toContain('too many connections');
        break;
      }
      more++;
      await new Promise((done) => (r.once('close', done), r.close()));
      if (more > 20) throw new Error('the connection rate was not enforced');
    }
    expect(more).toBe(15);
    expect(server.rooms.rooms.length).toBeGreaterThan(0);
    expect((await steady.request('ping')).ok).toBe(true);
    expect((await steady.request('createTransport', { direction: 'send' })).ok).toBe(true);
    expect(await metric({ scope: 'ip', reason: 'ws_concurrent' })).toBeGreaterThan(0);
    expect(await metric({ scope: 'ip', reason: 'ws_connects' })).toBeGreaterThan(0);
    await steady.close();
  });

  it('a member asking for 150 producers and transports is capped with limit_reached; a member of another room keeps publishing', async () => {
    const m1 = await createMeeting(server);
    const m2 = await createMeeting(server);
    const abuser = await SignalingMember.open(server);
    await abuser.join((await createAttendee(server, m1, 'abuser')).JoinToken);
    const other = await SignalingMember.open(server);
    await other.join((await createAttendee(server, m2, 'other')).JoinToken);
    const listener = await SignalingMember.open(server);
    const joined = await listener.join((await createAttendee(server, m2, 'listener')).JoinToken);

    const send = await abuser.request('createTransport', { direction: 'send' });
    const produced = await Promise.all(Array.from({ length: 150 }, (_, i) => abuser.request('produce', { transportId: send.result.id, kind: 'audio', source: 'microphone', rtpParameters: OPUS(1000 + i) })));
    expect(produced.filter((r) => r.ok).length).toBe(3);
    expect(produced.filter((r) => !r.ok).every((r) => r.error.code === ErrorCode.LimitReached || r.error.code === ErrorCode.RateLimited)).toBe(true);
    expect(produced.filter((r) => r.error?.code === ErrorCode.LimitReached).length).toBeGreaterThan(0);
    const transports = await Promise.all(Array.from({ length: 12 }, () => abuser.request('createTransport', { direction: 'recv' })));
    expect(transports.filter((r) => r.ok).length).toBe(3);
    expect(transports.filter((r) => !r.ok).every((r) => r.error.code === ErrorCode.LimitReached)).toBe(true);

    // The other room: its member publishes and its listener is given the track.
    const oSend = await other.request('createTransport', { direction: 'send' });
    expect(oSend.ok).toBe(true);
    expect((await listener.request('createTransport', { direction: 'recv' })).ok).toBe(true);
    expect((await listener.request('setRtpCapabilities', { rtpCapabilities: joined.routerRtpCapabilities })).ok).toBe(true);
    const p = await other.request('produce', { transportId: oSend.result.id, kind: 'audio', source: 'microphone', rtpParameters: OPUS(9999) });
    expect(p.ok).toBe(true);
    expect(server.rooms.rooms.find((r) => r.meetingId === m2)?.member(joined.attendeeId)?.peer.consumers.size).toBe(1);
    expect(await metric({ scope: 'member', reason: 'producers' })).toBeGreaterThan(0);
    expect(await metric({ scope: 'member', reason: 'transports' })).toBe(9);
    await Promise.all([abuser.close(), other.close(), listener.close()]);
  });

  it('a join storm on one attendee token is refused with rate_limited', async () => {
    const meetingId = await createMeeting(server);
    const a = await createAttendee(server, meetingId, 'storm');
    const results: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await SignalingMember.open(server);
      const reply = await m.request('join', { protocol: PROTOCOL_VERSION, token: a.JoinToken });
      results.push(reply.ok ? 'ok' : reply.error.code);
      await m.close();
    }
    expect(results).toEqual(['ok', 'ok', 'ok', ErrorCode.RateLimited, ErrorCode.RateLimited]);
    expect(await metric({ scope: 'attendee', reason: 'joins' })).toBe(2);

  });

  it('the per-API-key limit counts verified requests only: wrong credentials spend nothing', async () => {
    const auth = basicAuth(server);
    const bad = `Basic ${Buffer.from(`${server.config.apiKey}:wrong-secret`).toString('base64')}`;
    for (let i = 0; i < 15; i++) expect((await get(server, '/meetings/none', '127.0.1.1', bad)).status).toBe(401);
    const statuses: number[] = [];
    // Spread over addresses so no one address reaches its own limit.
    for (let i = 0; i < 80; i++) statuses.push((await get(server, '/meetings/none', `127.0.2.${1 + (i % 10)}`, auth)).status);
    const firstRefused = statuses.indexOf(429);
    // Earlier tests spent part of the key's 100: some pass, then every one is refused.
    expect(firstRefused).toBeGreaterThan(0);
    expect(statuses.slice(firstRefused).every((s) => s === 429)).toBe(true);
    expect(await metric({ scope: 'api_key', reason: 'rest_requests' })).toBeGreaterThan(0);
    // Unauthenticated routes are not the key's: still answered.
    expect((await get(server, '/health', '127.0.2.1')).status).toBe(200);
  });
});
