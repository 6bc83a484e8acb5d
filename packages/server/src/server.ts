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
import { createLogger, type Logger } from './logger.js';
import { MediaServices } from './media/mediaServices.js';
import { RoomManager } from './rooms/roomManager.js';
import { WorkerPool } from './sfu/workerPool.js';
import { SignalingServer } from './signaling/signalingServer.js';
import { SqliteMeetingStore } from './store/sqliteMeetingStore.js';
import { SqliteRecordingStore } from './store/sqliteRecordingStore.js';
import type { MeetingStore } from './store/types.js';

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
  close(): Promise<void>;
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
  try {
    pool = await WorkerPool.start(
      { workers: config.rtc.workers, listenIp: config.rtc.listenIp, announcedIp: config.rtc.announcedIp, port: config.rtc.port, logLevel: config.rtc.workerLogLevel, receiversPerRouter: config.rtc.receiversPerRouter },
      logger.child({ sub: 'sfu' }),
    );
    const media = new MediaServices(config, recordingStore, logger.child({ sub: 'media' }));
    const rooms = new RoomManager(pool, config.limits, media, logger.child({ sub: 'rooms' }), (meetingId) => roomSettingsOf(store.getMeeting(meetingId)));
    const projectTokens = new ProjectTokens(config.tokenSecret);
    const http = await createHttpApp({ config, store, live: rooms, tokens, logger });
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
    }, { rooms, credentials: config, projectTokens, heartbeatIntervalMs: config.limits.heartbeatIntervalMs, logger });
    const port = (http.server.address() as AddressInfo).port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    media.baseUrl = config.publicUrl ?? `http://${host}:${port}`;
    const poolRef = pool;
    let closing: Promise<void> | undefined;
    return {
      config, url: `http://${host}:${port}`, port, http, rooms, pool, store, media, logger,
      close: () => (closing ??= (async () => {
        signaling.close();
        // Recordings finalise their files before the workers and the store go.
        await rooms.closeAll();
        await http.close();
        poolRef.close();
        store.close();
        recordingStore.close();
      })()),
    };
  } catch (err) {
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
