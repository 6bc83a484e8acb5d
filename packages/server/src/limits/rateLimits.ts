import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { clientIp } from './clientIp.js';
import { KeyedLimiter, retryAfterSeconds, type Refusal } from './keyedLimiter.js';
import type { RateLimitsConfig } from './rateLimitsConfig.js';

/** What a limit refusal is counted as in parley_rate_limited_total. */
export type LimitScope = 'ip' | 'api_key' | 'attendee' | 'member' | 'room';

/** A refusal with a Retry-After: the REST hooks set the header from it. */
export class RateLimitedError extends ParleyError {
  readonly retryAfterSeconds: number;

  constructor(message: string, refusal: Refusal) {
    const seconds = retryAfterSeconds(refusal);
    super(ErrorCode.RateLimited, `${message}: retry in ${seconds} s`, { status: 429 });
    this.retryAfterSeconds = seconds;
  }
}

/**
 * The server's rate limits, one instance shared by REST, the WebSocket upgrade and signaling
 * joins: per client address, per API key and per attendee. Each refusal is reported to telemetry.
 */
export class RateLimits {
  readonly config: RateLimitsConfig;
  readonly #telemetry: Telemetry | undefined;
  readonly #restPerIp: KeyedLimiter;
  readonly #restPerApiKey: KeyedLimiter;
  readonly #wsConnectsPerIp: KeyedLimiter;
  readonly #joinsPerAttendee: KeyedLimiter;
  /** Open WebSockets by address; an entry goes when its count reaches 0. */
  readonly #wsOpen = new Map<string, number>();

  constructor(config: RateLimitsConfig, telemetry?: Telemetry) {
    this.config = config;
    this.#telemetry = telemetry;
    const off = { points: 0, seconds: 1 };
    this.#restPerIp = new KeyedLimiter(config.enabled ? config.restPerIp : off);
    this.#restPerApiKey = new KeyedLimiter(config.enabled ? config.restPerApiKey : off);
    this.#wsConnectsPerIp = new KeyedLimiter(config.enabled ? config.wsConnectsPerIp : off);
    this.#joinsPerAttendee = new KeyedLimiter(config.enabled ? config.joinsPerAttendee : off);
  }

  ipOf(req: IncomingMessage): string {
    return clientIp(req, this.config.trustProxy);
  }

  /** One REST request from req's address; throws RateLimitedError (429) when over. */
  async takeRestRequest(req: IncomingMessage): Promise<void> {
    const refusal = await this.#restPerIp.take(this.ipOf(req));
    if (refusal) throw this.#refused('ip', 'rest_requests', 'too many requests from your address', refusal);
  }

  /** One authenticated REST request for apiKey (after its credentials were verified). */
  async takeApiKeyRequest(apiKey: string): Promise<void> {
    const refusal = await this.#restPerApiKey.take(apiKey);
    if (refusal) throw this.#refused('api_key', 'rest_requests', 'too many requests with this API key', refusal);
  }

  /** One signaling join for an attendee of a meeting (a reconnect storm on one token). */
  async takeJoin(meetingId: string, attendeeId: string): Promise<void> {
    const refusal = await this.#joinsPerAttendee.take(`${meetingId}/${attendeeId}`);
    if (refusal) throw this.#refused('attendee', 'joins', 'too many joins for this attendee', refusal);
  }

  /**
   * Admits a WebSocket upgrade from req's address, or answers it 429 with Retry-After and a JSON
   * body and resolves false. An admitted socket holds one of its address's concurrent slots until
   * it closes (whether or not the WebSocket handshake then succeeds).
   */
  async admitUpgrade(req: IncomingMessage, socket: Duplex): Promise<boolean> {
    const ip = this.ipOf(req);
    const max = this.config.enabled ? this.config.wsConcurrentPerIp : 0;
    const open = this.#wsOpen.get(ip) ?? 0;
    if (max > 0 && open >= max) {
      refuseUpgrade(socket, this.#refused('ip', 'ws_concurrent', `at most ${max} open connections per address`, { retryAfterMs: 1000 }));
      return false;
    }
    // The slot is held while the rate is checked, so a burst cannot pass the concurrent cap.
    this.#wsOpen.set(ip, open + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const n = (this.#wsOpen.get(ip) ?? 1) - 1;
      if (n > 0) this.#wsOpen.set(ip, n);
      else this.#wsOpen.delete(ip);
    };
    socket.once('close', release);
    const refusal = await this.#wsConnectsPerIp.take(ip);
    if (refusal) {
      release();
      refuseUpgrade(socket, this.#refused('ip', 'ws_connects', 'too many connections from your address', refusal));
      return false;
    }
    if (socket.destroyed) {
      release();
      return false;
    }
    return true;
  }

  /** Open WebSockets counted for an address (for tests and operators). */
  openConnections(ip: string): number {
    return this.#wsOpen.get(ip) ?? 0;
  }

  /** Reports a refusal made elsewhere (member caps in rooms). */
  report(scope: LimitScope, reason: string): void {
    this.#telemetry?.rateLimited(scope, reason);
  }

  #refused(scope: LimitScope, reason: string, message: string, refusal: Refusal): RateLimitedError {
    this.report(scope, reason);
    return new RateLimitedError(message, refusal);
  }
}

/** The upgrade never becomes a WebSocket: an HTTP 429 like REST's, then the socket is closed. */
function refuseUpgrade(socket: Duplex, error: RateLimitedError): void {
  // A client that resets mid-answer must not raise an unhandled 'error'.
  socket.on('error', () => undefined);
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  socket.end(
    'HTTP/1.1 429 Too Many Requests\r\n' +
    `Retry-After: ${error.retryAfterSeconds}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body,
  );
}
