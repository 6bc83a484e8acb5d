import { randomUUID } from 'node:crypto';

/** How a room is set up (native rooms API); a Chime meeting gets the defaults. */
export interface RoomSettings {
  name: string;
  displayName: string;
  layoutName: string;
  hideVideoMuted: boolean;
  meta: Record<string, unknown>;
}

export function defaultRoomSettings(name: string): RoomSettings {
  return { name, displayName: name, layoutName: 'grid-responsive', hideVideoMuted: false, meta: {} };
}

/** One live session of a room: SignalWire's RoomSession fields. Owned by its Room. */
export class RoomSessionState {
  readonly id = randomUUID();
  readonly roomId: string;
  readonly name: string;
  readonly displayName: string;
  meta: Record<string, unknown>;
  layoutName: string;
  hideVideoMuted: boolean;
  locked = false;
  prioritizeHandraise = false;
  readonly startedAt = Date.now();

  constructor(roomId: string, settings: RoomSettings) {
    this.roomId = roomId;
    this.name = settings.name;
    this.displayName = settings.displayName;
    this.meta = { ...settings.meta };
    this.layoutName = settings.layoutName;
    this.hideVideoMuted = settings.hideVideoMuted;
  }
}
