import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startParleyServer, type ParleyServer } from '../server.js';
import { SignalingMember, createAttendee, createMeeting, has, parseMetrics, until, valueOf, type Series } from './testClient.js';

const OPUS = { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} }], encodings: [{ ssrc: 11111111 }] };

describe('/metrics: the Prometheus series follow joins, tracks and leaves', () => {
  let server: ParleyServer;
  const scrape = async (): Promise<Series> => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parseMetrics(await res.text());
  };

  beforeAll(async () => {
    server = await startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 }, media: { previews: false }, metrics: { sfuStatsIntervalMs: 200 } }, {}, {});
  });
  afterAll(() => server?.close());

  it('counts rooms, participants, producers, consumers, joins, messages, errors and REST requests', async () => {
    const before = await scrape();
    expect(valueOf(before, 'parley_rooms')).toBe(0);
    expect(valueOf(before, 'parley_workers')).toBe(1);
    expect(has(before, 'process_cpu_seconds_total')).toBe(true);

    const meetingId = await createMeeting(server);
    const a = await createAttendee(server, meetingId, 'alice');
    const b = await createAttendee(server, meetingId, 'bob');
    const alice = await SignalingMember.open(server);
    const bob = await SignalingMember.open(server);
    const joined = await alice.join(a.JoinToken);
    await bob.join(b.JoinToken);

    const send = await alice.request('createTransport', { direction: 'send' });
    expect(send.ok).toBe(true);
    const produced = await alice.request('produce', { transportId: send.result.id, kind: 'audio', source: 'microphone', rtpParameters: OPUS });
    expect(produced.ok).toBe(true);
    const recv = await bob.request('createTransport', { direction: 'recv' });
    expect((await bob.request('setRtpCapabilities', { rtpCapabilities: joined.routerRtpCapabilities })).ok).toBe(true);
    expect(recv.ok).toBe(true);
    expect((await bob.request('launchMissiles')).error.code).toBe('unknown_method');

    const during = await scrape();
    expect(valueOf(during, 'parley_rooms')).toBe(1);
    expect(valueOf(during, 'parley_participants', { type: 'member' })).toBe(2);
    expect(valueOf(during, 'parley_participant_joins_total', { type: 'member' })).toBe(2);
    expect(valueOf(during, 'parley_rooms_started_total')).toBe(1);
    expect(valueOf(during, 'parley_producers', { kind: 'audio', source: 'microphone' })).toBe(1);
    expect(valueOf(during, 'parley_producers', { kind: 'video' })).toBe(0);
    expect(valueOf(during, 'parley_consumers', { kind: 'audio' })).toBe(1);
    expect(valueOf(during, 'parley_tracks_published_total', { kind: 'audio', source: 'microphone' })).toBe(1);
    expect(valueOf(during, 'parley_sfu_transports', { type: 'webrtc' })).toBe(2);
    expect(valueOf(during, 'parley_sfu_producers', { kind: 'audio', transport: 'webrtc' })).toBe(1);
    expect(valueOf(during, 'parley_sfu_consumers', { kind: 'audio', transport: 'webrtc' })).toBe(1);
    expect(valueOf(during, 'parley_signaling_connections')).toBe(2);
    expect(valueOf(during, 'parley_signaling_messages_total', { method: 'join' })).toBe(2);
    expect(valueOf(during, 'parley_signaling_messages_total', { method: 'createTransport' })).toBe(2);
    expect(valueOf(during, 'parley_signaling_messages_total', { method: 'unknown' })).toBe(1);
    expect(valueOf(during, 'parley_signaling_errors_total', { code: 'unknown_method' })).toBe(1);
    expect(valueOf(during, 'parley_join_duration_seconds_count', { outcome: 'ok' })).toBe(2);
    const joinSeconds = valueOf(during, 'parley_join_duration_seconds_sum', { outcome: 'ok' });
    expect(joinSeconds).toBeGreaterThan(0);
    expect(joinSeconds).toBeLessThan(5);
    // Route patterns, not raw URLs: one series for every meeting's attendees.
    expect(valueOf(during, 'parley_http_requests_total', { method: 'POST', route: '/meetings/:MeetingId/attendees', status: '200' })).toBe(2);
    expect(valueOf(during, 'parley_http_request_duration_seconds_count', { method: 'POST', route: '/meetings' })).toBe(1);
    expect(during.some((s) => s.name === 'parley_http_requests_total' && s.labels.route?.includes(meetingId))).toBe(false);
    expect(valueOf(during, 'parley_http_requests_total', { route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(1);
    const pid = String(server.pool.workerPids[0]);
    expect(valueOf(during, 'parley_worker_cpu_seconds_total', { worker_pid: pid })).toBeGreaterThan(0);
    expect(valueOf(during, 'parley_worker_resident_memory_bytes', { worker_pid: pid })).toBeGreaterThan(1_000_000);
    expect(valueOf(during, 'parley_worker_max_rss_bytes', { worker_pid: pid })).toBeGreaterThan(1_000_000);
    // The sampler has read the producer and the consumer (no RTP flows without a real peer: zero packets).
    await until(async () => valueOf(await scrape(), 'parley_sfu_stats_sampled') === 2 || undefined);
    console.log(`join latency (2 joins, no media): ${(joinSeconds * 500).toFixed(1)} ms on average`);

    await alice.request('leave');
    await bob.close();
    const after = await until(async () => {
      const s = await scrape();
      return valueOf(s, 'parley_rooms') === 0 ? s : undefined;
    });
    expect(valueOf(after, 'parley_participants')).toBe(0);
    expect(valueOf(after, 'parley_producers')).toBe(0);
    expect(valueOf(after, 'parley_consumers')).toBe(0);
    expect(valueOf(after, 'parley_sfu_transports')).toBe(0);
    expect(valueOf(after, 'parley_participant_leaves_total', { reason: 'left' })).toBe(1);
    expect(valueOf(after, 'parley_participant_leaves_total', { reason: 'dropped' })).toBe(1);
    expect(valueOf(after, 'parley_rooms_ended_total')).toBe(1);
    await until(async () => valueOf(await scrape(), 'parley_signaling_connections') === 0 || undefined);
  });

  it('takes a bearer token and a port of its own when configured', async () => {
    const own = await startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 }, media: { previews: false }, metrics: { port: 0, token: 'scrape-secret' } }, {}, {});
    try {
      expect(own.metricsUrl).not.toBe(own.url);
      expect((await fetch(`${own.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${own.metricsUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${own.metricsUrl}/metrics`, { headers: { authorization: 'Bearer wrong-secret' } })).status).toBe(401);
      const ok = await fetch(`${own.metricsUrl}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
      expect(ok.status).toBe(200);
      expect(valueOf(parseMetrics(await ok.text()), 'parley_workers')).toBe(1);
      expect((await fetch(`${own.metricsUrl}/ready`)).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('the shipped Grafana dashboard asks only for series the server exposes', async () => {
    const dashboard = readFileSync(new URL('../../../../deploy/grafana/parley-dashboard.json', import.meta.url), 'utf8');
    const asked = new Set([...dashboard.matchAll(/\b((?:parley|process|nodejs)_[a-z_]+)\{/g)].map((m) => m[1]!.replace(/_bucket$/, '')));
    const hooked = await startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 }, media: { previews: false }, webhooks: { urls: ['http://127.0.0.1:9/none'] } }, {}, {});
    try {
      const text = await (await fetch(`${hooked.url}/metrics`)).text();
      const exposed = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
      expect(asked.size).toBeGreaterThan(25);
      expect([...asked].filter((n) => !exposed.has(n))).toEqual([]);
    } finally {
      await hooked.close();
    }
  });
});
