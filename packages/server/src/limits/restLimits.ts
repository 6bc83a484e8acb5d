import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticatedApiKey } from '../auth/httpAuth.js';
import { RateLimitedError, type RateLimits } from './rateLimits.js';

/** Probes and scrapes are not counted: a flood from a load balancer's address must not fail its health checks. */
const UNCOUNTED = new Set(['/health', '/ready', '/metrics']);

/**
 * REST limits as root hooks, so every API answers a refusal in its own error shape (Chime's
 * ThrottlingException, the native { error: { code: 'rate_limited' } }) with Retry-After:
 * per address on arrival, per API key once a route's preValidation has verified the key.
 */
export function registerRestLimits(app: FastifyInstance, limits: RateLimits): void {
  const withRetryAfter = (reply: FastifyReply, err: unknown): never => {
    if (err instanceof RateLimitedError) reply.header('retry-after', String(err.retryAfterSeconds));
    throw err;
  };
  app.addHook('onRequest', async (request, reply) => {
    const q = request.url.indexOf('?');
    if (UNCOUNTED.has(q < 0 ? request.url : request.url.slice(0, q))) return;
    await limits.takeRestRequest(request.raw).catch((err: unknown) => withRetryAfter(reply, err));
  });
  app.addHook('preHandler', async (request, reply) => {
    const apiKey = authenticatedApiKey(request.raw);
    if (apiKey !== undefined) await limits.takeApiKeyRequest(apiKey).catch((err: unknown) => withRetryAfter(reply, err));
  });
}
