import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { SfuRoom } from './sfuRoom.js';
import { WorkerPool } from './workerPool.js';

describe('RouterSpread: a room larger than one worker', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ workers: 2, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', port: 0, logLevel: 'warn', receiversPerRouter: 2 }, createLogger('silent'));
  });
  afterAll(() => pool.close());

  it('keeps senders at home, fills the home router with receivers, then spreads them to the other worker through pipeToRouter', async () => {
    const room = await SfuRoom.create(pool, createLogger('silent'));
    try {
      const send = await room.createWebRtcTransport('send', {});
      const producer = await send.produce({
        kind: 'audio',
        rtpParameters: { mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] },
      });
      const recv = await Promise.all([0, 1, 2, 3].map(() => room.createWebRtcTransport('recv', {})));
      expect(room.spread.routers).toHaveLength(2);
      const caps = room.rtpCapabilities;
      for (const t of recv) {
        expect(await room.prepareConsume(producer, t, caps)).toBe(true);
        const consumer = await t.consume({ producerId: producer.id, rtpCapabilities: caps });
        expect(consumer.producerId).toBe(producer.id);
      }
      // Two receivers per router: the home router's worker and the other worker both forward.
      const dumps = await Promise.all(room.spread.routers.map((r) => r.dump()));
      expect(dumps.map((d) => d.transportIds.length).sort()).toEqual([3, 4]); // home: send + 2 recv + pipe; other: 2 recv + pipe
      // Closing the producer closes its piped copy, so consumers on the other worker end too.
      producer.close();
      await new Promise((r) => setTimeout(r, 100));
      const after = await Promise.all(room.spread.routers.map((r) => r.dump()));
      expect(after.every((d) => Object.keys(d.mapProducerIdConsumerIds).length === 0)).toBe(true);
    } finally {
      room.close();
    }
  });
});
