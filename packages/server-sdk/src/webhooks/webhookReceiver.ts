import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_HEADERS, WebhookEvent, type WebhookEventName, type WebhookEventOf } from '@parley/protocol';
import { ParleySdkError } from '../errors.js';

export interface WebhookReceiverOptions {
  /** The server's webhooks.secret (default its API secret). Several during a rotation: any may match. */
  secret: string | readonly string[];
  /** Refuse attempts signed longer ago (or further ahead) than this; default 300 s. */
  toleranceSeconds?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** Node's IncomingHttpHeaders, a fetch Headers, or a plain object. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** The stable codes a refused webhook gets (ParleySdkError.code). */
export const WebhookErrorCode = {
  MissingHeaders: 'webhook_missing_headers',
  BadTimestamp: 'webhook_bad_timestamp',
  BadSignature: 'webhook_bad_signature',
  BadBody: 'webhook_bad_body',
} as const;

/**
 * Verifies and parses the server's webhooks. Give it the raw body exactly as received (before
 * any JSON parsing) and the request headers:
 *
 *   const event = receiver.receive(rawBody, req.headers);
 *   if (event.event === 'participant_joined') console.log(event.participant.name);
 *
 * Checks the HMAC-SHA256 signature over `${id}.${timestamp}.${body}` in constant time and the
 * timestamp's age, then validates the body against the protocol's schema (typed events). Throws
 * ParleySdkError with a WebhookErrorCode otherwise. The same event may arrive twice (a retry
 * after a lost answer): `event.id` is the same on every attempt.
 */
export class WebhookReceiver {
  readonly #secrets: readonly string[];
  readonly #tolerance: number;
  readonly #now: () => number;

  constructor(options: WebhookReceiverOptions) {
    this.#secrets = typeof options.secret === 'string' ? [options.secret] : [...options.secret];
    if (!this.#secrets.length || this.#secrets.some((s) => !s)) throw new ParleySdkError('invalid_params', 'WebhookReceiver needs a secret');
    this.#tolerance = options.toleranceSeconds ?? 300;
    this.#now = options.now ?? Date.now;
  }

  receive(body: string | Uint8Array, headers: WebhookHeaders): WebhookEvent {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    const id = header(headers, WEBHOOK_HEADERS.id);
    const timestamp = header(headers, WEBHOOK_HEADERS.timestamp);
    const signature = header(headers, WEBHOOK_HEADERS.signature);
    if (!id || !timestamp || !signature) throw new ParleySdkError(WebhookErrorCode.MissingHeaders, `a webhook carries ${WEBHOOK_HEADERS.id}, ${WEBHOOK_HEADERS.timestamp} and ${WEBHOOK_HEADERS.signature}`);
    const ts = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(this.#now() / 1000 - ts) > this.#tolerance) {
      throw new ParleySdkError(WebhookErrorCode.BadTimestamp, `webhook timestamp is not within ${this.#tolerance} s of now (replayed or a clock is off)`);
    }
    const offered = signature.split(' ').filter((s) => s.startsWith('v1=')).map((s) => Buffer.from(s.slice(3), 'utf8'));
    const signed = `${id}.${timestamp}.${text}`;
    let match = false;
    for (const secret of this.#secrets) {
      const expected = Buffer.from(createHmac('sha256', secret).update(signed).digest('hex'), 'utf8');
      // Every candidate is compared (no early exit) in constant time; only lengths are public.
      for (const candidate of offered) if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) match = true;
    }
    if (!match) throw new ParleySdkError(WebhookErrorCode.BadSignature, 'webhook signature does not match (wrong secret, or the body was changed)');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new ParleySdkError(WebhookErrorCode.BadBody, 'webhook body is not JSON', { cause: err });
    }
    const parsed = WebhookEvent.safeParse(json);
    if (!parsed.success) throw new ParleySdkError(WebhookErrorCode.BadBody, `webhook body is not a known event: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    if (parsed.data.id !== id) throw new ParleySdkError(WebhookErrorCode.BadBody, 'webhook id header and body disagree');
    return parsed.data;
  }

  /** receive() narrowed to one event name (throws BadBody for another). */
  receiveEvent<N extends WebhookEventName>(name: N, body: string | Uint8Array, headers: WebhookHeaders): WebhookEventOf<N> {
    const event = this.receive(body, headers);
    if (event.event !== name) throw new ParleySdkError(WebhookErrorCode.BadBody, `expected ${name}, got ${event.event}`);
    return event as WebhookEventOf<N>;
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(' ') : value;
}
