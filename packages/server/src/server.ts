import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { JoinTokens } from './auth/joinTokens.js';
import { ProjectTokens } from './auth/projectTokens.js';
import { mediaPipelinesRoutes } from './http/mediaPipelinesRoutes.js';
import { mediaRoutes } from './http/mediaRoutes.js';
import { roomSettingsOf, roomsRoutes } from './http/roomsRoutes.js';
import { loadConfig, type Config, type ConfigInput } from './config/config.js';
import { createHttpApp } from './http/httpApp.js';
import { registerDemoRoutes } from './http/demoRoutes.js';
import { RateLimits } from './limits/rateLimits.js';
import { createLogger, type Logger } from './logger.js';
import { MediaServices } from './media/mediaServices.js';
import { RoomManager } from './rooms/roomManager.js';
import { WorkerPool } from './sfu/workerPool.js';
import { SignalingServer } from './signaling/signalingServer.js';
import { SqliteMeetingStore } from './store/sqliteMeetingStore.js';
import { SqliteRecordingStore } from './store/sqliteRecordingStore.js';
import type { MeetingStore } from './store/types.js';
import { Health, registerMetricsRoute, startMetricsServer } from './telemetry/health.js';
import { Metrics } from './telemetry/metrics.js';
import { feedRoomTelemetry } from './telemetry/roomFeed.js';
import { SfuStats } from './telemetry/sfuStats.js';
import { Telemetry } from './telemetry/telemetry.js';
import { WebhookDispatcher } from './telemetry/webhooks.js';

export interface ParleyServer {
  readonly config: Config;
  /** http://host:port the server listens on. */
  readonly url: string;
  readonly port: number;
  readonly http: FastifyInstance;
  readonly rooms: RoomManager;
  readonly pool: WorkerPool;
  readonly store: MeetingStore;
  readonly media: MediaServices;
  readonly logger: Logger;
  /** The telemetry sink: lifecycle events, signaling and REST figures, worker starts and deaths. */
  readonly telemetry: Telemetry;
  /** What /health and /ready say; startDraining() turns /ready off. */
  readonly health: Health;
  readonly metrics: Metrics | undefined;
  /** Where /metrics is served when config.metrics.port is set (else on url). */
  readonly metricsUrl: string | undefined;
  readonly webhooks: WebhookDispatcher | undefined;
  close(): Promise<void>;
  /**
   * Graceful shutdown (main.ts runs it on SIGTERM/SIGINT): /ready turns 503, joins that would start
   * a new room are refused with server_draining (joins into running rooms go on), every member gets
   * serverDraining { deadlineMs } once; when the rooms are empty or timeoutMs (config.drainTimeoutMs)
   * has passed, the rest end with SessionEndReason.ServerShutdown and close() runs. close() during
   * the drain cuts it short.
   */
  drain(timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Extra static folders served under a URL prefix, e.g. the SDK bundle at /sdk/. */
  staticMounts?: Array<{ prefix: string; root: string }>;
}

/** Starts a Parley server: REST API, signaling, SFU workers, and the demo app when present. */
export async function startParleyServer(input: ConfigInput = {}, options: StartOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<ParleyServer> {
  const config = loadConfig(input, env);
  const logger = createLogger(config.logLevel);
  const dbPath = config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'parley.db');
  if (dbPath !== ':memory:') mkdirSync(config.dataDir, { recursive: true });
  const store = new SqliteMeetingStore(dbPath);
  const recordingStore = new SqliteRecordingStore(dbPath);
  const tokens = new JoinTokens(config.tokenSecret, config.tokenTtlSeconds);
  let pool: WorkerPool | undefined;
  const telemetry = new Telemetry(logger.child({ sub: 'telemetry' }));
  const sfuStats = config.metrics.enabled ? new SfuStats({ intervalMs: config.metrics.sfuStatsIntervalMs, maxPerCycle: config.metrics.sfuStatsMaxPerCycle, logger }) : undefined;
  if (sfuStats) telemetry.on('workerStarted', (worker) => sfuStats.addWorker(worker));
  try {
    pool = await WorkerPool.start(
      { workers: config.rtc.workers, listenIp: config.rtc.listenIp, announcedIp: config.rtc.announcedIp, port: config.rtc.port, logLevel: config.rtc.workerLogLevel, receiversPerRouter: config.rtc.receiversPerRouter, tcp: config.rtc.tcp },
      logger.child({ sub: 'sfu' }),
      telemetry,
    );
    const poolRef = pool;
    const media = new MediaServices(config, recordingStore, logger.child({ sub: 'media' }));
    const rooms = new RoomManager(pool, config.limits, media, logger.child({ sub: 'rooms' }), (meetingId) => roomSettingsOf(store.getMeeting(meetingId)));
    const detachRoomTelemetry = feedRoomTelemetry(rooms, telemetry);
    const w = config.webhooks;
    const webhooks = w.urls.length
      ? new WebhookDispatcher(telemetry, { ...w, secret: w.secret ?? config.apiSecret, logger: logger.child({ sub: 'webhooks' }) })
      : undefined;
    const metrics = config.metrics.enabled
      ? new Metrics(telemetry, { rooms: () => rooms.rooms, controls: () => rooms.controls, workers: () => poolRef.resourceUsage(), workerObjects: async () => ({ ...await poolRef.objectCounts() }), sfu: sfuStats, webhooks })
      : undefined;
    // A read of the store: throws once it is closed or unreadable.
    const health = new Health({ workers: () => poolRef.workerPids.length, store: () => (store.getMeeting('parley-ready-probe'), true) });
    const projectTokens = new ProjectTokens(config.tokenSecret);
    const rateLimits = new RateLimits(config.rateLimits, telemetry);
    const http = await createHttpApp({ config, store, live: rooms, tokens, logger, health, telemetry, rateLimits });
    if (metrics && config.metrics.port === undefined) registerMetricsRoute(http, metrics, config.metrics.token);
    await http.register(roomsRoutes, { config, store, tokens, projectTokens, rooms, logger });
    await http.register(mediaRoutes, { config, media, rooms, logger });
    await http.register(mediaPipelinesRoutes, { config, store, media, rooms, logger });
    registerDemoRoutes(http, config, { controlOf: (meetingId) => rooms.controlOf(meetingId), recordings: media.recordingStore });
    for (const mount of staticMountsFor(config, options)) {
      await http.register(fastifyStatic, { root: mount.root, prefix: mount.prefix, decorateReply: false, index: ['index.html'] });
    }
    await http.listen({ host: config.host, port: config.port });
    const signaling = new SignalingServer(http.server, {
      rooms,
      tokens,
      store,
      limits: config.limits,
      logger: logger.child({ sub: 'signaling' }),
      telemetry,
      rateLimits,
    }, { rooms, credentials: config, projectTokens, heartbeatIntervalMs: config.limits.heartbeatIntervalMs, logger });
    const port = (http.server.address() as AddressInfo).port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    media.baseUrl = config.publicUrl ?? `http://${host}:${port}`;
    const metricsServer = metrics && config.metrics.port !== undefined
      ? await startMetricsServer({ host: config.metrics.host ?? config.host, port: config.metrics.port, metrics, health, token: config.metrics.token })
      : undefined;
    const metricsHost = config.metrics.host ?? config.host;
    const metricsUrl = metricsServer ? `http://${metricsHost === '0.0.0.0' || metricsHost === '::' ? 'localhost' : metricsHost}:${metricsServer.port}` : metrics ? `http://${host}:${port}` : undefined;
    let closing: Promise<void> | undefined;
    let draining: Promise<void> | undefined;
    let stopDraining: (() => void) | undefined;
    const close = (): Promise<void> => (closing ??= (async () => {
      stopDraining?.();
      health.startDraining();
      // Members hear sessionEnded (ServerShutdown) before the sockets go; recordings finalise
      // their files before the workers and the store go.
      const roomsClosed = rooms.closeAll();
      signaling.close();
      await roomsClosed;
      // room_ended and the last participant_left go out before the process does (up to shutdownFlushMs).
      await webhooks?.close(w.shutdownFlushMs);
      detachRoomTelemetry();
      await http.close();
      await metricsServer?.close();
      sfuStats?.close();
      metrics?.close();
      poolRef.close();
      store.close();
      recordingStore.close();
    })());
    const drain = (timeoutMs = config.drainTimeoutMs): Promise<void> => (draining ??= (async () => {
      if (closing) return closing;
      health.startDraining();
      const deadlineMs = Date.now() + timeoutMs;
      rooms.startDraining(deadlineMs);
      logger.info({ rooms: rooms.rooms.length, timeoutMs }, 'draining: no new rooms; running ones may go on until the deadline');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        rooms.whenEmpty(),
        new Promise<void>((resolve) => {
          stopDraining = resolve;
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (rooms.rooms.length) logger.info({ rooms: rooms.rooms.length }, 'drain time is up: ending the remaining rooms');
      await close();
    })());
    return {
      config, url: `http://${host}:${port}`, port, http, rooms, pool, store, media, logger, telemetry, health, metrics, metricsUrl, webhooks,
      close, drain,
    };
  } catch (err) {
    sfuStats?.close();
    pool?.close();
    store.close();
    recordingStore.close();
    throw err;
  }
}

function staticMountsFor(config: Config, options: StartOptions): Array<{ prefix: string; root: string }> {
  const mounts = [...(options.staticMounts ?? [])];
  if (config.staticDir && existsSync(config.staticDir)) mounts.push({ prefix: '/', root: resolve(config.staticDir) });
  return mounts.filter((m) => existsSync(m.root)).map((m) => ({ ...m, root: resolve(m.root) }));
}
