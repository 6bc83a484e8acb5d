import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { cpus } from 'node:os';
import type { Logger } from '../logger.js';

export interface WorkerPoolOptions {
  workers?: number | undefined;
  listenIp: string;
  announcedIp: string;
  /** First of the ports the pool's WebRtcServers use: worker i listens on port + i (0 = any). */
  port: number;
  logLevel: types.WorkerLogLevel;
}

interface PooledWorker {
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  port: number;
  routers: number;
}

/**
 * mediasoup workers, one per core by default, each with a WebRtcServer so every participant on
 * that worker shares one UDP and one TCP port. Rooms go to the worker with fewest routers.
 */
export class WorkerPool {
  readonly #entries: PooledWorker[] = [];
  readonly #logger: Logger;
  #closed = false;

  private constructor(logger: Logger) {
    this.#logger = logger;
  }

  static async start(options: WorkerPoolOptions, logger: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(logger);
    const count = options.workers ?? Math.max(1, cpus().length);
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
    const port = options.port === 0 ? 0 : options.port + index;
    const listen = (protocol: 'udp' | 'tcp'): types.WebRtcServerListenInfo => ({
      protocol,
      ip: options.listenIp,
      announcedIp: options.announcedIp,
      ...(port ? { port } : {}),
    });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    const entry: PooledWorker = { worker, webRtcServer, port, routers: 0 };
    worker.on('died', (err) => {
      // Every room on this worker lost its media; the rooms layer hears it from router close.
      this.#logger.error({ err, pid: worker.pid }, 'mediasoup worker died');
      const i = this.#entries.indexOf(entry);
      if (i >= 0) this.#entries.splice(i, 1);
    });
    this.#entries.push(entry);
  }

  /** Ports each worker's WebRtcServer listens on (for logs and tests). */
  get ports(): number[] {
    return this.#entries.map((e) => e.port);
  }

  get workerPids(): number[] {
    return this.#entries.map((e) => e.worker.pid);
  }

  /** Creates a router on the least-loaded worker. */
  async createRouter(mediaCodecs: types.RtpCodecCapability[]): Promise<{ router: types.Router; webRtcServer: types.WebRtcServer }> {
    if (this.#closed) throw new Error('worker pool is closed');
    const entry = [...this.#entries].sort((a, b) => a.routers - b.routers)[0];
    if (!entry) throw new Error('no mediasoup worker is alive');
    const router = await entry.worker.createRouter({ mediaCodecs });
    entry.routers++;
    router.observer.once('close', () => entry.routers--);
    return { router, webRtcServer: entry.webRtcServer };
  }

  async resourceUsage(): Promise<Array<{ pid: number; usage: types.WorkerResourceUsage }>> {
    return Promise.all(this.#entries.map(async (e) => ({ pid: e.worker.pid, usage: await e.worker.getResourceUsage() })));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#entries) e.worker.close();
    this.#entries.length = 0;
  }
}
