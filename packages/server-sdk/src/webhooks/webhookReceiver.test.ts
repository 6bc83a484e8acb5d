import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookErrorCode, WebhookReceiver } from './webhookReceiver.js';

const SECRET = 'webhook-secret-0123456789';
const NOW = 1_750_000_000_000;
const event = {
  id: 'evt-1', event: 'participant_joined', created_at: NOW / 1000,
  room: { id: 'room-1', session_id: 'sess-1', name: 'standup', meeting_id: 'meet-1' },
  participant: { id: 'att-1', external_user_id: 'alice', name: 'Alice', type: 'member', joined_at: NOW / 1000 },
};
const body = JSON.stringify(event);
const sign = (secret: string, ts: number, b = body, id = 'evt-1') => `v1=${createHmac('sha256', secret).update(`${id}.${ts}.${b}`).digest('hex')}`;
const headers = (ts = NOW / 1000, signature = sign(SECRET, ts)) => ({ 'parley-webhook-id': 'evt-1', 'parley-webhook-timestamp': String(ts), 'parley-webhook-signature': signature });
const receiver = new WebhookReceiver({ secret: SECRET, now: () => NOW });
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('WebhookReceiver', () => {
  it('accepts a good signature and gives a typed event', () => {
    const e = receiver.receive(body, headers());
    expect(e.event).toBe('participant_joined');
    if (e.event === 'participant_joined') expect(e.participant.name).toBe('Alice');
    expect(receiver.receive(Buffer.from(body), new Headers(headers())).id).toBe('evt-1');
    expect(receiver.receiveEvent('participant_joined', body, headers()).participant.external_user_id).toBe('alice');
    expect(code(() => receiver.receiveEvent('room_ended', body, headers()))).toBe(WebhookErrorCode.BadBody);
  });

  it('refuses a wrong secret, a changed body, a changed id and a garbled signature', () => {
    expect(code(() => receiver.receive(body, headers(NOW / 1000, sign('another-secret-0123456', NOW / 1000))))).toBe(WebhookErrorCode.BadSignature);
    expect(code(() => receiver.receive(body.replace('Alice', 'Mallory'), headers()))).toBe(WebhookErrorCode.BadSignature);
    expect(code(() => receiver.receive(body, { ...headers(), 'parley-webhook-id': 'evt-2' }))).toBe(WebhookErrorCode.BadSignature);
    expect(code(() => receiver.receive(body, headers(NOW / 1000, 'v1=abc')))).toBe(WebhookErrorCode.BadSignature);
    expect(code(() => receiver.receive(body, headers(NOW / 1000, sign(SECRET, NOW / 1000).replace('v1=', 'v0='))))).toBe(WebhookErrorCode.BadSignature);
  });

  it('refuses old, future and malformed timestamps, and missing headers', () => {
    const old = NOW / 1000 - 301;
    expect(code(() => receiver.receive(body, headers(old)))).toBe(WebhookErrorCode.BadTimestamp);
    expect(code(() => receiver.receive(body, headers(NOW / 1000 + 301)))).toBe(WebhookErrorCode.BadTimestamp);
    expect(code(() => receiver.receive(body, { ...headers(), 'parley-webhook-timestamp': '1e9' }))).toBe(WebhookErrorCode.BadTimestamp);
    expect(receiver.receive(body, headers(NOW / 1000 - 299)).id).toBe('evt-1');
    expect(code(() => receiver.receive(body, { 'parley-webhook-id': 'evt-1' }))).toBe(WebhookErrorCode.MissingHeaders);
  });

  it('takes several secrets (rotation) and several signatures', () => {
    const rotating = new WebhookReceiver({ secret: ['new-secret-0123456789', SECRET], now: () => NOW });
    expect(rotating.receive(body, headers()).id).toBe('evt-1');
    const two = `${sign('unknown-secret-012345', NOW / 1000)} ${sign(SECRET, NOW / 1000)}`;
    expect(receiver.receive(body, headers(NOW / 1000, two)).id).toBe('evt-1');
  });

  it('refuses a signed body that is not a known event', () => {
    const bad = JSON.stringify({ ...event, event: 'room_exploded' });
    expect(code(() => receiver.receive(bad, headers(NOW / 1000, sign(SECRET, NOW / 1000, bad))))).toBe(WebhookErrorCode.BadBody);
  });
});
