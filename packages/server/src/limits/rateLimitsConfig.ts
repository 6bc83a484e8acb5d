import { z } from 'zod';

const Window = z.object({
  /** Events allowed per window; 0 = unlimited. */
  points: z.number().int().min(0),
  seconds: z.number().int().min(1).max(86400),
});

/**
 * Per-client rate limits (config `rateLimits`). Sized for production traffic: one office behind
 * one NAT address joining a town hall, an app backend creating attendees for everyone. Load tests
 * from one address turn them off (PARLEY_RATE_LIMITS=off). Per-member resource caps live in
 * `limits` with the room limits.
 */
export const RateLimitsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Count the first X-Forwarded-For address, not the socket's (only behind a proxy that sets it). */
    trustProxy: z.boolean().default(false),
    /** REST requests per client address (/health, /ready and /metrics are not counted). */
    restPerIp: Window.default({ points: 1000, seconds: 10 }),
    /** Authenticated REST requests per API key, counted once the credentials are verified. */
    restPerApiKey: Window.default({ points: 2000, seconds: 10 }),
    /** WebSocket upgrades (signaling and realtime) per client address. */
    wsConnectsPerIp: Window.default({ points: 200, seconds: 10 }),
    /** Open WebSockets per client address; 0 = unlimited. */
    wsConcurrentPerIp: z.number().int().min(0).default(1000),
    /** Signaling joins per attendee (a reconnect storm on one join token). */
    joinsPerAttendee: Window.default({ points: 20, seconds: 60 }),
  })
  .prefault({});
export type RateLimitsConfig = z.infer<typeof RateLimitsSchema>;

const WINDOW_ENV = {
  PARLEY_RATE_LIMIT_REST_PER_IP: 'restPerIp',
  PARLEY_RATE_LIMIT_REST_PER_API_KEY: 'restPerApiKey',
  PARLEY_RATE_LIMIT_WS_CONNECTS_PER_IP: 'wsConnectsPerIp',
  PARLEY_RATE_LIMIT_JOINS_PER_ATTENDEE: 'joinsPerAttendee',
} as const;

/**
 * PARLEY_RATE_LIMITS=off|false|0 turns them all off; PARLEY_TRUST_PROXY=true counts X-Forwarded-For;
 * PARLEY_RATE_LIMIT_<NAME>=points/seconds sets one window (e.g. PARLEY_RATE_LIMIT_REST_PER_IP=300/10);
 * PARLEY_RATE_LIMIT_WS_CONCURRENT_PER_IP=n. A malformed value is left for the schema to refuse.
 */
export function rateLimitsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const off = (v: string): boolean => ['off', 'false', '0'].includes(v.toLowerCase());
  if (env.PARLEY_RATE_LIMITS) out.enabled = !off(env.PARLEY_RATE_LIMITS);
  if (env.PARLEY_TRUST_PROXY) out.trustProxy = !off(env.PARLEY_TRUST_PROXY);
  for (const [name, key] of Object.entries(WINDOW_ENV)) {
    const value = env[name];
    if (!value) continue;
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*s?\s*$/.exec(value);
    out[key] = m ? { points: Number(m[1]), seconds: Number(m[2]) } : value;
  }
  if (env.PARLEY_RATE_LIMIT_WS_CONCURRENT_PER_IP) out.wsConcurrentPerIp = Number(env.PARLEY_RATE_LIMIT_WS_CONCURRENT_PER_IP);
  return out;
}
