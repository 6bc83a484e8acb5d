import { TypedEmitter, type RoomEventData, type RoomEventName, type RoomFullState } from '@parley/protocol';
import { RealtimeConnection } from './realtimeConnection.js';
import { RoomSession } from './roomSession.js';

export interface VideoClientOptions {
  /** The API key (SignalWire's project id). */
  project: string;
  /** The API secret, or a project token with a list of permissions. */
  token: string;
  /** The Parley server, e.g. http://localhost:8080 (default: $PARLEY_URL, else http://localhost:8080). */
  host?: string;
}

export type VideoClientEvents = {
  'room.started': [RoomSession];
  'room.ended': [RoomSession];
  /** The connection failed or closed. */
  error: [Error];
};

/**
 * `new Video.Client({ project, token })`: connects on the first `on()` (or `connect()`), then
 * reports every room session that starts on the server as a RoomSession object.
 */
export class Client extends TypedEmitter<VideoClientEvents> {
  readonly #options: VideoClientOptions;
  readonly #sessions = new Map<string, RoomSession>();
  #connecting: Promise<RealtimeConnection> | undefined;
  #conn: RealtimeConnection | undefined;

  constructor(options: VideoClientOptions) {
    super();
    this.#options = options;
  }

  override on<K extends keyof VideoClientEvents>(event: K, listener: (...args: VideoClientEvents[K]) => void): this {
    super.on(event, listener);
    this.connect().catch((err: Error) => this.emit('error', err));
    return this;
  }

  /** Connects and subscribes to room events; safe to call again. */
  async connect(): Promise<void> {
    this.#connecting ??= (async () => {
      const host = this.#options.host ?? process.env.PARLEY_URL ?? 'http://localhost:8080';
      const conn = await RealtimeConnection.open(host, this.#options.project, this.#options.token);
      this.#conn = conn;
      conn.on('roomEvent', (name, data) => this.#onRoomEvent(name, data));
      conn.on('close', (code, reason) => {
        if (code !== 1000) this.emit('error', new Error(`realtime connection closed: ${code} ${reason}`));
      });
      const { room_sessions } = await conn.request<{ room_sessions: RoomFullState[] }>('realtime.subscribe', {});
      for (const state of room_sessions) this.#sessions.set(state.id, new RoomSession(conn, state));
      return conn;
    })();
    await this.#connecting;
  }

  /** The room sessions live right now. */
  async getRoomSessionsInProgress(): Promise<{ roomSessions: RoomSession[] }> {
    await this.connect();
    return { roomSessions: [...this.#sessions.values()] };
  }

  disconnect(): void {
    this.#conn?.close();
    this.#sessions.clear();
  }

  #onRoomEvent(name: RoomEventName, data: RoomEventData<RoomEventName>): void {
    const conn = this.#conn;
    if (!conn) return;
    if (name === 'room.started') {
      const { room_session } = data as RoomEventData<'room.started'>;
      const session = new RoomSession(conn, room_session);
      this.#sessions.set(session.id, session);
      this.emit('room.started', session);
      session.handleRoomEvent(name, data);
      return;
    }
    const id = 'room_session' in data ? data.room_session.id : (data as { room_session_id: string }).room_session_id;
    const session = this.#sessions.get(id);
    if (!session) return;
    session.handleRoomEvent(name, data);
    if (name === 'room.ended') {
      this.#sessions.delete(id);
      this.emit('room.ended', session);
    }
  }
}
