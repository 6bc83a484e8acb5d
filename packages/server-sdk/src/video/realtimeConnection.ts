import WebSocket from 'ws';
import { NotificationEnvelope, ResponseEnvelope, RoomEvents, TypedEmitter, type RoomEventData, type RoomEventName } from '@parley/protocol';
import { ParleySdkError } from '../errors.js';

export type RealtimeConnectionEvents = {
  roomEvent: [name: RoomEventName, data: RoomEventData<RoomEventName>];
  close: [code: number, reason: string];
};

const REQUEST_TIMEOUT_MS = 15_000;

/** The server-to-server WebSocket: requests with replies, and validated room events. */
export class RealtimeConnection extends TypedEmitter<RealtimeConnectionEvents> {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #nextId = 1;
  #closed = false;

  private constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
    ws.on('message', (data) => this.#onMessage(String(data)));
    ws.on('close', (code, reason) => this.#onClose(code, String(reason)));
    ws.on('error', () => undefined);
  }

  /** `host`: the server's base URL (http(s)://host:port) or host:port. */
  static open(host: string, project: string, token: string): Promise<RealtimeConnection> {
    const base = /^[a-z]+:\/\//.test(host) ? host : `http://${host}`;
    const url = `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/api/realtime`;
    const authorization = `Basic ${Buffer.from(`${project}:${token}`).toString('base64')}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization } });
      ws.once('open', () => resolve(new RealtimeConnection(ws)));
      ws.once('unexpected-response', (_req, res) => {
        reject(new ParleySdkError(res.statusCode === 401 ? 'unauthorized' : 'http_error', `realtime connection refused: HTTP ${res.statusCode}`, { status: res.statusCode }));
        ws.terminate();
      });
      ws.once('error', (err) => reject(new ParleySdkError('unreachable', `cannot reach ${url}`, { cause: err })));
    });
  }

  request<T>(method: string, params: Record<string, unknown>): Promise<T> {
    if (this.#closed) return Promise.reject(new ParleySdkError('not_connected', 'realtime connection is closed'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ParleySdkError('timeout', `${method} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#ws.close(1000, 'client closed');
    this.#onClose(1000, 'client closed');
  }

  #onMessage(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    if (json && typeof json === 'object' && 'event' in json) {
      const note = NotificationEnvelope.safeParse(json);
      if (!note.success || !Object.hasOwn(RoomEvents, note.data.event)) return;
      const name = note.data.event as RoomEventName;
      const data = RoomEvents[name].safeParse(note.data.data);
      if (data.success) this.emit('roomEvent', name, data.data);
      return;
    }
    const res = ResponseEnvelope.safeParse(json);
    if (!res.success || res.data.id === null) return;
    const pending = this.#pending.get(res.data.id);
    if (!pending) return;
    this.#pending.delete(res.data.id);
    clearTimeout(pending.timer);
    if (res.data.ok) pending.resolve(res.data.result);
    else pending.reject(new ParleySdkError(res.data.error.code, res.data.error.message));
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ParleySdkError('not_connected', `realtime connection closed (${code} ${reason})`));
    }
    this.#pending.clear();
    this.emit('close', code, reason);
  }
}
