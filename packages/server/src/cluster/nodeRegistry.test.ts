import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leastLoaded, NodeRegistry } from './nodeRegistry.js';
import { startTestRedis, type TestRedis } from './testRedis.js';

const load = (id: string, participants: number, cpu = 0.1) => ({ id, url: `http://127.0.0.1:1/${id}`, cpu, participants, bandwidthBps: 0, draining: false });

describe('NodeRegistry (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => { redis = await startTestRedis(); });
  afterAll(async () => { await redis.stop(); });

  it('lists heartbeating nodes, places on the least loaded, and drops a node whose heartbeat expired', async () => {
    const prefix = `t${Date.now()}:`;
    const a = new NodeRegistry({ redisUrl: redis.url, prefix, ttlMs: 600, intervalMs: 150 });
    const b = new NodeRegistry({ redisUrl: redis.url, prefix, ttlMs: 600, intervalMs: 150 });
    await Promise.all([a.connect(), b.connect()]);
    await a.start(() => load('a', 10));
    await b.start(() => load('b', 2));
    // Several intervals pass: the heartbeat keeps both alive beyond the TTL.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await a.liveNodes()).map((n) => n.id).sort()).toEqual(['a', 'b']);
    expect(leastLoaded(await a.liveNodes())?.id).toBe('b');
    // b stops beating as a killed process would (no deregister): gone once its TTL runs out.
    b.close();
    await new Promise((r) => setTimeout(r, 800));
    const live = await a.liveNodes();
    expect(live.map((n) => n.id)).toEqual(['a']);
    expect(leastLoaded(live)?.id).toBe('a');
    a.close();
  });

  it('leaves draining nodes out of placement and breaks ties the same way on every node', () => {
    const nodes = [{ ...load('c', 1), updatedAt: 0 }, { ...load('b', 1), updatedAt: 0 }, { ...load('a', 0), draining: true, updatedAt: 0 }];
    expect(leastLoaded(nodes)?.id).toBe('b');
    expect(leastLoaded([])).toBeUndefined();
  });

  it('a command while Redis is away fails fast instead of hanging', async () => {
    const dead = new NodeRegistry({ redisUrl: 'redis://127.0.0.1:1', prefix: 'x:' });
    await expect(dead.connect()).rejects.toThrow();
    dead.close();
  });
});
