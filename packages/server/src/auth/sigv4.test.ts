import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import { canonicalPath, canonicalQuery, verifySigV4, type SigV4Request } from './sigv4.js';

const creds = { accessKeyId: 'parley-key', secretAccessKey: 'parley-secret-0123456789' };
const NOW = Date.UTC(2025, 4, 6, 12, 0, 0);

/** node:crypto in the shape the SDK signer wants (the SDK's own signer signs the test requests). */
class NodeSha256 {
  readonly #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

interface Unsigned {
  method: string;
  /** Wire path, already percent-encoded the way the SDK's serializer encodes labels. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

async function sdkSign(req: Unsigned, options: { region?: string; service?: string; secret?: string; at?: number } = {}): Promise<SigV4Request> {
  const signer = new SignatureV4({
    service: options.service ?? 'chime',
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: options.secret ?? creds.secretAccessKey },
    sha256: NodeSha256,
  });
  const headers: Record<string, string> = { host: '127.0.0.1:8080', ...req.headers };
  if (req.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(req.body));
  }
  const signed = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: '127.0.0.1', port: 8080, path: req.path, query: req.query ?? {}, headers, body: req.body },
    { signingDate: new Date(options.at ?? NOW) },
  );
  const wireHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) wireHeaders[k.toLowerCase()] = v;
  const rawQuery = Object.entries(req.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return { method: req.method, rawPath: req.path, rawQuery, headers: wireHeaders, body: Buffer.from(req.body ?? '') };
}

function expectUnauthorized(fn: () => void, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe(ErrorCode.Unauthorized);
    expect((err as ParleyError).status).toBe(401);
    if (message) expect((err as ParleyError).message).toMatch(message);
    return;
  }
  throw new Error('expected verifySigV4 to throw');
}

describe('verifySigV4', () => {
  it('accepts the AWS test-suite "get-vanilla" request', () => {
    const req: SigV4Request = {
      method: 'GET',
      rawPath: '/',
      rawQuery: '',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: new Uint8Array(),
    };
    const at = Date.UTC(2015, 7, 30, 12, 36, 0);
    expect(() => verifySigV4(req, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, at)).not.toThrow();
  });

  it('accepts what the AWS SDK signer produces for a JSON POST with an operation query', async () => {
    const req = await sdkSign({
      method: 'POST',
      path: '/meetings/6a1f2a4e-0000-4000-8000-000000000001/attendees',
      query: { operation: 'batch-create' },
      body: JSON.stringify({ Attendees: [{ ExternalUserId: 'alice' }] }),
    });
    expect(() => verifySigV4(req, creds, NOW)).not.toThrow();
  });

  it('accepts double-encoded path segments exactly as the SDK signs them', async () => {
    // The SDK puts "a b/c" on the wire as a%20b%2Fc and signs /meetings/a%2520b%252Fc.
    const wire = `/meetings/${encodeURIComponent("a b/c(1)!")}/attendees/${encodeURIComponent('x*y')}`;
    const req = await sdkSign({ method: 'DELETE', path: wire });
    expect(() => verifySigV4(req, creds, NOW)).not.toThrow();
  });

  it('accepts any region and the service named in the credential scope', async () => {
    const req = await sdkSign({ method: 'GET', path: '/meetings/m1' }, { region: 'eu-central-1', service: 'chime-sdk-meetings' });
    expect(() => verifySigV4(req, creds, NOW)).not.toThrow();
  });

  it('accepts a query with several keys and encoded values', async () => {
    const req = await sdkSign({ method: 'GET', path: '/meetings/m1/attendees', query: { 'next-token': 'YWJj+/=', 'max-results': '2' } });
    expect(() => verifySigV4(req, creds, NOW)).not.toThrow();
  });

  it('accepts an x-amz-content-sha256 header that matches the body', async () => {
    const body = '{"ExternalUserId":"alice"}';
    const hash = createHash('sha256').update(body).digest('hex');
    const req = await sdkSign({ method: 'POST', path: '/meetings/m1/attendees', body, headers: { 'x-amz-content-sha256': hash } });
    expect(() => verifySigV4(req, creds, NOW)).not.toThrow();
  });

  it('refuses a wrong secret and a wrong access key id', async () => {
    const req = await sdkSign({ method: 'GET', path: '/meetings/m1' }, { secret: 'not-the-secret-at-all' });
    expectUnauthorized(() => verifySigV4(req, creds, NOW), /signature we calculated does not match/);
    const ok = await sdkSign({ method: 'GET', path: '/meetings/m1' });
    expectUnauthorized(() => verifySigV4(ok, { ...creds, accessKeyId: 'other-key' }, NOW), /security token/);
  });

  it('refuses a request whose body, path, query, method or signed header was changed', async () => {
    const req = await sdkSign({ method: 'POST', path: '/meetings/m1/attendees', query: { operation: 'batch-create' }, body: '{"Attendees":[]}' });
    expect(() => verifySigV4(req, creds, NOW)).not.toThrow();
    expectUnauthorized(() => verifySigV4({ ...req, body: Buffer.from('{"Attendees":[{}]}') }, creds, NOW));
    expectUnauthorized(() => verifySigV4({ ...req, rawPath: '/meetings/m2/attendees' }, creds, NOW));
    expectUnauthorized(() => verifySigV4({ ...req, rawQuery: 'operation=batch-delete' }, creds, NOW));
    expectUnauthorized(() => verifySigV4({ ...req, method: 'PUT' }, creds, NOW));
    expectUnauthorized(() => verifySigV4({ ...req, headers: { ...req.headers, host: 'evil.example' } }, creds, NOW));
  });

  it('allows 15 minutes of clock skew either way and no more', async () => {
    const req = await sdkSign({ method: 'GET', path: '/meetings/m1' });
    expect(() => verifySigV4(req, creds, NOW + 14 * 60_000)).not.toThrow();
    expect(() => verifySigV4(req, creds, NOW - 14 * 60_000)).not.toThrow();
    expectUnauthorized(() => verifySigV4(req, creds, NOW + 16 * 60_000), /expired/);
    expectUnauthorized(() => verifySigV4(req, creds, NOW - 16 * 60_000), /expired/);
  });

  it('refuses an x-amz-content-sha256 that does not match the body, and UNSIGNED-PAYLOAD', async () => {
    const wrong = await sdkSign({ method: 'POST', path: '/meetings', body: '{}', headers: { 'x-amz-content-sha256': 'a'.repeat(64) } });
    expectUnauthorized(() => verifySigV4(wrong, creds, NOW), /x-amz-content-sha256/);
    const unsigned = await sdkSign({ method: 'POST', path: '/meetings', body: '{}', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    expectUnauthorized(() => verifySigV4(unsigned, creds, NOW), /UNSIGNED-PAYLOAD/);
  });

  it('refuses malformed Authorization headers with a clear message', async () => {
    const req = await sdkSign({ method: 'GET', path: '/meetings/m1' });
    const withAuth = (authorization: string): SigV4Request => ({ ...req, headers: { ...req.headers, authorization } });
    expectUnauthorized(() => verifySigV4(withAuth('AWS4-HMAC-SHA256 garbage'), creds, NOW), /Credential, SignedHeaders and Signature/);
    expectUnauthorized(
      () => verifySigV4(withAuth(`AWS4-HMAC-SHA256 Credential=parley-key/2025/us-east-1/chime, SignedHeaders=host, Signature=${'0'.repeat(64)}`), creds, NOW),
      /Credential must be/,
    );
    expectUnauthorized(
      () => verifySigV4(withAuth(`AWS4-HMAC-SHA256 Credential=parley-key/20250506/us-east-1/chime/aws4_request, SignedHeaders=x-amz-date, Signature=${'0'.repeat(64)}`), creds, NOW),
      /include host/,
    );
    expectUnauthorized(
      () => verifySigV4(withAuth(`AWS4-HMAC-SHA256 Credential=parley-key/20250506/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=xyz`), creds, NOW),
      /64 lower-case hex/,
    );
    expectUnauthorized(
      () =>
        verifySigV4(
          withAuth(`AWS4-HMAC-SHA256 Credential=parley-key/20250506/us-east-1/chime/aws4_request, SignedHeaders=__proto__;host;x-amz-date, Signature=${'0'.repeat(64)}`),
          creds,
          NOW,
        ),
      /__proto__/,
    );
  });

  it('refuses a credential scope dated another day than X-Amz-Date', async () => {
    const req = await sdkSign({ method: 'GET', path: '/meetings/m1' });
    const auth = String(req.headers.authorization).replace('/20250506/', '/20250505/');
    expectUnauthorized(() => verifySigV4({ ...req, headers: { ...req.headers, authorization: auth } }, creds, NOW), /scope date/);
  });
});

describe('canonical forms', () => {
  it('normalises and double-encodes the path', () => {
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('/meetings/a%20b/./c/../d')).toBe('/meetings/a%2520b/d');
    expect(canonicalPath('//meetings//x/')).toBe('/meetings/x/');
    expect(canonicalPath('/a%2Fb')).toBe('/a%252Fb');
  });

  it('sorts the query by key then value and re-encodes it', () => {
    expect(canonicalQuery('')).toBe('');
    expect(canonicalQuery('b=2&a=1&a=0&c')).toBe('a=0&a=1&b=2&c=');
    expect(canonicalQuery('k=a+b&s=%7E*')).toBe('k=a%2Bb&s=~%2A');
  });
});
