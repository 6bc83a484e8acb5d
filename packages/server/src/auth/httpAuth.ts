import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import { constantTimeEqual, SIGV4_ALGORITHM, verifySigV4, type SigV4Request } from './sigv4.js';

/** The server's API key pair (config.apiKey / config.apiSecret). */
export interface ApiCredentials {
  apiKey: string;
  apiSecret: string;
}

export type AuthScheme = 'sigv4' | 'basic' | 'bearer';

const HOW = 'use AWS SigV4 (access key id = API key, secret = API secret), Basic <apiKey:apiSecret> or Bearer <apiSecret>';

/**
 * Authenticates a REST request with one of:
 *  - `Authorization: AWS4-HMAC-SHA256 ...` signed with apiKey/apiSecret (what the AWS SDK sends);
 *  - `Authorization: Basic base64(apiKey:apiSecret)`;
 *  - `Authorization: Bearer <apiSecret>` (the secret alone: simplest for curl and scripts).
 * Throws ParleyError unauthorized; returns the scheme that matched.
 */
export function authenticate(request: SigV4Request, credentials: ApiCredentials, now: number = Date.now()): AuthScheme {
  const header = request.headers.authorization;
  const value = typeof header === 'string' ? header.trim() : undefined;
  if (!value) throw new ParleyError(ErrorCode.Unauthorized, `Missing Authorization header: ${HOW}.`);

  if (value.startsWith(`${SIGV4_ALGORITHM} `)) {
    verifySigV4(request, { accessKeyId: credentials.apiKey, secretAccessKey: credentials.apiSecret }, now);
    return 'sigv4';
  }
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const param = space < 0 ? '' : value.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(param, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const key = colon < 0 ? decoded : decoded.slice(0, colon);
    const secret = colon < 0 ? '' : decoded.slice(colon + 1);
    // Both compared every time so timing does not tell which one was wrong.
    const keyOk = constantTimeEqual(key, credentials.apiKey);
    const secretOk = constantTimeEqual(secret, credentials.apiSecret);
    if (!(keyOk && secretOk)) throw new ParleyError(ErrorCode.Unauthorized, 'Invalid API key or secret.');
    return 'basic';
  }
  if (scheme === 'bearer') {
    if (!constantTimeEqual(param, credentials.apiSecret)) throw new ParleyError(ErrorCode.Unauthorized, 'Invalid bearer token.');
    return 'bearer';
  }
  throw new ParleyError(ErrorCode.Unauthorized, `Unsupported Authorization scheme: ${HOW}.`);
}

/** Requests whose credentials were verified, with the API key they used (the per-key rate limit reads it). */
const authenticatedKeys = new WeakMap<IncomingMessage, string>();

/** authenticate() on a received request; remembers the key for authenticatedApiKey(). */
export function authenticateHttp(raw: IncomingMessage, body: Uint8Array, credentials: ApiCredentials, now: number = Date.now()): AuthScheme {
  const scheme = authenticate(authRequestFrom(raw, body), credentials, now);
  authenticatedKeys.set(raw, credentials.apiKey);
  return scheme;
}

/** The API key a request was authenticated with by authenticateHttp, if it was. */
export function authenticatedApiKey(raw: IncomingMessage): string | undefined {
  return authenticatedKeys.get(raw);
}

/**
 * The request as received, for SigV4: raw path and query from the request line, headers from
 * rawHeaders (Node drops or merges some duplicates in `headers`; SigV4 joins them with ",").
 */
export function authRequestFrom(raw: IncomingMessage, body: Uint8Array): SigV4Request {
  const url = raw.url ?? '/';
  const q = url.indexOf('?');
  const headers: Record<string, string[]> = Object.create(null);
  for (let i = 0; i + 1 < raw.rawHeaders.length; i += 2) {
    const name = (raw.rawHeaders[i] ?? '').toLowerCase();
    (headers[name] ??= []).push(raw.rawHeaders[i + 1] ?? '');
  }
  // Null prototype: a client may send a header named __proto__.
  const flat: Record<string, string | readonly string[]> = Object.create(null);
  for (const [name, values] of Object.entries(headers)) flat[name] = values.length === 1 ? (values[0] ?? '') : values;
  return {
    method: raw.method ?? 'GET',
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers: flat,
    body,
  };
}
