import { createHmac } from 'node:crypto';
import { TypedEmitter, WEBHOOK_HEADERS, type WebhookEvent, type WebhookEventName } from '@parley/protocol';
import type { Logger } from '../logger.js';
import type { Telemetry } from './telemetry.js';

export interface WebhookOptions {
  /** Receivers; every event goes to each of them. */
  urls: readonly string[];
  /** HMAC-SHA256 key of the signature. */
  secret: string;
  /** Only these events (default all). */
  events?: readonly WebhookEventName[] | undefined;
  /** One attempt's limit (connect + response). */
  timeoutMs: number;
  /** Attempts per event, the first included. */
  maxAttempts: number;
  /** Wait before the first retry; doubles each retry up to retryMaxMs (+-20% jitter). */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Events waiting per receiver; when full the oldest waiting one is dropped. */
  queueSize: number;
  logger?: Logger | undefined;
}

/** 2xx, 3xx, 4xx, 5xx (by status), timeout (no answer in timeoutMs), error (refused, reset...). */
export type AttemptResult = '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'error';
export type WebhookOutcome = 'delivered' | 'failed' | 'dropped';

export type WebhookDispatcherEvents = {
  attempt: [result: AttemptResult, url: string];
  /** seconds: from the event's creation to its delivery. */
  outcome: [outcome: WebhookOutcome, seconds: number | undefined, event: WebhookEvent, url: string];
};

/** The signature header value for one attempt: `v1=<hex HMAC-SHA256(secret, id.timestamp.body)>`. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('hex')}`;
}

interface Pending {
  event: WebhookEvent;
  body: string;
}

/**
 * Sends the telemetry sink's lifecycle events to the configured receivers as signed POSTs.
 * Nothing here runs on the room's path: the sink's listener only appends to a bounded queue per
 * receiver, and each receiver's queue is worked off in order by one loop (retries with
 * exponential backoff; 408, 429, 5xx, timeouts and network errors are retried, other answers are not).
 */
export class WebhookDispatcher extends TypedEmitter<WebhookDispatcherEvents> {
  readonly #endpoints: WebhookEndpoint[];
  readonly #telemetry: Telemetry;
  readonly #listener: (event: WebhookEvent) => void;

  constructor(telemetry: Telemetry, options: WebhookOptions) {
    super();
    this.onListenerError = (event, err) => options.logger?.error({ err, event }, 'webhook subscriber threw');
    this.#telemetry = telemetry;
    this.#endpoints = options.urls.map((url) => new WebhookEndpoint(url, options, this));
    const wanted = options.events ? new Set<string>(options.events) : undefined;
    this.#listener = (event) => {
      if (wanted && !wanted.has(event.event)) return;
      const body = JSON.stringify(event);
      for (const e of this.#endpoints) e.enqueue({ event, body });
    };
    telemetry.on('lifecycle', this.#listener);
  }

  /** Events waiting or in flight, over all receivers. */
  get queued(): number {
    return this.#endpoints.reduce((n, e) => n + e.length, 0);
  }

  /** Stops taking events, gives the queues up to flushMs to drain, then abandons the rest. */
  async close(flushMs = 0): Promise<void> {
    this.#telemetry.off('lifecycle', this.#listener);
    await Promise.all(this.#endpoints.map((e) => e.close(flushMs)));
  }
}

class WebhookEndpoint {
  readonly url: string;
  readonly #options: WebhookOptions;
  readonly #owner: WebhookDispatcher;
  readonly #queue: Pending[] = [];
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(url: string, options: WebhookOptions, owner: WebhookDispatcher) {
    this.url = url;
    this.#options = options;
    this.#owner = owner;
  }

  get length(): number {
    return this.#queue.length;
  }

  enqueue(item: Pending): void {
    if (this.#closed) return;
    this.#queue.push(item);
    if (this.#queue.length > this.#options.queueSize) {
      // The head may be in flight: drop the oldest one still waiting.
      const [dropped] = this.#queue.splice(this.#loop ? 1 : 0, 1);
      if (dropped) {
        this.#options.logger?.warn({ url: this.url, event: dropped.event.event, id: dropped.event.id }, 'webhook queue full: oldest waiting event dropped');
        this.#owner.emit('outcome', 'dropped', undefined, dropped.event, this.url);
      }
    }
    this.#loop ??= this.#run().finally(() => (this.#loop = undefined));
  }

  async close(flushMs: number): Promise<void> {
    if (this.#loop && flushMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#loop, new Promise((r) => (timer = setTimeout(r, flushMs)))]);
      clearTimeout(timer);
    }
    this.#closed = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
    for (const left of this.#queue.splice(0)) this.#owner.emit('outcome', 'failed', undefined, left.event, this.url);
  }

  async #run(): Promise<void> {
    while (this.#queue.length && !this.#closed) {
      const item = this.#queue[0]!;
      const delivered = await this.#deliver(item);
      if (this.#closed && !delivered) return; // left in the queue: close() reports it
      this.#queue.shift();
      const seconds = Date.now() / 1000 - item.event.created_at;
      this.#owner.emit('outcome', delivered ? 'delivered' : 'failed', delivered ? seconds : undefined, item.event, this.url);
    }
  }

  async #deliver(item: Pending): Promise<boolean> {
    const o = this.#options;
    for (let attempt = 1; attempt <= o.maxAttempts && !this.#closed; attempt++) {
      const { result, retry, retryAfterMs } = await this.#post(item, attempt);
      this.#owner.emit('attempt', result, this.url);
      if (result === '2xx') return true;
      if (!retry || attempt === o.maxAttempts) {
        o.logger?.warn({ url: this.url, event: item.event.event, id: item.event.id, result, attempt }, 'webhook not delivered');
        return false;
      }
      const backoff = Math.min(o.retryMaxMs, o.retryInitialMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      o.logger?.debug({ url: this.url, event: item.event.event, result, attempt }, 'webhook attempt failed; retrying');
      await this.#sleep(Math.min(o.retryMaxMs, Math.max(backoff, retryAfterMs ?? 0)));
    }
    return false;
  }

  async #post(item: Pending, attempt: number): Promise<{ result: AttemptResult; retry: boolean; retryAfterMs?: number }> {
    const timestamp = Math.floor(Date.now() / 1000);
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([timeout, this.#abort.signal]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Parley-Webhooks/1',
          [WEBHOOK_HEADERS.id]: item.event.id,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(this.#options.secret, item.event.id, timestamp, item.body),
          [WEBHOOK_HEADERS.attempt]: String(attempt),
        },
        body: item.body,
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { result: '2xx', retry: false };
      const result = `${Math.min(5, Math.floor(res.status / 100))}xx` as AttemptResult;
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        result,
        retry: res.status >= 500 || res.status === 408 || res.status === 429,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    } catch {
      return { result: timeout.aborted ? 'timeout' : 'error', retry: true };
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => (this.#wake = undefined));
  }
}
