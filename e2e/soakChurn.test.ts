import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBenchMedia } from '../bench/src/media.js';
import { Pacer } from '../bench/src/pacer.js';
import { ReceiveTally } from '../bench/src/receiver.js';
import { Churn } from '../bench/src/soak/churn.js';
import { closingApi } from '../bench/src/soak/serverSample.js';
import { waitFor } from './support/expectations.js';
import { startTestServer } from './support/testServer.js';

// The bench's soak churns 50 participants for 5 minutes to an hour; this is its CI-sized version.
const PARTICIPANTS = 8;
const CHURN_S = 25;

describe('churn: participants joining, publishing and leaving', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const pacer = new Pacer();
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    pacer.close();
    await server?.close();
  });

  it('returns every worker object count, room and member to its start after everyone leaves', async () => {
    const start = await server.pool.objectCounts();
    const tally = new ReceiveTally();
    tally.sampleEvery = 1000;
    const api = closingApi({ url: server.url, signalingUrl: `${server.url.replace('http', 'ws')}/signaling` }, server.auth);
    const churn = new Churn(api, { media: loadBenchMedia(), pacer, tally }, { participants: PARTICIPANTS, rooms: 2, stayS: [3, 7], awayS: [0.5, 1.5], videoEvery: 2, seed: 20261202 });
    await churn.start();
    let peak: Awaited<ReturnType<typeof server.pool.objectCounts>> | undefined;
    for (let t = 0; t < CHURN_S; t += 5) {
      await new Promise((r) => setTimeout(r, 5000));
      const now = await server.pool.objectCounts();
      if (!peak || now.transports > peak.transports) peak = now;
    }
    await churn.stop();
    console.log('[churn]', churn.counts, 'peak', peak, 'packets received', tally.packets);
    expect(churn.counts.failures, churn.counts.failureSamples.join('; ')).toBe(0);
    // Participants came and went more than once each, both ways, and media flowed to them.
    expect(churn.counts.joins).toBeGreaterThan(PARTICIPANTS * 2);
    expect(churn.counts.leaves).toBeGreaterThan(0);
    expect(churn.counts.drops).toBeGreaterThan(0);
    expect(peak!.producers).toBeGreaterThan(0);
    expect(peak!.consumers).toBeGreaterThan(0);
    expect(tally.packets).toBeGreaterThan(1000);

    const end = await waitFor('every count back at its start', async () => {
      const now = await server.pool.objectCounts();
      return JSON.stringify(now) === JSON.stringify(start) && server.rooms.rooms.length === 0 ? now : undefined;
    }, 15_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: start ${JSON.stringify(start)}, now ${JSON.stringify(await server.pool.objectCounts())}, rooms ${server.rooms.rooms.length}`);
    });
    expect(end).toEqual(start);
  });
});
