import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('config', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('keeps the generated development secret across restarts, so stored join tokens stay valid', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-config-'));
    dirs.push(dataDir);
    const first = loadConfig({ dataDir }, {});
    const second = loadConfig({ dataDir }, {});
    expect(first.apiSecret).toHaveLength(32);
    expect(second.apiSecret).toBe(first.apiSecret);
    expect(second.tokenSecret).toBe(first.tokenSecret);
  });

  it('takes a configured secret over the saved one, and env over defaults', () => {
    const config = loadConfig({}, { PARLEY_API_SECRET: 'from-env-0123456789abcdef', PARLEY_PORT: '9000', PARLEY_RTC_ANNOUNCED_IP: '10.1.2.3', PARLEY_DATA_DIR: ':memory:' });
    expect(config.apiSecret).toBe('from-env-0123456789abcdef');
    expect(config.port).toBe(9000);
    expect(config.rtc.announcedIp).toBe('10.1.2.3');
    expect(config.limits.maxVideoTiles).toBe(16);
  });

  it('rejects invalid settings with the field named', () => {
    expect(() => loadConfig({ port: 70000, dataDir: ':memory:' }, {})).toThrow(/port/);
  });
});
