import { randomUUID } from 'node:crypto';
import { ErrorCode, type StreamEntity } from '@parley/protocol';
import { ParleyError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { RoomComposite } from '../composite/roomComposite.js';

/** What a room's streams need of the room's media (RoomMedia). */
export interface StreamHost {
  acquire(): Promise<RoomComposite>;
  release(): void;
  current(): RoomComposite | undefined;
  emit(event: 'stream.started' | 'stream.ended', stream: StreamEntity): void;
  /** The room session's `streaming` flag may have changed. */
  flagsChanged(): void;
}

export interface RoomStreamsOptions {
  roomSessionId: string;
  roomId: string;
  host: StreamHost;
  /** A stream that drops is retried for this long before it ends. */
  reconnectMs: number;
  /** How long the RTMP server may take to accept a stream. */
  connectTimeoutMs?: number;
  logger: Logger;
}

interface Stream {
  id: string;
  url: string;
  state: 'streaming' | 'completed';
  startedAt: number;
  endedAt: number | null;
  reason: string | undefined;
  /** Waiting for the engine to say the output started or failed. */
  waiter: { resolve: () => void; reject: (reason: string) => void } | undefined;
  reconnecting: boolean;
}

const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

/**
 * The RTMP(S) streams of one room session, outputs of the room's composite. start() resolves
 * once the server accepted the stream and rejects (after stream.ended) when it refused or could
 * not be reached. A stream that drops later is reconnected with backoff for a while (a viewer
 * sees a short gap, not an ended broadcast); then it ends with the reason.
 */
export class RoomStreams {
  readonly #o: RoomStreamsOptions;
  readonly #log: Logger;
  readonly #streams = new Map<string, Stream>();

  constructor(options: RoomStreamsOptions) {
    this.#o = options;
    this.#log = options.logger;
  }

  get active(): boolean {
    return [...this.#streams.values()].some((s) => s.state === 'streaming');
  }

  list(): StreamEntity[] {
    return [...this.#streams.values()].map((s) => this.#entity(s));
  }

  async start(url: string): Promise<StreamEntity> {
    const id = randomUUID();
    const stream: Stream = { id, url, state: 'streaming', startedAt: Date.now(), endedAt: null, reason: undefined, waiter: undefined, reconnecting: false };
    const composite = await this.#o.host.acquire();
    this.#streams.set(id, stream);
    try {
      await this.#connect(composite, stream);
    } catch (err) {
      this.#end(stream, reasonOf(err));
      throw new ParleyError(ErrorCode.MediaError, `the stream to ${redactStreamUrl(url)} did not start: ${reasonOf(err)}`, { cause: err });
    }
    this.#log.info({ streamId: id, url: redactStreamUrl(url) }, 'stream started');
    const entity = this.#entity(stream);
    this.#o.host.emit('stream.started', entity);
    this.#o.host.flagsChanged();
    return entity;
  }

  async stop(id: string): Promise<void> {
    const stream = this.#streams.get(id);
    if (!stream) throw new ParleyError(ErrorCode.NotFound, `no stream ${id.slice(0, 64)} in this room session`);
    if (stream.state === 'completed') throw new ParleyError(ErrorCode.InvalidParams, `stream ${id} has ended`);
    await this.#o.host.current()?.engine.removeOutput(id).catch(() => undefined);
    this.#end(stream, 'stopped');
  }

  /** From the composite: the engine's output is up. */
  outputStarted(id: string): void {
    const s = this.#streams.get(id);
    s?.waiter?.resolve();
  }

  /** From the composite: the RTMP server refused, went away, or the network failed. */
  outputFailed(id: string, reason: string): void {
    const stream = this.#streams.get(id);
    if (!stream || stream.state === 'completed') return;
    if (stream.waiter) {
      stream.waiter.reject(reason);
      return;
    }
    this.#log.warn({ streamId: id, reason }, 'stream dropped; reconnecting');
    void this.#reconnect(stream, reason);
  }

  compositeFailed(reason: string): void {
    for (const s of this.#streams.values()) {
      s.waiter?.reject(reason);
      if (s.state === 'streaming' && !s.waiter) this.#end(s, `failed: ${reason}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#streams.values()].filter((s) => s.state === 'streaming').map(async (s) => {
      await this.#o.host.current()?.engine.removeOutput(s.id).catch(() => undefined);
      this.#end(s, 'room session ended');
    }));
  }

  async #connect(composite: RoomComposite, stream: Stream): Promise<void> {
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the RTMP server did not accept the stream in time')), this.#o.connectTimeoutMs ?? 15_000);
      stream.waiter = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (reason) => { clearTimeout(timer); reject(new Error(reason)); },
      };
    });
    try {
      await composite.engine.addOutput(stream.id, { type: 'rtmp', url: stream.url });
      await started;
    } catch (err) {
      await composite.engine.removeOutput(stream.id).catch(() => undefined);
      throw err;
    } finally {
      stream.waiter = undefined;
    }
  }

  async #reconnect(stream: Stream, firstReason: string): Promise<void> {
    if (stream.reconnecting) return;
    stream.reconnecting = true;
    const deadline = Date.now() + this.#o.reconnectMs;
    let reason = firstReason;
    await this.#o.host.current()?.engine.removeOutput(stream.id).catch(() => undefined);
    for (let attempt = 0; stream.state === 'streaming' && Date.now() < deadline; attempt++) {
      await sleep(Math.min(RETRY_DELAYS_MS[attempt] ?? 8000, Math.max(0, deadline - Date.now())));
      const composite = this.#o.host.current();
      if (stream.state !== 'streaming' || !composite) break;
      try {
        await this.#connect(composite, stream);
        stream.reconnecting = false;
        this.#log.info({ streamId: stream.id, attempt: attempt + 1 }, 'stream reconnected');
        return;
      } catch (err) {
        reason = reasonOf(err);
      }
    }
    stream.reconnecting = false;
    if (stream.state === 'streaming') this.#end(stream, reason);
  }

  #end(stream: Stream, reason: string): void {
    if (stream.state === 'completed') return;
    stream.state = 'completed';
    stream.endedAt = Date.now();
    stream.reason = reason;
    this.#o.host.release();
    this.#log.info({ streamId: stream.id, reason }, 'stream ended');
    this.#o.host.emit('stream.ended', this.#entity(stream));
    this.#o.host.flagsChanged();
  }

  #entity(s: Stream): StreamEntity {
    const end = s.endedAt ?? Date.now();
    return {
      id: s.id, room_id: this.#o.roomId, room_session_id: this.#o.roomSessionId, state: s.state, url: s.url,
      duration: (end - s.startedAt) / 1000, started_at: s.startedAt / 1000, ended_at: s.endedAt === null ? null : s.endedAt / 1000,
      ...(s.reason ? { reason: s.reason } : {}),
    };
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Stream keys are secrets: logs and errors show the server, not the key. */
export function redactStreamUrl(url: string): string {
  return url.replace(/^(rtmps?:\/\/[^/]+\/[^/]*\/?).*$/i, '$1…');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
