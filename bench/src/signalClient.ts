import WebSocket from 'ws';

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void };

/** Parley signaling over WebSocket: {id, method, params} requests, {event, data} notifications. */
export class SignalClient {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Array<(data: Record<string, unknown>) => void>>();
  #nextId = 1;
  /** Messages sent and received (requests, responses, events). */
  messages = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (raw) => {
      this.messages++;
      const msg = JSON.parse(raw.toString()) as { id?: number; ok?: boolean; result?: Record<string, unknown>; error?: { code: string; message: string }; event?: string; data?: Record<string, unknown> };
      if (msg.event) {
        for (const fn of this.#listeners.get(msg.event) ?? []) fn(msg.data ?? {});
        return;
      }
      const p = msg.id !== undefined ? this.#pending.get(msg.id) : undefined;
      if (!p || msg.id === undefined) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result ?? {});
      else p.reject(new Error(`${msg.error?.code}: ${msg.error?.message}`));
    });
    ws.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('signaling closed'));
      this.#pending.clear();
    });
  }

  static async connect(url: string): Promise<SignalClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new SignalClient(ws);
  }

  on(event: string, fn: (data: Record<string, unknown>) => void): void {
    const list = this.#listeners.get(event) ?? [];
    list.push(fn);
    this.#listeners.set(event, list);
  }

  request<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    this.messages++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => this.#pending.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject }));
  }

  close(): void {
    this.#ws.close();
  }
}
