import {
  Events, PROTOCOL_VERSION, ResponseEnvelope, NotificationEnvelope, TypedEmitter, isEventName,
  type EventData, type EventName, type RequestMethod, type RequestParams, type RequestResult,
} from '@parley/protocol';
import { ParleyClientError } from '../errors.js';

export type SignalClientEvents = { [E in EventName]: [EventData<E>] } & {
  /** The socket closed; `code` is the WebSocket close code (4002 = session ended, ...). */
  close: [code: number, reason: string];
};

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const REQUEST_TIMEOUT_MS = 15_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** Request/response and notifications over the signaling WebSocket, validated both ways. */
export class SignalClient extends TypedEmitter<SignalClientEvents> {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  private constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
    ws.onmessage = (ev) => this.#onMessage(ev.data);
    ws.onclose = (ev) => this.#onClose(ev.code, ev.reason);
  }

  static connect(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<SignalClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => {
        ws.close();
        reject(new ParleyClientError('signaling_unreachable', `no answer from signaling at ${url} after ${timeoutMs} ms`));
      }, timeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve(new SignalClient(ws));
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new ParleyClientError('signaling_unreachable', `cannot reach signaling at ${url}`));
      };
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  request<M extends RequestMethod>(method: M, params: RequestParams<M>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<RequestResult<M>> {
    if (this.#closed) return Promise.reject(new ParleyClientError('not_connected', 'signaling connection is closed'));
    const id = this.#nextId++;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ParleyClientError('timeout', `${method} timed out`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Sends a request without waiting for its answer (page unload: there is no later). */
  send<M extends RequestMethod>(method: M, params: RequestParams<M>): void {
    if (this.#closed) return;
    this.#ws.send(JSON.stringify({ id: this.#nextId++, method, params }));
  }

  join(token: string, content = false): Promise<RequestResult<'join'>> {
    return this.request('join', { protocol: PROTOCOL_VERSION, token, ...(content ? { content } : {}) });
  }

  close(): void {
    if (this.#closed) return;
    this.#ws.close(1000, 'client closed');
    this.#onClose(1000, 'client closed');
  }

  #onMessage(raw: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (json && typeof json === 'object' && 'event' in json) {
      const note = NotificationEnvelope.safeParse(json);
      if (!note.success || !isEventName(note.data.event)) return;
      const event = note.data.event;
      const data = Events[event].safeParse(note.data.data);
      if (data.success) this.emit(event, data.data as never);
      return;
    }
    const response = ResponseEnvelope.safeParse(json);
    if (!response.success || response.data.id === null) return;
    const pending = this.#pending.get(response.data.id);
    if (!pending) return;
    this.#pending.delete(response.data.id);
    clearTimeout(pending.timer);
    if (response.data.ok) pending.resolve(response.data.result);
    else pending.reject(new ParleyClientError(response.data.error.code, response.data.error.message));
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ParleyClientError('not_connected', `signaling closed (${code} ${reason})`));
    }
    this.#pending.clear();
    this.emit('close', code, reason);
  }
}
