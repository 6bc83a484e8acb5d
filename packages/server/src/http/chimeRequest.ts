import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';

/** How the Chime-compatible routes read requests: the raw body (signed by SigV4), single query values, list paging. */

const EMPTY = Buffer.alloc(0);

export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : EMPTY;
}

/** One query value; a repeated parameter is refused rather than guessed at. */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || !Object.hasOwn(query, name)) return undefined;
  const value = query[name];
  if (typeof value !== 'string') throw new ParleyError(ErrorCode.BadRequest, `${name}: must be given once`);
  return value;
}

/** Chime's list APIs page with MaxResults (1..100) and an opaque NextToken. */
export const MAX_RESULTS = 100;

export function maxResults(value: string | undefined): number {
  if (value === undefined) return MAX_RESULTS;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_RESULTS) throw new ParleyError(ErrorCode.BadRequest, `MaxResults: must be an integer from 1 to ${MAX_RESULTS}`);
  return n;
}

/** A NextToken is the base64url of the last id returned (the store's cursor). */
export function encodeNextToken(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeNextToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded || decoded.length > 128 || Buffer.from(decoded, 'utf8').toString('base64url') !== token) {
    throw new ParleyError(ErrorCode.BadRequest, 'NextToken: is not valid');
  }
  return decoded;
}
