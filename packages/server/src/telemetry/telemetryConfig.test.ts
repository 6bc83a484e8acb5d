import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';

describe('metrics and webhooks configuration', () => {
  it('defaults: metrics on the main port without a token, no webhooks', () => {
    const c = loadConfig({ dataDir: ':memory:', apiSecret: 'x'.repeat(16) }, {});
    expect(c.metrics).toMatchObject({ enabled: true, sfuStatsIntervalMs: 10000, sfuStatsMaxPerCycle: 200 });
    expect(c.metrics.port).toBeUndefined();
    expect(c.webhooks).toMatchObject({ urls: [], timeoutMs: 5000, maxAttempts: 6, retryInitialMs: 1000, retryMaxMs: 30000, queueSize: 1000 });
  });

  it('reads PARLEY_METRICS_* and PARLEY_WEBHOOK_* from the environment', () => {
    const c = loadConfig({ dataDir: ':memory:', apiSecret: 'x'.repeat(16) }, {
      PARLEY_METRICS_PORT: '9464', PARLEY_METRICS_HOST: '10.0.0.5', PARLEY_METRICS_TOKEN: 'scrape-token',
      PARLEY_WEBHOOK_URLS: 'https://a.example/hook, https://b.example/hook', PARLEY_WEBHOOK_SECRET: 'w'.repeat(20), PARLEY_WEBHOOK_EVENTS: 'room_started,room_ended',
    });
    expect(c.metrics).toMatchObject({ enabled: true, port: 9464, host: '10.0.0.5', token: 'scrape-token' });
    expect(c.webhooks).toMatchObject({ urls: ['https://a.example/hook', 'https://b.example/hook'], secret: 'w'.repeat(20), events: ['room_started', 'room_ended'] });
    expect(loadConfig({ dataDir: ':memory:', apiSecret: 'x'.repeat(16) }, { PARLEY_METRICS: 'off' }).metrics.enabled).toBe(false);
    expect(() => loadConfig({ dataDir: ':memory:', apiSecret: 'x'.repeat(16) }, { PARLEY_WEBHOOK_EVENTS: 'room_exploded' })).toThrow();
  });
});
