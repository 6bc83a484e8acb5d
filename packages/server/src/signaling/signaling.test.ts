import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, ErrorCode, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@parley/protocol';
import { startParleyServer, type ParleyServer } from '../server.js';
import { JoinTokens } from '../auth/joinTokens.js';

/** A raw signaling client: sends whatever it is given and collects replies. */
class RawClient {
  readonly messages: Array<Record<string, any>> = [];
  closed: { code: number; reason: string } | undefined;
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
  async reply(id: number | null, send: string | Buffer, binary = false): Promise<Record<string, any>> {
    this.ws.send(send, { binary });
    return until(() => this.messages.find((m) => m.id === id && 'ok' in m));
  }
  async request(id: number, method: string, params: unknown): Promise<Record<string, any>> {
    return this.reply(id, JSON.stringify({ id, method, params }));
  }
  async waitClosed(): Promise<{ code: number; reason: string }> {
    return until(() => this.closed);
  }
}

async function until<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('signaling: bad input gets a clear error and changes nothing', () => {
  let server: ParleyServer;
  let wsUrl: string;
  let auth: string;
  const createAttendee = async (meetingId: string, user: string) => {
    const res = await fetch(`${server.url}/meetings/${meetingId}/attendees`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ ExternalUserId: user }) });
    return (await res.json()).Attendee as { AttendeeId: string; JoinToken: string };
  };
  const createMeeting = async () => {
    const res = await fetch(`${server.url}/meetings`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ ClientRequestToken: crypto.randomUUID() }) });
    return (await res.json()).Meeting.MeetingId as string;
  };

  beforeAll(async () => {
    server = await startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 }, limits: { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1500 } }, {}, {});
    wsUrl = `${server.url.replace('http', 'ws')}/signaling`;
    auth = `Basic ${Buffer.from(`${server.config.apiKey}:${server.config.apiSecret}`).toString('base64')}`;
  });
  afterAll(() => server?.close());

  it('rejects malformed, unknown and out-of-order messages with stable codes', async () => {
    const c = await RawClient.open(wsUrl);
    expect((await c.reply(null, '{not json')).error.code).toBe(ErrorCode.BadRequest);
    expect((await c.reply(null, '[1,2,3]')).error.code).toBe(ErrorCode.BadRequest);
    expect((await c.reply(null, Buffer.from([1, 2, 3]), true)).error.code).toBe(ErrorCode.BadRequest);
    expect((await c.reply(7, JSON.stringify({ id: 7, params: {} }))).error.code).toBe(ErrorCode.BadRequest);
    expect((await c.request(1, 'launchMissiles', {})).error.code).toBe(ErrorCode.UnknownMethod);
    expect((await c.request(2, 'createTransport', { direction: 'sideways' })).error).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('direction') });
    expect((await c.request(3, 'createTransport', { direction: 'send' })).error.code).toBe(ErrorCode.NotJoined);
    expect((await c.request(4, 'produce', { transportId: 'x', kind: 'video', source: 'camera', rtpParameters: {} })).error.code).toBe(ErrorCode.NotJoined);
    expect((await c.request(5, 'ping', {})).ok).toBe(true);
    c.ws.close();
  });

  it('refuses bad, tampered, expired, foreign-meeting and old-protocol joins', async () => {
    const meetingId = await createMeeting();
    const att = await createAttendee(meetingId, 'alice-1');
    const cases: Array<[string, unknown, string]> = [
      ['garbage token', { protocol: PROTOCOL_VERSION, token: 'abc' }, ErrorCode.TokenInvalid],
      ['tampered token', { protocol: PROTOCOL_VERSION, token: att.JoinToken.slice(0, -3) + 'AAA' }, ErrorCode.TokenInvalid],
      ['other secret', { protocol: PROTOCOL_VERSION, token: await new JoinTokens('another-secret-0123456789', 60).sign({ meetingId, attendeeId: att.AttendeeId, externalUserId: 'x', name: 'x', role: 'member', permissions: [] }) }, ErrorCode.TokenInvalid],
      ['expired token', { protocol: PROTOCOL_VERSION, token: await new JoinTokens(server.config.tokenSecret, 60).sign({ meetingId, attendeeId: att.AttendeeId, externalUserId: 'x', name: 'x', role: 'member', permissions: [] }, -10) }, ErrorCode.TokenExpired],
      ['unknown meeting', { protocol: PROTOCOL_VERSION, token: await new JoinTokens(server.config.tokenSecret, 60).sign({ meetingId: 'nope', attendeeId: att.AttendeeId, externalUserId: 'x', name: 'x', role: 'member', permissions: [] }) }, ErrorCode.MeetingNotFound],
      ['old protocol', { protocol: 0, token: att.JoinToken }, ErrorCode.UnsupportedProtocol],
    ];
    for (const [label, params, code] of cases) {
      const c = await RawClient.open(wsUrl);
      expect((await c.request(1, 'join', params)).error.code, label).toBe(code);
      expect((await c.waitClosed()).code, label).toBe(CloseCode.AuthFailed);
    }
    // A token for meeting A cannot enter meeting B: the meeting is in the signed claims.
    const other = await createMeeting();
    const c = await RawClient.open(wsUrl);
    const ok = await c.request(1, 'join', { protocol: PROTOCOL_VERSION, token: att.JoinToken });
    expect(ok.result.meetingId).toBe(meetingId);
    expect(ok.result.meetingId).not.toBe(other);
    expect((await c.request(2, 'join', { protocol: PROTOCOL_VERSION, token: att.JoinToken })).error.code).toBe(ErrorCode.AlreadyJoined);
    c.ws.close();
  });

  it('answers bad media requests after join without harming the session', async () => {
    const meetingId = await createMeeting();
    const att = await createAttendee(meetingId, 'bob-1');
    const c = await RawClient.open(wsUrl);
    expect((await c.request(1, 'join', { protocol: PROTOCOL_VERSION, token: att.JoinToken })).ok).toBe(true);
    expect((await c.request(2, 'connectTransport', { transportId: 'nope', dtlsParameters: {} })).error.code).toBe(ErrorCode.TransportNotFound);
    const t = await c.request(3, 'createTransport', { direction: 'send' });
    expect(t.ok).toBe(true);
    expect((await c.request(4, 'connectTransport', { transportId: t.result.id, dtlsParameters: { fingerprints: 'x' } })).error.code).toBe(ErrorCode.MediaError);
    expect((await c.request(5, 'produce', { transportId: t.result.id, kind: 'audio', source: 'microphone', rtpParameters: { codecs: [] } })).error.code).toBe(ErrorCode.MediaError);
    expect((await c.request(6, 'resumeConsumer', { consumerId: 'nope' })).error.code).toBe(ErrorCode.ConsumerNotFound);
    expect((await c.request(7, 'pauseProducer', { producerId: 'nope' })).error.code).toBe(ErrorCode.ProducerNotFound);
    expect((await c.request(8, 'ping', {})).ok).toBe(true);
    expect(server.rooms.get(meetingId)?.members.map((m) => m.attendeeId)).toEqual([att.AttendeeId]);
    c.ws.close();
    await until(() => (server.rooms.get(meetingId) ? undefined : true));
  });

  it('closes an oversized message with 1009', async () => {
    const c = await RawClient.open(wsUrl);
    c.ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect((await c.waitClosed()).code).toBe(1009);
  });

  it('rate-limits floods', async () => {
    const c = await RawClient.open(wsUrl);
    for (let i = 0; i < 400; i++) c.ws.send(JSON.stringify({ id: i, method: 'ping', params: {} }));
    await until(() => (c.messages.length >= 400 ? true : undefined));
    expect(c.messages.filter((m) => m.error?.code === ErrorCode.RateLimited).length).toBeGreaterThan(0);
    c.ws.close();
  });

  it('a deleted attendee and a dead peer leave the room', async () => {
    const meetingId = await createMeeting();
    const a = await createAttendee(meetingId, 'carol-1');
    const b = await createAttendee(meetingId, 'dave-1');
    const ca = await RawClient.open(wsUrl);
    const cb = await RawClient.open(wsUrl);
    await ca.request(1, 'join', { protocol: PROTOCOL_VERSION, token: a.JoinToken });
    await cb.request(1, 'join', { protocol: PROTOCOL_VERSION, token: b.JoinToken });
    await fetch(`${server.url}/meetings/${meetingId}/attendees/${b.AttendeeId}`, { method: 'DELETE', headers: { authorization: auth } });
    expect((await cb.waitClosed()).code).toBe(CloseCode.Removed);
    expect(cb.messages).toContainEqual({ event: 'sessionEnded', data: expect.objectContaining({ reason: 'AudioAttendeeRemoved' }) });
    await until(() => ca.messages.find((m) => m.event === 'attendeeLeft' && m.data.attendeeId === b.AttendeeId));
    // A deleted attendee's token no longer joins.
    const again = await RawClient.open(wsUrl);
    expect((await again.request(1, 'join', { protocol: PROTOCOL_VERSION, token: b.JoinToken })).error.code).toBe(ErrorCode.AttendeeNotFound);
    // A peer that goes silent without closing (stops reading, so never answers pings) is
    // noticed by the heartbeat and removed.
    ca.ws.pause();
    await until(() => (server.rooms.get(meetingId) ? undefined : true), 5000);
  });
});
