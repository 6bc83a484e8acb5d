import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { cpus } from 'node:os';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface WorkerPoolOptions {
  workers?: number | undefined;
  listenIp: string;
  announcedIp: string;
  /** First of the ports the pool's WebRtcServers use: worker i listens on port + i (0 = any). */
  port: number;
  logLevel: types.WorkerLogLevel;
  /** Receivers one room puts on a router before it spreads further receivers to another worker. */
  receiversPerRouter?: number | undefined;
  /** Offer ICE-TCP candidates besides UDP (default true). */
  tcp?: boolean | undefined;
}

/** Told of each worker the pool starts and loses (the telemetry sink implements it). */
export interface WorkerWatcher {
  workerStarted(worker: types.Worker): void;
  workerDied(pid: number): void;
}

/** A router on one of the pool's workers, with that worker's WebRtcServer. */
export interface RouterSlot {
  router: types.Router;
  webRtcServer: types.WebRtcServer;
  workerPid: number;
  /** Whether its worker died (set before the router and its transports close). */
  workerDied: () => boolean;
}

interface PooledWorker {
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  port: number;
  /** Its place in the pool: a replacement takes the same index, so the same media port. */
  index: number;
  routers: number;
  /** Its live routers (for the worker-side object counts). */
  live: Set<types.Router>;
}

/**
 * Objects the workers themselves hold (from worker.dump(), webRtcServer.dump() and router.dump(),
 * not Node's bookkeeping), summed over workers: what a leak check compares before and after.
 */
export interface WorkerObjectCounts {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
  rtpObservers: number;
  /** Channel request handlers registered in the workers: one per live object of any kind. */
  channelHandlers: number;
  /** WebRtcServer entries: transports it serves, ICE usernames and 5-tuples it maps to them. */
  webRtcServerTransports: number;
  iceUsernameFragments: number;
  tupleHashes: number;
}

// The dump shapes of mediasoup 3.12 (typed `any` there): the fields the counts read.
interface WorkerDump { routerIds?: unknown; channelMessageHandlers?: { channelRequestHandlers?: unknown } }
interface WebRtcServerDump { webRtcTransportIds?: unknown; localIceUsernameFragments?: unknown; tupleHashes?: unknown }
interface RouterDump { transportIds?: unknown; mapProducerIdConsumerIds?: unknown; mapConsumerIdProducerId?: unknown; rtpObserverIds?: unknown }

/** A dead worker is replaced after these waits (ms), the last repeated, until one starts. */
const REPLACE_DELAYS_MS = [100, 500, 1000, 2000, 5000];

/**
 * mediasoup workers, one per core by default, each with a WebRtcServer so every participant on
 * that worker shares one UDP and one TCP port. Rooms go to the worker with fewest routers.
 * A worker that dies is replaced by a new one on the same port (its rooms hear of the death
 * from their routers and send their members to reconnect).
 */
export class WorkerPool {
  readonly #entries: PooledWorker[] = [];
  readonly #logger: Logger;
  readonly receiversPerRouter: number;
  readonly #watcher: WorkerWatcher | undefined;
  #options: WorkerPoolOptions | undefined;
  #closed = false;

  private constructor(logger: Logger, receiversPerRouter: number, watcher: WorkerWatcher | undefined) {
    this.#logger = logger;
    this.receiversPerRouter = receiversPerRouter;
    this.#watcher = watcher;
  }

  static async start(options: WorkerPoolOptions, logger: Logger, watcher?: WorkerWatcher): Promise<WorkerPool> {
    const pool = new WorkerPool(logger, options.receiversPerRouter ?? 100, watcher);
    const count = options.workers ?? Math.max(1, cpus().length);
    pool.#options = options;
    try {
      for (let i = 0; i < count; i++) await pool.#addWorker(options, i);
    } catch (err) {
      pool.close();
      throw err;
    }
    logger.info({ workers: count, ports: pool.ports }, 'mediasoup workers started');
    return pool;
  }

  async #addWorker(options: WorkerPoolOptions, index: number): Promise<void> {
    const worker = await mediasoup.createWorker({ logLevel: options.logLevel });
    this.#watcher?.workerStarted(worker);
    const port = options.port === 0 ? 0 : options.port + index;
    const listen = (protocol: 'udp' | 'tcp'): types.WebRtcServerListenInfo => ({
      protocol,
      ip: options.listenIp,
      announcedIp: options.announcedIp,
      ...(port ? { port } : {}),
    });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    const entry: PooledWorker = { worker, webRtcServer, port, index, routers: 0, live: new Set() };
    worker.on('died', (err) => {
      // Every room on this worker lost its media; the rooms layer hears it from its routers.
      this.#logger.error({ err, pid: worker.pid }, 'mediasoup worker died');
      const i = this.#entries.indexOf(entry);
      if (i >= 0) this.#entries.splice(i, 1);
      this.#watcher?.workerDied(worker.pid);
      void this.#replace(index);
    });
    if (this.#closed) {
      worker.close();
      return;
    }
    this.#entries.push(entry);
  }

  async #replace(index: number): Promise<void> {
    const options = this.#options;
    for (let attempt = 0; options && !this.#closed; attempt++) {
      await new Promise((r) => setTimeout(r, REPLACE_DELAYS_MS[Math.min(attempt, REPLACE_DELAYS_MS.length - 1)]));
      if (this.#closed) return;
      try {
        await this.#addWorker(options, index);
        this.#logger.info({ index, pids: this.workerPids }, 'mediasoup worker replaced');
        return;
      } catch (err) {
        this.#logger.error({ err, index, attempt }, 'mediasoup worker could not be replaced yet');
      }
    }
  }

  /** Ports each worker's WebRtcServer listens on (for logs and tests). */
  get ports(): number[] {
    return this.#entries.map((e) => e.port);
  }

  get workerPids(): number[] {
    return this.#entries.map((e) => e.worker.pid);
  }

  /** Creates a router on the least-loaded worker. */
  async createRouter(mediaCodecs: types.RtpCodecCapability[]): Promise<RouterSlot> {
    const slot = await this.createRouterAvoiding(mediaCodecs, []);
    // Between a worker's death and its replacement: a clear, retryable error (the SDKs retry joins).
    if (!slot) throw new ParleyError(ErrorCode.MediaError, 'no media server is available right now (a worker is restarting): retry');
    return slot;
  }

  /** Creates a router on the least-loaded worker other than those given (by pid); undefined when there is none. */
  async createRouterAvoiding(mediaCodecs: types.RtpCodecCapability[], excludePids: readonly number[]): Promise<RouterSlot | undefined> {
    if (this.#closed) throw new Error('worker pool is closed');
    const entry = this.#entries.filter((e) => !excludePids.includes(e.worker.pid)).sort((a, b) => a.routers - b.routers)[0];
    if (!entry) return undefined;
    const router = await entry.worker.createRouter({ mediaCodecs });
    entry.routers++;
    entry.live.add(router);
    router.observer.once('close', () => {
      entry.routers--;
      entry.live.delete(router);
    });
    const { worker } = entry;
    return { router, webRtcServer: entry.webRtcServer, workerPid: worker.pid, workerDied: () => worker.died };
  }

  async resourceUsage(): Promise<Array<{ pid: number; usage: types.WorkerResourceUsage }>> {
    return Promise.all(this.#entries.map(async (e) => ({ pid: e.worker.pid, usage: await e.worker.getResourceUsage() })));
  }

  /** Asks every worker what it holds (a few channel requests per router: for scrapes and tests, not hot paths). */
  /** Whether transports offer ICE-TCP candidates besides UDP. */
  get tcp(): boolean {
    return this.#options?.tcp ?? true;
  }

  async objectCounts(): Promise<WorkerObjectCounts> {
    const sum: WorkerObjectCounts = { routers: 0, transports: 0, producers: 0, consumers: 0, rtpObservers: 0, channelHandlers: 0, webRtcServerTransports: 0, iceUsernameFragments: 0, tupleHashes: 0 };
    const len = (x: unknown): number => (Array.isArray(x) ? x.length : x && typeof x === 'object' ? Object.keys(x).length : 0);
    await Promise.all(this.#entries.map(async (e) => {
      const [w, s] = await Promise.all([e.worker.dump(), e.webRtcServer.dump()]) as [WorkerDump, WebRtcServerDump];
      sum.routers += len(w.routerIds);
      sum.channelHandlers += len(w.channelMessageHandlers?.channelRequestHandlers);
      sum.webRtcServerTransports += len(s.webRtcTransportIds);
      sum.iceUsernameFragments += len(s.localIceUsernameFragments);
      sum.tupleHashes += len(s.tupleHashes);
      const routers = await Promise.all([...e.live].map((r) => (r.closed ? undefined : r.dump().catch(() => undefined)) as Promise<RouterDump | undefined>));
      for (const r of routers) {
        if (!r) continue;
        sum.transports += len(r.transportIds);
        sum.producers += len(r.mapProducerIdConsumerIds);
        sum.consumers += len(r.mapConsumerIdProducerId);
        sum.rtpObservers += len(r.rtpObserverIds);
      }
    }));
    return sum;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#entries) e.worker.close();
    this.#entries.length = 0;
  }
}
