import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';

/** An incoming request as it came off the wire (path and query still percent-encoded). */
export interface SigV4Request {
  method: string;
  /** The raw request path, e.g. `/meetings/a%20b/attendees`. */
  rawPath: string;
  /** The raw query string without `?`, e.g. `operation=batch-create`. */
  rawQuery: string;
  /** Lower-case names; repeated headers as arrays (joined with "," as SigV4 requires). */
  headers: Record<string, string | readonly string[] | undefined>;
  body: Uint8Array;
}

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS accepts requests signed up to 15 minutes before or after its own clock. */
export const SIGV4_MAX_SKEW_MS = 15 * 60 * 1000;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function unauthorized(message: string): ParleyError {
  return new ParleyError(ErrorCode.Unauthorized, message);
}

/**
 * Verifies an `Authorization: AWS4-HMAC-SHA256 ...` header. Any region; the service is taken
 * from the credential scope (the Chime SDK signs as "chime"). Throws ParleyError unauthorized.
 */
export function verifySigV4(req: SigV4Request, creds: SigV4Credentials, now: number = Date.now()): void {
  const auth = parseAuthorization(headerValue(req.headers, 'authorization'));
  if (!constantTimeEqual(auth.accessKeyId, creds.accessKeyId)) {
    throw unauthorized('The security token included in the request is invalid.');
  }

  const signed = new Set(auth.signedHeaders);
  if (!signed.has('host')) throw unauthorized('SignedHeaders must include host.');
  const amzDate = headerValue(req.headers, 'x-amz-date');
  const longDate = amzDate ?? toLongDate(headerValue(req.headers, 'date'));
  if (!longDate) throw unauthorized('Request must carry an X-Amz-Date header.');
  if (!signed.has(amzDate !== undefined ? 'x-amz-date' : 'date')) {
    throw unauthorized('SignedHeaders must include the request date header.');
  }
  const requestTime = parseLongDate(longDate);
  if (requestTime === undefined) throw unauthorized('X-Amz-Date is not a valid date (expected YYYYMMDDTHHMMSSZ).');
  if (Math.abs(now - requestTime) > SIGV4_MAX_SKEW_MS) {
    throw unauthorized('Signature expired: the request time is more than 15 minutes away from the server time.');
  }
  if (longDate.slice(0, 8) !== auth.date) {
    throw unauthorized('Credential scope date does not match X-Amz-Date.');
  }

  const payloadHash = payloadHashOf(req);
  const canonicalHeaders: string[] = [];
  for (const name of auth.signedHeaders) {
    const value = headerValue(req.headers, name);
    if (value === undefined) throw unauthorized(`Signed header "${name}" is missing from the request.`);
    canonicalHeaders.push(`${name}:${canonicalHeaderValue(value)}\n`);
  }
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(req.rawPath),
    canonicalQuery(req.rawQuery),
    canonicalHeaders.join(''),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');

  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, longDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(creds.secretAccessKey, auth.date, auth.region, auth.service);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  if (!constantTimeEqual(expected, auth.signature)) {
    throw unauthorized('The request signature we calculated does not match the signature you provided.');
  }
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  let key: Buffer = Buffer.from(`AWS4${secret}`, 'utf8');
  for (const part of [date, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part, 'utf8').digest();
  return key;
}

function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header || !header.startsWith(`${SIGV4_ALGORITHM} `)) throw unauthorized(`Authorization must use ${SIGV4_ALGORITHM}.`);
  const fields = new Map<string, string>();
  for (const part of header.slice(SIGV4_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw unauthorized('Authorization header requires Credential, SignedHeaders and Signature.');
  }
  // The access key id may not contain "/", so the last four parts are the scope.
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1] ?? '')) {
    throw unauthorized('Credential must be <AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request.');
  }
  const [accessKeyId = '', date = '', region = '', service = ''] = parts;
  if (!region || !service) throw unauthorized('Credential scope is missing its region or service.');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw unauthorized('Signature must be 64 lower-case hex characters.');
  const names = signedHeaders.split(';');
  if (names.some((n) => n === '' || n !== n.toLowerCase())) throw unauthorized('SignedHeaders must be lower-case names separated by ";".');
  return { accessKeyId, date, region, service, signedHeaders: names, signature };
}

/**
 * The payload hash the client signed. x-amz-content-sha256, when present, must match the body:
 * otherwise a captured signature could be replayed with another body. UNSIGNED-PAYLOAD is refused.
 */
function payloadHashOf(req: SigV4Request): string {
  const actual = req.body.byteLength === 0 ? EMPTY_SHA256 : createHash('sha256').update(req.body).digest('hex');
  const declared = headerValue(req.headers, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== actual) {
    throw unauthorized('x-amz-content-sha256 does not match the request body (UNSIGNED-PAYLOAD is not accepted).');
  }
  return actual;
}

/**
 * What the AWS SDK signs for non-S3 services: the wire path (already percent-encoded), with
 * empty, "." and ".." segments normalised away, percent-encoded once more ("%20" -> "%2520").
 */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${trailing}`;
  return uriEscape(normalized).replace(/%2F/g, '/');
}

/** Query parameters decoded, re-encoded with RFC 3986 rules and sorted by key, then value. */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = uriEscape(safeDecode(eq < 0 ? part : part.slice(0, eq)));
    const value = eq < 0 ? '' : uriEscape(safeDecode(part.slice(eq + 1)));
    if (key.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([key, value]);
  }
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** encodeURIComponent plus the characters it leaves alone that RFC 3986 reserves. */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw unauthorized('Query string is not valid percent-encoding.');
  }
}

/** As the SDK canonicalises: newlines to spaces, runs of blanks collapsed, ends trimmed. */
function canonicalHeaderValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

function headerValue(headers: SigV4Request['headers'], name: string): string | undefined {
  // Names come from the client's SignedHeaders: never read inherited properties such as __proto__.
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}

function parseLongDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(t) ? undefined : t;
}

/** Falls back to an RFC 7231 Date header, as SigV4 allows. */
function toLongDate(httpDate: string | undefined): string | undefined {
  if (!httpDate) return undefined;
  const t = Date.parse(httpDate);
  if (Number.isNaN(t)) return undefined;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares digests so neither content nor length leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
