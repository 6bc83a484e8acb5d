import { ErrorCode, SessionEndReason, TypedEmitter, contentAttendeeId, type RoomEventData, type RoomEventName } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MediaServices } from '../media/mediaServices.js';
import { SfuRoom } from '../sfu/sfuRoom.js';
import type { WorkerPool } from '../sfu/workerPool.js';
import type { LiveMeetings } from '../store/types.js';
import type { MemberChannel, MemberIdentity, Member } from './member.js';
import { Room, type RoomLimits } from './room.js';
import { RoomControl } from './roomControl.js';
import type { RoomSettings } from './roomSessionState.js';

export type RoomManagerEvents = {
  /** A room session started (room.started is sent through roomEvent too). */
  roomStarted: [RoomControl];
  /** Any room event of any room session, for the realtime API. */
  roomEvent: [RoomControl, name: RoomEventName, data: RoomEventData<RoomEventName>];
};

/**
 * The live rooms of this server, one per meeting with someone in it. A room is created on the
 * first join and closed when its last member leaves.
 */
export class RoomManager extends TypedEmitter<RoomManagerEvents> implements LiveMeetings {
  readonly #rooms = new Map<string, Room>();
  readonly #creating = new Map<string, Promise<Room>>();
  readonly #pool: WorkerPool;
  readonly #limits: RoomLimits;
  readonly #log: Logger;
  readonly #controls = new Map<string, RoomControl>();
  readonly #settingsOf: (meetingId: string) => RoomSettings | undefined;
  readonly media: MediaServices;
  /** Set by startDraining(): no new rooms, members are told when the server will end theirs. */
  #draining: { deadlineMs: number; message: string } | undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(pool: WorkerPool, limits: RoomLimits, media: MediaServices, logger: Logger, settingsOf: (meetingId: string) => RoomSettings | undefined = () => undefined) {
    super();
    this.media = media;
    this.onListenerError = (event, err) => logger.error({ err, event }, 'room manager listener threw');
    this.#settingsOf = settingsOf;
    this.#pool = pool;
    this.#limits = limits;
    this.#log = logger;
  }

  get(meetingId: string): Room | undefined {
    return this.#rooms.get(meetingId);
  }

  get rooms(): Room[] {
    return [...this.#rooms.values()];
  }

  /** Room control of a live room session, by room session id. */
  control(roomSessionId: string): RoomControl | undefined {
    return this.#controls.get(roomSessionId);
  }

  /** Room control of a meeting's live room. */
  controlOf(meetingId: string): RoomControl | undefined {
    const room = this.#rooms.get(meetingId);
    return room ? this.#controls.get(room.session.id) : undefined;
  }

  get controls(): RoomControl[] {
    return [...this.#controls.values()];
  }

  /** Joins a member, creating the room (and its router) if this is the first one. */
  async join(meetingId: string, identity: MemberIdentity, channel: MemberChannel): Promise<{ room: Room; member: Member }> {
    // A room may close between its creation and our join (its last member left): retry once.
    for (let attempt = 0; ; attempt++) {
      const room = await this.#getOrCreate(meetingId);
      if (!room.closed || attempt > 0) {
        const member = room.join(identity, channel);
        const draining = this.#draining;
        // After the join reply (which the session sends once this resolves).
        if (draining) setImmediate(() => room.member(member.attendeeId) === member && channel.notify('serverDraining', draining));
        return { room, member };
      }
    }
  }

  get draining(): boolean {
    return this.#draining !== undefined;
  }

  /**
   * Graceful shutdown, step one: joins that would start a new room are refused (server_draining),
   * joins into running rooms go on, and every member is told (serverDraining) once.
   */
  startDraining(deadlineMs: number, message = 'the server is shutting down'): void {
    if (this.#draining) return;
    const draining = { deadlineMs, message };
    this.#draining = draining;
    for (const room of this.rooms) for (const member of room.members) member.channel.notify('serverDraining', draining);
  }

  /** Resolves once no room is open (or being opened). */
  whenEmpty(): Promise<void> {
    if (this.#rooms.size === 0 && this.#creating.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  endMeeting(meetingId: string): void {
    this.#rooms.get(meetingId)?.end(SessionEndReason.AudioCallEnded, 'the meeting was ended');
  }

  removeAttendee(meetingId: string, attendeeId: string): void {
    const room = this.#rooms.get(meetingId);
    if (!room) return;
    for (const id of [attendeeId, contentAttendeeId(attendeeId)]) {
      const member = room.member(id);
      if (!member) continue;
      room.leave(id, 'removed');
      member.channel.end(SessionEndReason.Removed, 'you were removed from the meeting');
    }
  }

  close(): void {
    for (const room of this.rooms) room.end(SessionEndReason.ServerShutdown, 'the server is shutting down');
  }

  /** Ends every room and waits until their media services have finished (recording files finalised). */
  async closeAll(): Promise<void> {
    const controls = this.controls;
    this.close();
    await Promise.all(controls.map((c) => c.media.close().catch(() => undefined)));
  }

  async #getOrCreate(meetingId: string): Promise<Room> {
    const existing = this.#rooms.get(meetingId);
    if (existing && !existing.closed) return existing;
    let pending = this.#creating.get(meetingId);
    if (!pending) {
      if (this.#draining) throw new ParleyError(ErrorCode.ServerDraining, 'the server is shutting down and starts no new meetings; try again shortly (on another server)');
      pending = this.#create(meetingId).finally(() => {
        this.#creating.delete(meetingId);
        this.#checkIdle();
      });
      this.#creating.set(meetingId, pending);
    }
    return pending;
  }

  async #create(meetingId: string): Promise<Room> {
    const sfu = await SfuRoom.create(this.#pool, this.#log);
    const room = new Room(meetingId, sfu, this.#limits, this.#log.child({ sub: 'room' }), this.#settingsOf(meetingId));
    this.#rooms.set(meetingId, room);
    const control = new RoomControl(room, this.media, this.#log.child({ sub: 'roomControl' }));
    this.#controls.set(control.id, control);
    control.on('roomEvent', (name, data) => {
      this.emit('roomEvent', control, name, data);
      if (name === 'room.ended') this.#controls.delete(control.id);
    });
    room.on('empty', () => room.close());
    room.on('closed', () => {
      if (this.#rooms.get(meetingId) === room) this.#rooms.delete(meetingId);
      this.#log.info({ meetingId }, 'room closed');
      this.#checkIdle();
    });
    this.#log.info({ meetingId }, 'room opened');
    this.emit('roomStarted', control);
    this.emit('roomEvent', control, 'room.started', { room_session: control.sessionEntity() });
    return room;
  }

  #checkIdle(): void {
    if (this.#rooms.size || this.#creating.size || !this.#idleWaiters.length) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
