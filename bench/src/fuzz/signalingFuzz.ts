import WebSocket from 'ws';
import { Fuzzer } from './fuzzer.js';

/** What the signaling fuzz needs of a server (ParleyServerProcess has it; the e2e server can be wrapped). */
export interface SignalingFuzzServer {
  readonly signalingUrl: string;
  createMeeting(name: string): Promise<string>;
  createAttendee(meetingId: string, user: string): Promise<string>;
}

export interface SignalingFuzzResult {
  sent: number;
  connections: number;
  /** Replies with ok: true. */
  ok: number;
  /** Error replies by code. */
  errors: Record<string, number>;
  /** WebSocket close codes the server ended connections with (1005/1000: the fuzzer closed). */
  closes: Record<string, number>;
  /** Replies with a code outside the protocol's ErrorCode list. */
  unknownCodes: string[];
  seconds: number;
}

/**
 * Valid-looking requests for every kind of handler: the Fuzzer mutates these (ids swapped for
 * live ones, fields dropped or replaced, methods garbled). The room-control requests that start
 * media engines (recording, streams, playback) are left out: they would measure the engines.
 */
export function signalingTemplates(protocol: number, joinToken: string): Array<Record<string, unknown>> {
  return [
    { method: 'join', params: { protocol, token: joinToken } },
    { method: 'join', params: { protocol, token: joinToken, content: true } },
    { method: 'createTransport', params: { direction: 'send' } },
    { method: 'createTransport', params: { direction: 'recv' } },
    { method: 'connectTransport', params: { transportId: 'x', dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] } } },
    { method: 'restartIce', params: { transportId: 'x' } },
    { method: 'setRtpCapabilities', params: { rtpCapabilities: { codecs: [{ mimeType: 'audio/opus', kind: 'audio', clockRate: 48000, channels: 2 }] } } },
    { method: 'produce', params: { transportId: 'x', kind: 'audio', source: 'microphone', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] } } },
    { method: 'produce', params: { transportId: 'x', kind: 'video', source: 'camera', rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 2222 }] }, width: 640, height: 360 } },
    { method: 'closeProducer', params: { producerId: 'x' } },
    { method: 'pauseProducer', params: { producerId: 'x' } },
    { method: 'resumeProducer', params: { producerId: 'x' } },
    { method: 'resumeConsumer', params: { consumerId: 'x' } },
    { method: 'pauseConsumer', params: { consumerId: 'x' } },
    { method: 'setConsumerPreferences', params: { consumerId: 'x', width: 320, height: 180, maxSpatialLayer: 1 } },
    { method: 'getTransportStats', params: {} },
    { method: 'sendDataMessage', params: { topic: 'chat', data: 'aGVsbG8=', lifetimeMs: 1000 } },
    { method: 'ping', params: {} },
    { method: 'room.subscribe', params: {} },
    { method: 'room.getMembers', params: {} },
    { method: 'room.audioMute', params: { memberId: 'x' } },
    { method: 'room.setInputVolume', params: { memberId: 'x', volume: 10 } },
    { method: 'room.setMemberMeta', params: { memberId: 'x', meta: { a: 1 } } },
    { method: 'room.updateMeta', params: { meta: { b: 'c' } } },
    { method: 'room.deleteMeta', params: { keys: ['b'] } },
    { method: 'room.setRaisedHand', params: { memberId: 'x', raised: true } },
    { method: 'room.setLayout', params: { name: 'grid-responsive' } },
    { method: 'room.setMemberPosition', params: { memberId: 'x', position: 'reserved-1' } },
    { method: 'room.promote', params: { memberId: 'x', permissions: ['room.self.audio_mute'] } },
    { method: 'room.demote', params: { memberId: 'x' } },
    { method: 'room.getLayouts', params: {} },
  ];
}

/**
 * Fuzzes the signaling endpoint with `count` messages: connections of `batch` messages each, half
 * joined first (with a valid token, learning a live transport id so mutations reach real objects),
 * `concurrency` connections at a time. Every reply is tallied by code.
 */
export async function runSignalingFuzz(server: SignalingFuzzServer, options: { count: number; seed: number; protocol: number; knownCodes: ReadonlySet<string>; concurrency?: number; batch?: number; onProgress?: (sent: number) => void }): Promise<SignalingFuzzResult> {
  const { count, seed, protocol, knownCodes } = options;
  const concurrency = options.concurrency ?? 16;
  const batch = options.batch ?? 150;
  const meetingId = await server.createMeeting(`signaling-fuzz-${Date.now()}`);
  const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => server.createAttendee(meetingId, `fuzz-${i}`)));
  const fuzz = new Fuzzer(seed);
  const ids: string[] = ['nope', '', 'x'.repeat(128), meetingId];
  const templates = signalingTemplates(protocol, tokens[0]!);
  const result: SignalingFuzzResult = { sent: 0, connections: 0, ok: 0, errors: {}, closes: {}, unknownCodes: [], seconds: 0 };
  const started = performance.now();
  let reserved = 0;
  let lastProgress = 0;

  const connection = async (n: number, messages: number): Promise<void> => {
    const ws = new WebSocket(server.signalingUrl);
    const opened = await new Promise<boolean>((res) => {
      ws.once('open', () => res(true));
      ws.once('error', () => res(false));
    });
    result.connections++;
    if (!opened) {
      result.closes.refused = (result.closes.refused ?? 0) + 1;
      return;
    }
    let replies = 0;
    const waiters = new Map<number, (r: { ok?: boolean; result?: { id?: string } }) => void>();
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    ws.on('message', (d) => {
      let r: { id?: unknown; ok?: boolean; event?: string; error?: { code?: string }; result?: { id?: string } };
      try {
        r = JSON.parse(String(d)) as typeof r;
      } catch {
        result.unknownCodes.push('reply is not JSON');
        return;
      }
      if (r.event) return;
      replies++;
      if (typeof r.id === 'number' && r.id < 0) waiters.get(r.id)?.(r);
      if (r.ok) result.ok++;
      else {
        const code = String(r.error?.code);
        result.errors[code] = (result.errors[code] ?? 0) + 1;
        if (!knownCodes.has(code) && result.unknownCodes.length < 20) result.unknownCodes.push(code);
      }
    });
    // Our own setup requests use negative ids so the fuzz's (non-negative) ones never collide.
    const setup = (id: number, method: string, params: Record<string, unknown>) => new Promise<{ ok?: boolean; result?: { id?: string } } | undefined>((res) => {
      waiters.set(id, res);
      ws.send(JSON.stringify({ id, method, params }));
      setTimeout(() => res(undefined), 5000).unref();
    });
    let expected = 0;
    if (n % 2 === 0) {
      expected++;
      const joined = await setup(-1, 'join', { protocol, token: tokens[n % tokens.length] });
      if (joined?.ok) {
        expected++;
        const t = await setup(-2, 'createTransport', { direction: n % 4 === 0 ? 'send' : 'recv' });
        if (t?.ok && t.result?.id && ids.length < 64) ids.push(t.result.id);
      }
    }
    for (let i = 0; i < messages && ws.readyState === WebSocket.OPEN; i++) {
      ws.send(fuzz.message(templates, ids));
      result.sent++;
      expected++;
    }
    // Every message gets one reply (a result or an error) unless the server closed the connection.
    const deadline = performance.now() + 3000;
    while (replies < expected && ws.readyState === WebSocket.OPEN && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ws.close();
    const code = await closed;
    result.closes[code] = (result.closes[code] ?? 0) + 1;
  };

  let n = 0;
  const worker = async (): Promise<void> => {
    while (reserved < count) {
      const messages = Math.min(batch, count - reserved);
      reserved += messages;
      await connection(n++, messages);
      if (options.onProgress && result.sent - lastProgress >= 50_000) {
        lastProgress = result.sent;
        options.onProgress(result.sent);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
