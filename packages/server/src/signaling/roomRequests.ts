import { ErrorCode, ROOM_METHODS, type RoomMethod, type RoomParams, type RoomResult } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { RoomControl } from '../rooms/roomControl.js';
import type { RoomCaller } from '../rooms/roomPermissions.js';

export type RoomHandlers = { [M in RoomMethod]: (params: RoomParams<M>) => Promise<RoomResult<M>> };

/**
 * The room control methods ("room.*") of one connection. `resolve` finds the room session a
 * request is for and who calls: a member acts on its own room; the realtime API names one.
 */
export function roomHandlers(resolve: (roomSessionId: string | undefined) => { control: RoomControl; caller: RoomCaller }): RoomHandlers {
  const handlers: Partial<Record<RoomMethod, (params: { roomSessionId?: string }) => Promise<unknown>>> = {};
  for (const method of ROOM_METHODS) {
    handlers[method] = async (params) => {
      const { control, caller } = resolve(params.roomSessionId);
      return control.execute(caller, method, params as never);
    };
  }
  return handlers as RoomHandlers;
}

/** For a member: its own room, and no other. */
export function memberRoom(control: RoomControl | undefined, roomSessionId: string | undefined): RoomControl {
  if (!control) throw new ParleyError(ErrorCode.NotJoined, 'not in a room session');
  if (roomSessionId !== undefined && roomSessionId !== control.id) throw new ParleyError(ErrorCode.Forbidden, 'a member can only control its own room session');
  return control;
}
