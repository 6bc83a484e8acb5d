import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { getOnce } from '../soak/serverSample.js';
import { Fuzzer } from './fuzzer.js';

/** The server a REST fuzz is aimed at, with the API key pair and some live ids to hit real objects. */
export interface RestFuzzTarget {
  host: string;
  port: number;
  apiKey: string;
  apiSecret: string;
  /** Meeting ids, attendee ids, room names, recording ids... that exist: mutations pick among them. */
  ids: string[];
}

/** One generated request as it goes on the wire (path and query already encoded, or not). */
export interface RestCase {
  kind: 'http' | 'raw';
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** kind 'raw': the bytes written to a fresh socket instead (malformed request lines, lying lengths). */
  raw?: Buffer;
}

export interface RestFuzzResult {
  sent: number;
  seconds: number;
  byStatus: Record<string, number>;
  /** Error codes from the bodies: Chime's `Code` or the native `error.code`. */
  byCode: Record<string, number>;
  /** Answers with status 500 or above, by status + code, with a few examples. */
  serverErrors: Array<{ status: number; code: string; method: string; path: string; contentType: string; auth: string; body: string }>;
  /** Requests with no HTTP answer (connection reset or closed): what a server that refuses a malformed request may do. */
  noAnswer: number;
  /** Of those, the ones written raw to a socket (a server may close on a malformed request line without a word). */
  noAnswerRaw: number;
  /** HTTP requests whose pooled connection failed and that were sent again on a fresh one. */
  resent: number;
  /** What the first requests with no answer were (method and the start of the path; RAW: written to a socket). */
  noAnswerSamples: string[];
  /** Health checks between batches that did not answer 200. */
  unhealthy: number;
}

/** node:crypto in the shape the AWS SDK's signer wants (the SDK itself signs the valid requests). */
class NodeSha256 {
  readonly #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const ROUTES = [
  '/meetings', '/meetings/{id}', '/meetings/{id}/attendees', '/meetings/{id}/attendees/{id}', '/meetings/{id}/attendees?operation=batch-create',
  '/meetings?operation=create-attendees', '/meetings/{id}/tags', '/api/rooms', '/api/rooms/{id}', '/api/room_sessions', '/api/room_tokens', '/api/project_tokens',
  '/api/recordings', '/api/recordings/{id}', '/api/recordings/{id}/download?file={id}', '/api/recordings?room_id={id}', '/api/room_sessions/{id}/recordings',
  '/api/previews/{id}/{id}', '/api/realtime', '/sdk-media-capture-pipelines', '/sdk-media-capture-pipelines/{id}', '/sdk-media-pipelines', '/sdk-media-pipelines/{id}',
  '/demo/join', '/demo/meetings/{id}/recordings', '/demo/meetings/{id}/recordings/{id}/stop', '/demo/meetings/{id}/streams',
  '/demo/meetings/{id}/streams/{id}/stop', '/demo/recordings/{id}/download?token={id}', '/health', '/ready', '/metrics', '/signaling',
  '/sdk/parley-client.js', '/', '/favicon.ico', '/rooms', '/recordings',
];
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'];
const PATH_NOISE = ['..', '.', '%2e%2e', '%2F', '%00', '%ZZ', '%', '%C0%AE', '%E2%80%AE', '~', '__proto__', 'constructor', '%F0%9F%8E%A5', ';', '%3B', '%20'];

/**
 * Seeded REST requests: every route (and none), every method, with bodies shaped like the real
 * ones then mutated (Fuzzer.randomValue), broken JSON, oversized bodies, odd content types, and
 * credentials in each scheme: valid SigV4 signed by the AWS SDK's own signer, SigV4 with one field
 * broken after signing, Basic, Bearer, garbage. A few are written raw to a socket (bad request
 * lines, header floods, a Content-Length that lies).
 */
export class RestFuzzer {
  readonly #f: Fuzzer;
  readonly #target: RestFuzzTarget;
  readonly #signer: SignatureV4;

  constructor(seed: number, target: RestFuzzTarget) {
    this.#f = new Fuzzer(seed);
    this.#target = target;
    this.#signer = new SignatureV4({ service: 'chime', region: 'us-east-1', credentials: { accessKeyId: target.apiKey, secretAccessKey: target.apiSecret }, sha256: NodeSha256 });
  }

  #id(): string {
    const f = this.#f;
    return f.next() < 0.6 && this.#target.ids.length ? enc(f.pick(this.#target.ids)) : f.pick(['', 'x', 'nope', '0', 'a'.repeat(f.int(3000)), enc(f.randomString(f.int(30))), f.pick(PATH_NOISE)]);
  }

  #path(): string {
    const f = this.#f;
    let path = f.next() < 0.9 ? f.pick(ROUTES).replace(/\{id\}/g, () => this.#id()) : `/${enc(f.randomString(f.int(40)))}`;
    switch (f.int(8)) {
      case 0: path = path.replace(/\//g, () => (f.next() < 0.3 ? '//' : '/')); break;
      case 1: path += `/${f.pick(PATH_NOISE)}`; break;
      case 2: path = `/${f.pick(PATH_NOISE)}${path}`; break;
      case 3: path += `${path.includes('?') ? '&' : '?'}${enc(f.randomString(f.int(10)))}=${enc(f.randomString(f.int(30)))}`; break;
      case 4: path += `${path.includes('?') ? '&' : '?'}operation=${f.pick(['batch-create', 'create-attendees', '', 'x', 'batch-create&operation=batch-create'])}`; break;
      case 5: path += `?${'a=1&'.repeat(f.int(500))}`; break;
      default: break;
    }
    // http.request refuses control characters and spaces in a path: what is left is still hostile.
    return path.replace(/[^\u0021-\u00ff]/g, (c) => enc(c));
  }

  #template(): unknown {
    const f = this.#f;
    const id = () => decodeURIComponentSafe(this.#id());
    return f.pick<() => unknown>([
      () => ({ ClientRequestToken: f.randomString(1 + f.int(60)), ExternalMeetingId: f.randomString(f.int(70)), MediaRegion: f.pick(['us-east-1', '', 'xx']), MeetingFeatures: { Audio: { EchoReduction: f.pick(['AVAILABLE', 'UNAVAILABLE', 'x']) } }, Tags: [{ Key: 'k', Value: 'v' }] }),
      () => ({ ExternalUserId: f.randomString(f.int(70)), Capabilities: { Audio: f.pick(['SendReceive', 'None', 'x']), Video: 'SendReceive', Content: 'Receive' } }),
      () => ({ Attendees: Array.from({ length: f.int(120) }, () => ({ ExternalUserId: f.randomString(2 + f.int(10)) })) }),
      () => ({ ClientRequestToken: f.randomString(10), Attendees: [{ ExternalUserId: f.randomString(8) }] }),
      () => ({ name: f.randomString(f.int(110)), display_name: f.randomString(f.int(210)), layout: f.pick(['grid-responsive', 'x']), meta: { a: f.randomValue() } }),
      () => ({ room_name: id(), user_name: f.randomString(f.int(110)), permissions: [f.pick(['room.self.audio_mute', 'room.recording', 'x'])], join_as: f.pick(['member', 'audience', 'x']) }),
      () => ({ permissions: [f.pick(['room.list_available', 'x'])], ttl_seconds: f.pick([1, 3600, -1, 1e12]) }),
      () => ({ SourceType: 'ChimeSdkMeeting', SourceArn: `arn:aws:chime::123456789012:meeting:${id()}`, SinkType: 'S3Bucket', SinkArn: `arn:aws:s3:::${f.randomString(10)}` }),
      () => ({ meeting: id(), name: f.randomString(f.int(80)), hostKey: f.randomString(f.int(40)) }),
      () => ({ url: f.pick(['rtmp://127.0.0.1:1/live/x', 'http://x', f.randomString(30)]) }),
    ])();
  }

  #body(): Buffer {
    const f = this.#f;
    switch (f.int(10)) {
      case 0: return Buffer.alloc(0);
      case 1: return Buffer.from(f.randomString(f.int(300)));
      case 2: return Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
      case 3: return Buffer.from(JSON.stringify({ x: 'y'.repeat(64 * 1024 + f.int(10_000)) }));
      case 4: return Buffer.from(Array.from({ length: f.int(400) }, () => f.int(256)));
      case 5: return Buffer.from(JSON.stringify(f.randomValue()));
      default: {
        const body = this.#template() as Record<string, unknown>;
        const keys = Object.keys(body);
        for (let i = f.int(3); i > 0; i--) {
          if (f.next() < 0.5 && keys.length) body[f.pick(keys)] = f.randomValue();
          else body[f.pick(['__proto__', 'constructor', f.randomString(5)])] = f.randomValue();
        }
        const text = JSON.stringify(body);
        return Buffer.from(f.next() < 0.1 ? text.slice(0, f.int(text.length)) : text);
      }
    }
  }

  async next(): Promise<RestCase> {
    const f = this.#f;
    if (f.next() < 0.03) return this.#raw();
    const method = f.next() < 0.95 ? f.pick(METHODS) : f.randomString(1 + f.int(8)).replace(/[^A-Za-z]/g, 'X') || 'X';
    const path = this.#path();
    const body = method === 'GET' || method === 'HEAD' ? (f.next() < 0.1 ? this.#body() : Buffer.alloc(0)) : this.#body();
    const headers: Record<string, string | string[]> = {};
    const ct = f.pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/x-amz-json-1.1', '']);
    if (ct) headers['content-type'] = ct;
    for (let i = f.int(3); i > 0; i--) headers[`x-${f.randomString(6).replace(/[^a-z0-9]/gi, 'a').toLowerCase()}`] = f.randomString(f.int(100)).replace(/[^\u0020-\u007e]/g, '?');
    if (f.next() < 0.05) headers['x-forwarded-for'] = f.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1', '']);
    if (f.next() < 0.05) headers['x-amz-content-sha256'] = f.pick(['UNSIGNED-PAYLOAD', '0'.repeat(64), 'x']);
    await this.#auth(method, path, headers, body);
    return { kind: 'http', method, path, headers, body };
  }

  async #auth(method: string, path: string, headers: Record<string, string | string[]>, body: Buffer): Promise<void> {
    const f = this.#f;
    const { apiKey, apiSecret } = this.#target;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    switch (f.int(8)) {
      case 0: return;
      case 1: headers.authorization = `Basic ${b64(`${apiKey}:${apiSecret}`)}`; return;
      case 2: headers.authorization = f.pick([`Basic ${b64(`${apiKey}:wrong`)}`, `Basic ${b64(apiKey)}`, 'Basic ', 'Basic !!!', `Bearer ${apiSecret}x`, 'Bearer', `bearer ${apiSecret}`, 'Digest x', f.randomString(40).replace(/[^\u0020-\u007e]/g, '?')]); return;
      case 3: headers.authorization = `Bearer ${apiSecret}`; return;
      default: {
        // SigV4 from the AWS SDK's signer over what goes on the wire, then (most times) one thing broken.
        const q = path.indexOf('?');
        const query: Record<string, string> = {};
        for (const part of (q < 0 ? '' : path.slice(q + 1)).split('&')) {
          if (!part) continue;
          const eq = part.indexOf('=');
          query[decodeURIComponentSafe(eq < 0 ? part : part.slice(0, eq))] = decodeURIComponentSafe(eq < 0 ? '' : part.slice(eq + 1));
        }
        const at = f.next() < 0.1 ? Date.now() + f.pick([-1, 1]) * (16 * 60_000 + f.int(1e9)) : Date.now();
        const toSign: Record<string, string> = { host: `${this.#target.host}:${this.#target.port}` };
        for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') toSign[k] = v;
        toSign['content-length'] = String(body.length);
        let signed: Record<string, string>;
        try {
          const r = await this.#signer.sign({ method, protocol: 'http:', hostname: this.#target.host, port: this.#target.port, path: q < 0 ? path : path.slice(0, q), query, headers: toSign, body }, { signingDate: new Date(at) });
          signed = r.headers;
        } catch {
          headers.authorization = 'AWS4-HMAC-SHA256 Credential=x';
          return;
        }
        for (const [k, v] of Object.entries(signed)) if (k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length') headers[k.toLowerCase()] = v;
        const auth = headers.authorization as string;
        switch (f.int(10)) {
          case 0: headers.authorization = auth.replace(/Signature=([0-9a-f])/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`); break;
          case 1: headers.authorization = auth.replace(/Credential=[^/]+/, `Credential=${f.randomString(8).replace(/[^A-Za-z]/g, 'k')}`); break;
          case 2: headers.authorization = auth.replace(/SignedHeaders=[^,]+/, f.pick(['SignedHeaders=', 'SignedHeaders=HOST', 'SignedHeaders=x-amz-date', 'SignedHeaders=host;;x', 'SignedHeaders=__proto__;host;x-amz-date'])); break;
          case 3: headers['x-amz-date'] = f.pick(['20250101T000000Z', 'yesterday', '99999999T999999Z', '']); break;
          case 4: headers.authorization = auth.replace(/\/us-east-1\/chime\//, f.pick(['//chime/', '/us-east-1//', '/a/b/c/'])); break;
          case 5: headers.authorization = `${auth}, Signature=${'a'.repeat(64)}`; break;
          case 6: headers.authorization = auth.slice(0, f.int(auth.length)); break;
          default: break; // valid: the request reaches the handler
        }
      }
    }
  }

  #raw(): RestCase {
    const f = this.#f;
    const host = `host: ${this.#target.host}\r\n`;
    const raw = f.pick<() => Buffer>([
      () => Buffer.from(Array.from({ length: f.int(600) }, () => f.int(256))),
      () => Buffer.from(`POST /meetings HTTP/1.1\r\n${host}content-type: application/json\r\ncontent-length: ${1000 + f.int(5000)}\r\n\r\n{"a":`),
      () => Buffer.from(`GET /${'a'.repeat(20_000 + f.int(80_000))} HTTP/1.1\r\n${host}\r\n`),
      () => Buffer.from(`GET /health HTTP/1.1\r\n${host}${Array.from({ length: 200 + f.int(2000) }, (_, i) => `x-h${i}: ${'v'.repeat(f.int(100))}\r\n`).join('')}\r\n`),
      () => Buffer.from(`POST /meetings HTTP/1.1\r\n${host}transfer-encoding: chunked\r\ncontent-length: 5\r\n\r\nzz\r\n`),
      () => Buffer.from(`GET /meetings HTTP/9.9\r\n${host}\r\n`),
      () => Buffer.from(`${f.randomString(10)} / HTTP/1.1\r\n\r\n`),
      () => Buffer.from(`GET /health HTTP/1.1\r\n${host}authorization: Basic\u0000\u0001\r\n\r\n`),
      () => Buffer.from(`POST /meetings HTTP/1.1\r\n${host}transfer-encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\n${'a'.repeat(100)}`),
    ])();
    return { kind: 'raw', method: 'RAW', path: '-', headers: {}, body: Buffer.alloc(0), raw };
  }
}

/** encodeURIComponent, with the random strings' lone surrogates (which it refuses) replaced first. */
function enc(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface Answer { status: number; code: string }

function codeOf(text: string): string {
  try {
    const j = JSON.parse(text) as { Code?: unknown; error?: { code?: unknown } } | null;
    if (typeof j?.Code === 'string') return j.Code;
    if (typeof j?.error?.code === 'string') return j.error.code;
  } catch {
    // not JSON: a static file, /metrics text, an empty 204
  }
  return '-';
}

function sendHttp(agent: Agent | false, target: RestFuzzTarget, c: RestCase): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    let req;
    try {
      req = request({ agent, host: target.host, port: target.port, method: c.method, path: c.path, headers: { ...c.headers, 'content-length': String(c.body.length) }, timeout: 15_000 }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          // Keep the start of the body (the error code is there); a static file may be big.
          if (size < 65_536) chunks.push(d);
          size += d.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, code: codeOf(Buffer.concat(chunks).toString()) }));
        res.on('error', () => resolve(undefined));
      });
    } catch {
      // The client refused to build it (a header value it will not send): not a request the server saw.
      resolve({ status: -1, code: 'client-refused' });
      return;
    }
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end(c.body);
  });
}

/** Writes raw bytes to a fresh connection; the status line of whatever comes back, if anything. */
function sendRaw(target: RestFuzzTarget, raw: Buffer): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const s = connect(target.port, target.host);
    let got = '';
    const done = () => {
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve(m ? { status: Number(m[1]), code: codeOf(got.slice(got.indexOf('\r\n\r\n') + 4)) } : undefined);
    };
    s.setTimeout(2000, done);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) setTimeout(done, 20);
    });
    s.on('error', done);
    s.on('close', done);
    s.write(raw, () => undefined);
  });
}

/**
 * Sends `count` fuzzed requests, `concurrency` at a time over keep-alive connections, checking
 * /health between batches; tallies statuses and error codes.
 */
export async function runRestFuzz(target: RestFuzzTarget, count: number, seed: number, concurrency = 16, onProgress?: (sent: number) => void): Promise<RestFuzzResult> {
  const gen = new RestFuzzer(seed, target);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result: RestFuzzResult = { sent: 0, seconds: 0, byStatus: {}, byCode: {}, serverErrors: [], noAnswer: 0, noAnswerRaw: 0, resent: 0, noAnswerSamples: [], unhealthy: 0 };
  const started = performance.now();
  const seen5xx = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const c = await gen.next();
      let a = c.kind === 'raw' ? await sendRaw(target, c.raw!) : await sendHttp(agent, target, c);
      // A pooled socket the server had just closed (after a 4xx it ends the connection) resets the
      // next request on it: that is the client's reuse, so send it once more on a fresh connection.
      if (!a && c.kind === 'http') {
        result.resent++;
        a = await sendHttp(false, target, c);
      }
      result.sent++;
      if (!a) {
        result.noAnswer++;
        if (c.kind === 'raw') result.noAnswerRaw++;
        if (result.noAnswerSamples.length < 10) result.noAnswerSamples.push(`${c.method} ${c.path.slice(0, 80)} (${c.body.length} B body)`);
        continue;
      }
      result.byStatus[a.status] = (result.byStatus[a.status] ?? 0) + 1;
      if (a.code !== '-') result.byCode[a.code] = (result.byCode[a.code] ?? 0) + 1;
      if (a.status >= 500) {
        const key = `${a.status} ${a.code}`;
        seen5xx.set(key, (seen5xx.get(key) ?? 0) + 1);
        if (result.serverErrors.length < 20) {
          result.serverErrors.push({ status: a.status, code: a.code, method: c.method, path: c.path.slice(0, 200), contentType: String(c.headers['content-type'] ?? ''), auth: String(c.headers.authorization ?? '').slice(0, 24), body: c.body.subarray(0, 120).toString() });
        }
      }
      if (result.sent % 1000 === 0) {
        onProgress?.(result.sent);
        const h = await getOnce(`http://${target.host}:${target.port}/health`).then((r) => r.status, () => 0);
        if (h !== 200) result.unhealthy++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
