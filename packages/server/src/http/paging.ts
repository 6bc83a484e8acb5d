import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';

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
