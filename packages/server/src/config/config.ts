import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { WEBHOOK_EVENT_NAMES } from '@parley/protocol';
import { RateLimitsSchema, rateLimitsFromEnv } from '../limits/rateLimitsConfig.js';
import { devSecret } from './devSecret.js';

/**
 * Server configuration: embedded defaults, overridden by an optional JSON file
 * (PARLEY_CONFIG=path) and then by PARLEY_* environment variables.
 */
export const ConfigSchema = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Base URL clients use to reach this server; derived from the request when unset. */
  publicUrl: z.string().url().optional(),
  apiKey: z.string().min(1).default('parley-dev-key'),
  /** When unset, generated once and kept in dataDir (printed at start so a developer can use it). */
  apiSecret: z.string().min(16).optional(),
  /** Secret that signs join tokens; derived from apiSecret when unset. */
  tokenSecret: z.string().min(16).optional(),
  tokenTtlSeconds: z.number().int().positive().default(24 * 3600),
  dataDir: z.string().default('./data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  mediaRegion: z.string().default('local'),
  /** On SIGTERM (server.drain()): how long running meetings may go on before they are ended. */
  drainTimeoutMs: z.number().int().min(0).max(24 * 3600 * 1000).default(60000),
  /** Serve the demo app's built files from this folder at / (none when unset or missing). */
  staticDir: z.string().optional(),
  rtc: z
    .object({
      /** Local address the media port binds to. */
      listenIp: z.string().default('0.0.0.0'),
      /** Address given to browsers in ICE candidates; 127.0.0.1 works for same-machine use. */
      announcedIp: z.string().default('127.0.0.1'),
      /** The one UDP and TCP port every participant's media uses (WebRtcServer). */
      port: z.number().int().min(0).max(65535).default(40000),
      /** mediasoup workers; default one per core. */
      workers: z.number().int().positive().optional(),
      /** Receivers one room puts on a worker's router before it spreads more receivers to another worker (pipeToRouter). */
      receiversPerRouter: z.number().int().positive().default(100),
      /** ICE-TCP candidates besides UDP (reachability through UDP-blocking networks); off only where a test shapes the UDP flow. */
      tcp: z.boolean().default(true),
      workerLogLevel: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
    })
    .prefault({}),
  media: z
    .object({
      /** Where recordings are written; default <dataDir>/recordings. */
      recordingsDir: z.string().optional(),
      /** The room's composed picture (recordings and streams). */
      width: z.number().int().min(160).max(3840).default(1280),
      height: z.number().int().min(90).max(2160).default(720),
      fps: z.number().int().min(1).max(60).default(30),
      videoBitrateKbps: z.number().int().min(100).max(20000).default(2500),
      /** A JPEG of each room's picture at previewUrl while anyone is in it (a small composite of its own). */
      previews: z.boolean().default(true),
      previewIntervalMs: z.number().int().min(500).max(60000).default(3000),
      previewWidth: z.number().int().min(160).max(1280).default(320),
      /** An RTMP stream that drops is retried this long before it ends. */
      streamReconnectMs: z.number().int().min(0).max(600000).default(30000),
    })
    .prefault({}),
  /** Prometheus metrics at /metrics (see telemetry/metrics.ts). */
  metrics: z
    .object({
      enabled: z.boolean().default(true),
      /** Serve /metrics (and /health, /ready) on this port of its own instead of the main one. */
      port: z.number().int().min(0).max(65535).optional(),
      /** Address the metrics port binds to; default the server's host. */
      host: z.string().optional(),
      /** When set, /metrics needs `Authorization: Bearer <token>`. */
      token: z.string().min(8).optional(),
      /** SFU packet, loss and RTT figures are sampled this often... */
      sfuStatsIntervalMs: z.number().int().min(100).max(600000).default(10000),
      /** ...reading at most this many producers/consumers per cycle (round-robin). */
      sfuStatsMaxPerCycle: z.number().int().min(1).max(100000).default(200),
    })
    .prefault({}),
  /** Signed HTTP callbacks for room and participant lifecycle (see telemetry/webhooks.ts). */
  webhooks: z
    .object({
      urls: z.array(z.string().url()).default([]),
      /** HMAC-SHA256 key of the signature; default apiSecret. */
      secret: z.string().min(16).optional(),
      /** Send only these events (default all). */
      events: z.array(z.enum(WEBHOOK_EVENT_NAMES)).optional(),
      timeoutMs: z.number().int().min(100).max(120000).default(5000),
      maxAttempts: z.number().int().min(1).max(50).default(6),
      retryInitialMs: z.number().int().min(10).max(600000).default(1000),
      retryMaxMs: z.number().int().min(10).max(3600000).default(30000),
      /** Events waiting per receiver before the oldest is dropped. */
      queueSize: z.number().int().min(1).max(1000000).default(1000),
      /** At shutdown, wait this long for queued events to go out. */
      shutdownFlushMs: z.number().int().min(0).max(600000).default(3000),
    })
    .prefault({}),
  limits: z
    .object({
      maxVideoTiles: z.number().int().positive().default(16),
      maxContentShares: z.number().int().positive().default(2),
      heartbeatIntervalMs: z.number().int().positive().default(5000),
      /** A peer silent for this long is taken as dead and removed. */
      heartbeatTimeoutMs: z.number().int().positive().default(15000),
      maxAttendeesPerMeeting: z.number().int().positive().default(250),
      /** Per member (one signaling session): transports it may create (a client needs 2)... */
      maxTransportsPerMember: z.number().int().positive().default(16),
      /** ...producers it may hold at once, by kind... */
      maxAudioProducersPerMember: z.number().int().positive().default(4),
      maxVideoProducersPerMember: z.number().int().positive().default(8),
      /** ...and consumers (tracks it receives; above this it is sent no more). */
      maxConsumersPerMember: z.number().int().positive().default(1000),
    })
    .prefault({}),
  /** Per-address, per-API-key and per-attendee rates (see limits/rateLimitsConfig.ts). */
  rateLimits: RateLimitsSchema,
});
export type Config = z.infer<typeof ConfigSchema> & { apiSecret: string; tokenSecret: string };
export type ConfigInput = z.input<typeof ConfigSchema>;

export function loadConfig(overrides: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.PARLEY_CONFIG && existsSync(env.PARLEY_CONFIG) ? JSON.parse(readFileSync(env.PARLEY_CONFIG, 'utf8')) : {};
  const fromEnv: Record<string, unknown> = {};
  const rtc: Record<string, unknown> = {};
  if (env.PARLEY_HOST) fromEnv.host = env.PARLEY_HOST;
  if (env.PARLEY_PORT) fromEnv.port = Number(env.PARLEY_PORT);
  if (env.PARLEY_PUBLIC_URL) fromEnv.publicUrl = env.PARLEY_PUBLIC_URL;
  if (env.PARLEY_API_KEY) fromEnv.apiKey = env.PARLEY_API_KEY;
  if (env.PARLEY_API_SECRET) fromEnv.apiSecret = env.PARLEY_API_SECRET;
  if (env.PARLEY_TOKEN_SECRET) fromEnv.tokenSecret = env.PARLEY_TOKEN_SECRET;
  if (env.PARLEY_DATA_DIR) fromEnv.dataDir = env.PARLEY_DATA_DIR;
  if (env.PARLEY_LOG_LEVEL) fromEnv.logLevel = env.PARLEY_LOG_LEVEL;
  if (env.PARLEY_DRAIN_TIMEOUT_MS) fromEnv.drainTimeoutMs = Number(env.PARLEY_DRAIN_TIMEOUT_MS);
  if (env.PARLEY_RTC_LISTEN_IP) rtc.listenIp = env.PARLEY_RTC_LISTEN_IP;
  if (env.PARLEY_RTC_ANNOUNCED_IP) rtc.announcedIp = env.PARLEY_RTC_ANNOUNCED_IP;
  if (env.PARLEY_RTC_PORT) rtc.port = Number(env.PARLEY_RTC_PORT);
  if (env.PARLEY_RTC_WORKERS) rtc.workers = Number(env.PARLEY_RTC_WORKERS);
  if (env.PARLEY_RTC_RECEIVERS_PER_ROUTER) rtc.receiversPerRouter = Number(env.PARLEY_RTC_RECEIVERS_PER_ROUTER);
  const media: Record<string, unknown> = {};
  if (env.PARLEY_RECORDINGS_DIR) media.recordingsDir = env.PARLEY_RECORDINGS_DIR;
  if (env.PARLEY_PREVIEWS) media.previews = env.PARLEY_PREVIEWS !== 'off' && env.PARLEY_PREVIEWS !== 'false' && env.PARLEY_PREVIEWS !== '0';
  const metrics: Record<string, unknown> = {};
  if (env.PARLEY_METRICS) metrics.enabled = !['off', 'false', '0'].includes(env.PARLEY_METRICS);
  if (env.PARLEY_METRICS_PORT) metrics.port = Number(env.PARLEY_METRICS_PORT);
  if (env.PARLEY_METRICS_HOST) metrics.host = env.PARLEY_METRICS_HOST;
  if (env.PARLEY_METRICS_TOKEN) metrics.token = env.PARLEY_METRICS_TOKEN;
  const webhooks: Record<string, unknown> = {};
  const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter(Boolean);
  if (env.PARLEY_WEBHOOK_URLS) webhooks.urls = list(env.PARLEY_WEBHOOK_URLS);
  if (env.PARLEY_WEBHOOK_SECRET) webhooks.secret = env.PARLEY_WEBHOOK_SECRET;
  if (env.PARLEY_WEBHOOK_EVENTS) webhooks.events = list(env.PARLEY_WEBHOOK_EVENTS);
  const merged = {
    ...file, ...fromEnv, ...overrides, rtc: { ...file.rtc, ...rtc, ...overrides.rtc }, media: { ...file.media, ...media, ...overrides.media }, limits: { ...file.limits, ...overrides.limits },
    metrics: { ...file.metrics, ...metrics, ...overrides.metrics }, webhooks: { ...file.webhooks, ...webhooks, ...overrides.webhooks },
    rateLimits: { ...file.rateLimits, ...rateLimitsFromEnv(env), ...overrides.rateLimits },
  };
  const parsed = ConfigSchema.parse(merged);
  const apiSecret = parsed.apiSecret ?? devSecret(parsed.dataDir);
  return { ...parsed, apiSecret, tokenSecret: parsed.tokenSecret ?? `${apiSecret}:join-tokens` };
}
