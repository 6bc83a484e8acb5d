import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The development API secret when none is configured: generated once and kept in the data
 * folder, so join tokens stored there stay valid across restarts. In-memory data gets a fresh one.
 */
export function devSecret(dataDir: string): string {
  if (dataDir === ':memory:') return randomBytes(24).toString('base64url');
  const file = join(dataDir, 'dev-api-secret');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved.length >= 16) return saved;
  }
  const secret = randomBytes(24).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
