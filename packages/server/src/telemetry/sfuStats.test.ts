import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { SfuStats, type SfuSample } from './sfuStats.js';

const SSRC = 0x1234abcd;

function rtp(seq: number): Buffer {
  const b = Buffer.alloc(12 + 60, 0x55);
  b[0] = 0x80;
  b[1] = 100;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 960) >>> 0, 4);
  b.writeUInt32BE(SSRC, 8);
  return b;
}

describe('SfuStats: bounded sampling of real mediasoup objects', () => {
  let worker: types.Worker;
  let stats: SfuStats;
  let router: types.Router;
  let sender: Socket;
  let receiver: Socket;
  let ingressPort: number;
  let received = 0;
  const samples: SfuSample[] = [];

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    stats = new SfuStats({ intervalMs: 3_600_000, maxPerCycle: 10 });
    stats.addWorker(worker);
    stats.on('sample', (s) => samples.push(s));
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
    const ingress = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
    ingressPort = ingress.tuple.localPort;
    const producer = await ingress.produce({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: SSRC }] } });
    receiver = createSocket('udp4');
    receiver.on('message', (m) => {
      if ((m[1]! & 0x7f) < 72 || (m[1]! & 0x7f) > 76) received++; // RTP, not RTCP
    });
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', () => r()));
    const egress = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
    await egress.connect({ ip: '127.0.0.1', port: receiver.address().port });
    await egress.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    sender = createSocket('udp4');
  });
  afterAll(() => {
    stats?.close();
    sender?.close();
    receiver?.close();
    worker?.close();
  });

  const send = async (seqs: number[]): Promise<void> => {
    for (const seq of seqs) {
      await new Promise<void>((r) => sender.send(rtp(seq), ingressPort, '127.0.0.1', () => r()));
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  it('follows objects through the observer and turns getStats into monotonic deltas', async () => {
    const counts = stats.counts();
    expect(counts.transports.get('plain')).toBe(2);
    expect(counts.producers.get('audio|plain')).toBe(1);
    expect(counts.consumers.get('audio|plain')).toBe(1);

    // 100 packets with 9 sequence numbers skipped (11, 22 ... 99): 9 lost on the way in.
    const seqs = Array.from({ length: 109 }, (_, i) => i + 1).filter((s) => s % 11 !== 0);
    await send(seqs);
    const deadline = Date.now() + 5000;
    while (received < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toBe(100);
    await stats.sample();
    const first = samples.at(-1)!;
    expect(first.sampled).toBe(2);
    expect(first.received).toEqual([{ kind: 'audio', transport: 'plain', packets: 100, bytes: expect.any(Number) }]);
    expect(first.forwarded).toEqual([{ kind: 'audio', transport: 'plain', packets: 100, bytes: expect.any(Number) }]);
    // 72-byte packets (mediasoup counts what it handled, header extensions it adds included).
    expect(first.received[0]!.bytes).toBeGreaterThanOrEqual(100 * 72);
    expect(first.forwarded[0]!.bytes).toBeGreaterThanOrEqual(100 * 72);
    // mediasoup updates a stream's loss when it writes its next receiver report (every few seconds).
    const lostIn = (): number => samples.flatMap((x) => x.lost).filter((l) => l.direction === 'inbound').reduce((n, l) => n + l.packets, 0);
    for (let i = 0; i < 40 && lostIn() < 9; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await stats.sample();
    }
    expect(lostIn()).toBe(9);

    await stats.sample();
    expect(samples.at(-1)!.received[0]!.packets).toBe(0);
    await send(Array.from({ length: 10 }, (_, i) => 110 + i));
    await new Promise((r) => setTimeout(r, 100));
    await stats.sample();
    expect(samples.at(-1)!.received[0]!.packets).toBe(10);
    expect(samples.at(-1)!.forwarded[0]!.packets).toBe(10);
  });

  it('reads at most maxPerCycle objects per cycle, round-robin', async () => {
    const small = new SfuStats({ intervalMs: 3_600_000, maxPerCycle: 1 });
    const seen: SfuSample[] = [];
    small.on('sample', (s) => seen.push(s));
    // A second worker's objects, followed from its start.
    const w2 = await mediasoup.createWorker({ logLevel: 'warn' });
    try {
      small.addWorker(w2);
      const r2 = await w2.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
      const t = await r2.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
      const p = await t.produce({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1 }] } });
      const t2 = await r2.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
      await t2.consume({ producerId: p.id, rtpCapabilities: r2.rtpCapabilities });
      await small.sample();
      await small.sample();
      expect(seen.map((s) => s.sampled)).toEqual([1, 1]);
      p.close();
      expect(small.counts().producers.size).toBe(0);
      for (let i = 0; i < 100 && small.counts().consumers.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(small.counts().consumers.size).toBe(0);
    } finally {
      small.close();
      w2.close();
    }
  });
});
