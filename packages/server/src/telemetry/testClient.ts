import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ParleyServer } from '../server.js';

/** Replies are read loosely in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = Record<string, any>;

/** Test helpers: REST calls, a raw signaling member, and a Prometheus text parser. */

export function basicAuth(server: ParleyServer): string {
  return `Basic ${Buffer.from(`${server.config.apiKey}:${server.config.apiSecret}`).toString('base64')}`;
}

export async function createMeeting(server: ParleyServer): Promise<string> {
  const res = await fetch(`${server.url}/meetings`, { method: 'POST', headers: { authorization: basicAuth(server), 'content-type': 'application/json' }, body: JSON.stringify({ ClientRequestToken: crypto.randomUUID() }) });
  return ((await res.json()) as { Meeting: { MeetingId: string } }).Meeting.MeetingId;
}

export async function createAttendee(server: ParleyServer, meetingId: string, user: string): Promise<{ AttendeeId: string; JoinToken: string }> {
  const res = await fetch(`${server.url}/meetings/${meetingId}/attendees`, { method: 'POST', headers: { authorization: basicAuth(server), 'content-type': 'application/json' }, body: JSON.stringify({ ExternalUserId: user }) });
  return ((await res.json()) as { Attendee: { AttendeeId: string; JoinToken: string } }).Attendee;
}

/** A member over raw signaling (no browser): requests by method, replies by id. */
export class SignalingMember {
  readonly ws: WebSocket;
  #id = 0;
  readonly #pending = new Map<number, (m: Loose) => void>();
  readonly closed: Promise<void>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Loose;
      if (typeof m.id === 'number') this.#pending.get(m.id)?.(m);
    });
    this.closed = new Promise((r) => ws.once('close', () => r()));
  }

  static async open(server: ParleyServer): Promise<SignalingMember> {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signaling`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new SignalingMember(ws);
  }

  /** Resolves with the whole reply ({ id, ok, result | error }). */
  request(method: string, params: unknown = {}): Promise<Loose> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async join(token: string): Promise<Loose> {
    const reply = await this.request('join', { protocol: PROTOCOL_VERSION, token });
    if (!reply.ok) throw new Error(`join failed: ${JSON.stringify(reply.error)}`);
    return reply.result as Loose;
  }

  close(): Promise<void> {
    this.ws.close();
    return this.closed;
  }
}

export type Series = Array<{ name: string; labels: Record<string, string>; value: number }>;

/** Parses Prometheus text exposition format (what /metrics serves). */
export function parseMetrics(text: string): Series {
  const out: Series = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

/** Sum of the samples of a metric whose labels include the given ones (0 when none). */
export function valueOf(series: Series, name: string, labels: Record<string, string> = {}): number {
  return series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

export function has(series: Series, name: string, labels: Record<string, string> = {}): boolean {
  return series.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
