import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../auth/sigv4.js';
import type { Metrics } from './metrics.js';

export interface HealthSources {
  /** Live mediasoup workers. */
  workers: () => number;
  /** Throws or returns false when the store cannot be read. */
  store: () => boolean;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  workers: number;
  uptime_seconds: number;
  reason?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { workers: { ok: boolean; alive: number }; store: { ok: boolean; error?: string }; draining: boolean };
}

/**
 * What /health and /ready answer. /health: the process serves HTTP and can still carry media
 * (at least one mediasoup worker alive; with none, nothing in the process brings media back, so
 * a supervisor should restart it). /ready: send new rooms here (workers up, store readable, not
 * draining or shutting down).
 */
export class Health {
  readonly #sources: HealthSources | undefined;
  readonly #startedAt = Date.now();
  #draining = false;

  /** Without sources (an HTTP app on its own) it is always healthy and ready. */
  constructor(sources?: HealthSources) {
    this.#sources = sources;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** From now on /ready says no: load balancers stop sending new rooms; live ones carry on. */
  startDraining(): void {
    this.#draining = true;
  }

  liveness(): HealthReport {
    const uptime_seconds = Math.round((Date.now() - this.#startedAt) / 1000);
    if (!this.#sources) return { status: 'ok', workers: 0, uptime_seconds };
    const workers = this.#sources.workers();
    if (workers === 0 && !this.#draining) return { status: 'unhealthy', workers, uptime_seconds, reason: 'no mediasoup worker is alive' };
    return { status: 'ok', workers, uptime_seconds };
  }

  readiness(): ReadinessReport {
    if (!this.#sources) return { ready: !this.#draining, checks: { workers: { ok: true, alive: 0 }, store: { ok: true }, draining: this.#draining } };
    const alive = this.#sources.workers();
    let store: { ok: boolean; error?: string };
    try {
      store = this.#sources.store() ? { ok: true } : { ok: false, error: 'store check failed' };
    } catch (err) {
      store = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const checks = { workers: { ok: alive > 0, alive }, store, draining: this.#draining };
    return { ready: checks.workers.ok && store.ok && !this.#draining, checks };
  }
}

/** GET /health and /ready on the app (no credentials: probes and load balancers call them). */
export function registerHealthRoutes(app: FastifyInstance, health: Health): void {
  app.get('/health', async (_request, reply) => {
    const report = health.liveness();
    return reply.code(report.status === 'ok' ? 200 : 503).header('cache-control', 'no-store').send(report);
  });
  app.get('/ready', async (_request, reply) => {
    const report = health.readiness();
    return reply.code(report.ready ? 200 : 503).header('cache-control', 'no-store').send(report);
  });
}

/** `Authorization: Bearer <token>` when a token is configured. */
function authorized(header: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const [scheme, value = ''] = (header ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && constantTimeEqual(value, token);
}

/** GET /metrics on the main app. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.get('/metrics', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!authorized(request.headers.authorization, token)) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'unauthorized', message: 'metrics need Authorization: Bearer <metrics token>' } });
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(await metrics.text());
  });
}

/**
 * /metrics, /health and /ready on a port of their own (for a Prometheus on an internal network),
 * a plain node:http server. Resolves once it listens.
 */
export async function startMetricsServer(options: { host: string; port: number; metrics: Metrics; health: Health; token?: string | undefined }): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return json(405, { error: { code: 'method_not_allowed', message: 'GET only' } });
    if (path === '/health') {
      const report = options.health.liveness();
      return json(report.status === 'ok' ? 200 : 503, report);
    }
    if (path === '/ready') {
      const report = options.health.readiness();
      return json(report.ready ? 200 : 503, report);
    }
    if (path !== '/metrics') return json(404, { error: { code: 'not_found', message: 'try /metrics' } });
    if (!authorized(req.headers.authorization, options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return json(401, { error: { code: 'unauthorized', message: 'metrics need Authorization: Bearer <metrics token>' } });
    }
    options.metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' }).end(text),
      () => json(500, { error: { code: 'internal', message: 'metrics collection failed' } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
