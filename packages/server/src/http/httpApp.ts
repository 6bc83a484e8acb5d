import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { JoinTokens } from '../auth/joinTokens.js';
import type { Config } from '../config/config.js';
import type { RateLimits } from '../limits/rateLimits.js';
import { registerRestLimits } from '../limits/restLimits.js';
import type { Logger } from '../logger.js';
import type { LiveMeetings, MeetingStore } from '../store/types.js';
import { Health, registerHealthRoutes } from '../telemetry/health.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { sendChimeError, toHttpError } from './chimeErrors.js';
import { meetingsRoutes } from './meetingsRoutes.js';

export interface HttpAppDeps {
  config: Config;
  store: MeetingStore;
  live: LiveMeetings;
  tokens: JoinTokens;
  logger: Logger;
  /** What /health and /ready report (default: always healthy and ready). */
  health?: Health | undefined;
  /** Every answered request is reported here (method, route pattern, status, duration). */
  telemetry?: Telemetry | undefined;
  /** Per-address and per-API-key request limits (429 with Retry-After); none when unset. */
  rateLimits?: RateLimits | undefined;
}

/** REST bodies are small JSON documents; a BatchCreateAttendee of 100 users is ~10 KiB. */
export const HTTP_BODY_LIMIT = 64 * 1024;

/**
 * Builds the HTTP app: GET /health and /ready, the Chime-compatible meetings API under /meetings, and an
 * error handler that answers every error in Chime's shape ({ Code, Message } plus
 * x-amzn-ErrorType). Does not listen: the caller adds WebSocket/static routes, then listens.
 */
export async function createHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const logger = deps.logger.child({ sub: 'http' });
  // Widened to Fastify's logger type so the app is a plain FastifyInstance for the caller.
  const loggerInstance: FastifyBaseLogger = logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    // Per-request lines are debug material (logged below), not lifecycle.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: HTTP_BODY_LIMIT,
    genReqId: () => randomUUID(),
    // request.ip is the first X-Forwarded-For address only behind a proxy that sets it.
    trustProxy: deps.config.rateLimits.trustProxy,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-amzn-RequestId', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.debug({ reqId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    // The route's pattern, never the raw URL: one series per route, not per meeting id.
    deps.telemetry?.httpRequest({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
  });
  app.setErrorHandler((err, request, reply) => sendChimeError(request, reply, toHttpError(err, HTTP_BODY_LIMIT), logger));

  if (deps.rateLimits) registerRestLimits(app, deps.rateLimits);
  registerHealthRoutes(app, deps.health ?? new Health());
  await app.register(meetingsRoutes, { config: deps.config, store: deps.store, live: deps.live, tokens: deps.tokens, logger: deps.logger });
  return app;
}
