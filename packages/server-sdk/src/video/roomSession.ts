import { RoomSessionApi, type RoomMethod, type RoomParams, type RoomResult, type RoomSessionEntity } from '@parley/protocol';
import type { RealtimeConnection } from './realtimeConnection.js';

/**
 * A live room session seen from a backend (SignalWire's Video RoomSession): the reference's
 * methods and events, over the server-to-server connection, with the client's permissions.
 */
export class RoomSession extends RoomSessionApi {
  readonly #conn: RealtimeConnection;

  constructor(conn: RealtimeConnection, session: RoomSessionEntity) {
    super();
    this.#conn = conn;
    this.applySession(session);
  }

  protected override request<M extends RoomMethod>(method: M, params: Omit<RoomParams<M>, 'roomSessionId'>): Promise<RoomResult<M>> {
    return this.#conn.request(method, { ...params, roomSessionId: this.id });
  }
}
