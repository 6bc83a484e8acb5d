import { TypedEmitter } from './typedEmitter.js';
import {
  camelField, toCamel,
  type LayoutEntity, type LayoutLayer, type MediaAllowed, type MemberEntity, type RoomEventData, type RoomEventName,
  type RoomFullState, type RoomMember, type RoomMethod, type RoomParams, type RoomResult, type RoomSessionEntity,
  type RoomSessionInfo, type VideoPosition, type VideoPositions, type Camel,
} from './roomControl.js';
import { RoomSessionPlayback, RoomSessionRecording, RoomSessionStream, type MediaRequest } from './mediaServiceObjects.js';
import type { PlaybackEntity, RecordingEntity, StreamEntity } from './mediaServices.js';

/**
 * The SignalWire-style RoomSession methods and events, shared by the browser SDK (a member in the
 * room) and the server SDK (a backend controlling it). A subclass only says how a request
 * reaches the server (`request`) and feeds the server's room events to `handleRoomEvent`.
 */

export interface MemberEvent {
  roomSessionId: string;
  roomId: string;
  member: RoomMember & { updated?: string[] };
  /** member.updated: the changed fields, camelCase ("audioMuted"). */
  updated?: string[];
  /** member.left: why. */
  reason?: string;
}
export interface RoomEvent {
  room: RoomSessionInfo;
  roomSession: RoomSessionInfo;
  updated?: string[];
}
export type Layer = Camel<LayoutLayer>;
export interface LayoutEvent {
  roomSessionId: string;
  roomId: string;
  layout: { name: string; roomSessionId: string; roomId: string; layers: Layer[] };
}
export interface AudienceCountEvent {
  room_session_id: string;
  room_id: string;
  roomSessionId: string;
  roomId: string;
  total: number;
}
export type RoomSessionFullState = RoomSessionInfo & { members: RoomMember[]; layout: LayoutEvent['layout']; audienceCount: number };

type MemberUpdatedVariants = { [K in `member.updated.${string}`]: [MemberEvent] };
export type RoomSessionEvents = MemberUpdatedVariants & {
  'room.joined': [RoomSessionFullState];
  'room.started': [RoomEvent];
  'room.updated': [RoomEvent];
  'room.ended': [RoomEvent];
  'room.left': [{ reason: string; message: string }];
  'member.joined': [MemberEvent];
  'member.left': [MemberEvent];
  'member.updated': [MemberEvent];
  'member.talking': [MemberEvent];
  'member.talking.started': [MemberEvent];
  'member.talking.ended': [MemberEvent];
  'layout.changed': [LayoutEvent];
  'room.audience_count': [AudienceCountEvent];
  'recording.started': [RoomSessionRecording];
  'recording.updated': [RoomSessionRecording];
  'recording.ended': [RoomSessionRecording];
  'playback.started': [RoomSessionPlayback];
  'playback.updated': [RoomSessionPlayback];
  'playback.ended': [RoomSessionPlayback];
  'stream.started': [RoomSessionStream];
  'stream.ended': [RoomSessionStream];
};

type Params<M extends RoomMethod> = Omit<RoomParams<M>, 'roomSessionId'>;

export function layoutToCamel(layout: LayoutEntity): LayoutEvent['layout'] {
  return { name: layout.name, roomSessionId: layout.room_session_id, roomId: layout.room_id, layers: layout.layers.map((l) => toCamel(l)) };
}

export abstract class RoomSessionApi<E extends RoomSessionEvents = RoomSessionEvents> extends TypedEmitter<E> {
  /** Room session fields, kept current from room events. */
  id = '';
  roomId = '';
  name = '';
  displayName = '';
  meta: Record<string, unknown> = {};
  layoutName = '';
  hideVideoMuted = false;
  locked = false;
  recording = false;
  streaming = false;
  prioritizeHandraise = false;
  previewUrl: string | undefined = undefined;
  /** @deprecated use getRecordings() */
  recordings: RoomSessionRecording[] = [];
  /** Media service objects by id: an event updates the object the app already holds. */
  readonly #recordings = new Map<string, RoomSessionRecording>();
  readonly #streams = new Map<string, RoomSessionStream>();
  readonly #playbacks = new Map<string, RoomSessionPlayback>();
  readonly #mediaRequest: MediaRequest = (method, params) => this.request(method, params);
  /** Members by id, kept current from room events. */
  readonly members = new Map<string, RoomMember>();
  /** The current layout. */
  layout: LayoutEvent['layout'] | undefined;

  protected abstract request<M extends RoomMethod>(method: M, params: Params<M>): Promise<RoomResult<M>>;

  protected applySession(s: RoomSessionEntity): void {
    this.id = s.id;
    this.roomId = s.room_id;
    this.name = s.name;
    this.displayName = s.display_name;
    this.meta = s.meta;
    this.layoutName = s.layout_name;
    this.hideVideoMuted = s.hide_video_muted;
    this.locked = s.locked;
    this.recording = s.recording;
    this.streaming = s.streaming;
    this.prioritizeHandraise = s.prioritize_handraise;
    this.previewUrl = s.preview_url ?? undefined;
  }

  protected applyFullState(state: RoomFullState): RoomSessionFullState {
    this.applySession(state);
    this.members.clear();
    for (const m of state.members) this.members.set(m.id, toCamel(m));
    this.layout = layoutToCamel(state.layout);
    return { ...toCamel(state as RoomSessionEntity), members: [...this.members.values()], layout: this.layout, audienceCount: state.audience_count };
  }

  /** Feeds one server room event: updates the state, then emits it (and its variants) in camelCase. */
  handleRoomEvent(name: RoomEventName, data: RoomEventData<RoomEventName>): void {
    const emit = this.emit.bind(this) as (event: string, ...args: unknown[]) => boolean;
    switch (name) {
      case 'room.started':
      case 'room.updated':
      case 'room.ended': {
        const d = data as RoomEventData<'room.updated'>;
        this.applySession(d.room_session);
        const room = toCamel(d.room_session);
        emit(name, { room, roomSession: room, ...(d.updated ? { updated: d.updated.map(camelField) } : {}) });
        return;
      }
      case 'member.joined':
      case 'member.left':
      case 'member.updated':
      case 'member.talking': {
        const d = data as RoomEventData<'member.updated'> & { reason?: string };
        const member = toCamel(d.member);
        if (name === 'member.left') this.members.delete(member.id);
        else this.members.set(member.id, member);
        const event: MemberEvent = { roomSessionId: d.room_session_id, roomId: d.room_id, member };
        if (d.updated) {
          event.updated = d.updated;
          event.member = { ...member, updated: d.updated };
        }
        if (d.reason) event.reason = d.reason;
        emit(name, event);
        if (name === 'member.updated') for (const field of d.updated) emit(`member.updated.${field}`, event);
        if (name === 'member.talking') emit(member.talking ? 'member.talking.started' : 'member.talking.ended', event);
        return;
      }
      case 'layout.changed': {
        const d = data as RoomEventData<'layout.changed'>;
        this.layout = layoutToCamel(d.layout);
        this.layoutName = d.layout.name;
        emit(name, { roomSessionId: d.room_session_id, roomId: d.room_id, layout: this.layout });
        return;
      }
      case 'room.audience_count': {
        const d = data as RoomEventData<'room.audience_count'>;
        emit(name, { ...d, roomSessionId: d.room_session_id, roomId: d.room_id });
        return;
      }
      case 'recording.started':
      case 'recording.updated':
      case 'recording.ended': {
        const recording = this.#recording((data as RoomEventData<'recording.started'>).recording);
        this.recordings = [...this.#recordings.values()].filter((r) => r.state !== 'completed');
        emit(name, recording);
        return;
      }
      case 'stream.started':
      case 'stream.ended':
        emit(name, this.#stream((data as RoomEventData<'stream.started'>).stream));
        return;
      case 'playback.started':
      case 'playback.updated':
      case 'playback.ended':
        emit(name, this.#playback((data as RoomEventData<'playback.started'>).playback));
        return;
    }
  }

  #recording(e: RecordingEntity): RoomSessionRecording {
    const known = this.#recordings.get(e.id);
    if (known) known.update(e);
    else this.#recordings.set(e.id, new RoomSessionRecording(e, this.#mediaRequest));
    return this.#recordings.get(e.id)!;
  }

  #stream(e: StreamEntity): RoomSessionStream {
    const known = this.#streams.get(e.id);
    if (known) known.update(e);
    else this.#streams.set(e.id, new RoomSessionStream(e, this.#mediaRequest));
    return this.#streams.get(e.id)!;
  }

  #playback(e: PlaybackEntity): RoomSessionPlayback {
    const known = this.#playbacks.get(e.id);
    if (known) known.update(e);
    else this.#playbacks.set(e.id, new RoomSessionPlayback(e, this.#mediaRequest));
    return this.#playbacks.get(e.id)!;
  }

  // ---- the reference's methods ----------------------------------------------------------------

  /** The full state of the room session (and, on the server SDK, starts its events). */
  async subscribe(): Promise<RoomSessionFullState> {
    return this.applyFullState(await this.request('room.subscribe', {}));
  }
  async getMembers(): Promise<{ members: MemberEntity[] }> {
    return this.request('room.getMembers', {});
  }
  async audioMute(params: { memberId?: string } = {}): Promise<void> {
    await this.request('room.audioMute', params);
  }
  async audioUnmute(params: { memberId?: string } = {}): Promise<void> {
    await this.request('room.audioUnmute', params);
  }
  async videoMute(params: { memberId?: string } = {}): Promise<void> {
    await this.request('room.videoMute', params);
  }
  async videoUnmute(params: { memberId?: string } = {}): Promise<void> {
    await this.request('room.videoUnmute', params);
  }
  async deaf(params: { memberId?: string } = {}): Promise<void> {
    await this.request('room.deaf', params);
  }
  async undeaf(params: { memberId?: string } = {}): Promise<void> {
    await this.request('room.undeaf', params);
  }
  async setInputVolume(params: { memberId?: string; volume: number }): Promise<void> {
    await this.request('room.setInputVolume', params);
  }
  async setOutputVolume(params: { memberId?: string; volume: number }): Promise<void> {
    await this.request('room.setOutputVolume', params);
  }
  /** @deprecated use setInputVolume */
  async setMicrophoneVolume(params: { memberId?: string; volume: number }): Promise<void> {
    await this.setInputVolume(params);
  }
  /** @deprecated use setOutputVolume */
  async setSpeakerVolume(params: { memberId?: string; volume: number }): Promise<void> {
    await this.setOutputVolume(params);
  }
  async setInputSensitivity(params: { memberId?: string; value: number }): Promise<void> {
    await this.request('room.setInputSensitivity', params);
  }
  async getMeta(): Promise<{ meta: Record<string, unknown> }> {
    return this.request('room.getMeta', {});
  }
  async setMeta(meta: Record<string, unknown>): Promise<void> {
    await this.request('room.setMeta', { meta });
  }
  async updateMeta(meta: Record<string, unknown>): Promise<void> {
    await this.request('room.updateMeta', { meta });
  }
  async deleteMeta(keys: string[]): Promise<void> {
    await this.request('room.deleteMeta', { keys });
  }
  async getMemberMeta(params: { memberId?: string } = {}): Promise<{ meta: Record<string, unknown> }> {
    return this.request('room.getMemberMeta', params);
  }
  async setMemberMeta(params: { memberId?: string; meta: Record<string, unknown> }): Promise<void> {
    await this.request('room.setMemberMeta', params);
  }
  async updateMemberMeta(params: { memberId?: string; meta: Record<string, unknown> }): Promise<void> {
    await this.request('room.updateMemberMeta', params);
  }
  async deleteMemberMeta(params: { memberId?: string; keys: string[] }): Promise<void> {
    await this.request('room.deleteMemberMeta', params);
  }
  async removeMember(params: { memberId: string }): Promise<void> {
    await this.request('room.removeMember', params);
  }
  async removeAllMembers(): Promise<void> {
    await this.request('room.removeAllMembers', {});
  }
  async lock(): Promise<void> {
    await this.request('room.lock', {});
  }
  async unlock(): Promise<void> {
    await this.request('room.unlock', {});
  }
  async promote(params: { memberId: string; joinAudioMuted?: boolean; joinVideoMuted?: boolean; mediaAllowed?: MediaAllowed; meta?: Record<string, unknown>; permissions?: string[] }): Promise<void> {
    await this.request('room.promote', params);
  }
  async demote(params: { memberId: string; mediaAllowed?: MediaAllowed }): Promise<void> {
    await this.request('room.demote', params);
  }
  async setRaisedHand(params: { memberId?: string; raised?: boolean } = {}): Promise<void> {
    await this.request('room.setRaisedHand', params);
  }
  async setPrioritizeHandraise(value?: boolean): Promise<boolean> {
    return (await this.request('room.setPrioritizeHandraise', value === undefined ? {} : { value })).value;
  }
  async setHideVideoMuted(value: boolean): Promise<void> {
    await this.request('room.setHideVideoMuted', { value });
  }
  async getLayouts(): Promise<{ layouts: string[] }> {
    return this.request('room.getLayouts', {});
  }
  async setLayout(params: { name: string; positions?: VideoPositions }): Promise<void> {
    await this.request('room.setLayout', params);
  }
  async setMemberPosition(params: { memberId?: string; position: VideoPosition }): Promise<void> {
    await this.request('room.setMemberPosition', params);
  }
  async setPositions(params: { positions: VideoPositions }): Promise<void> {
    await this.request('room.setPositions', params);
  }
  /**
   * Records the room: its current layout and the mix of everyone's audio in one file (fragmented
   * MP4 with H.264 + AAC by default; format "mkv"; "webm" for VP8 + Opus, a second encode) or, with
   * mode "tracks", each member's tracks as sent. Needs the permission room.recording.
   */
  async startRecording(params: { mode?: 'composite' | 'tracks'; format?: 'mp4' | 'mkv' | 'webm' } = {}): Promise<RoomSessionRecording> {
    return this.#recording((await this.request('room.startRecording', params)).recording);
  }
  async getRecordings(): Promise<{ recordings: RoomSessionRecording[] }> {
    const { recordings } = await this.request('room.getRecordings', {});
    return { recordings: recordings.map((r) => this.#recording(r)) };
  }
  /**
   * Plays a URL (file, http(s), rtmp(s)) into the room: everyone sees and hears it, and it takes a
   * place in the layout ("self" in positions names it). Needs room.playback.
   */
  async play(params: { url: string; seekPosition?: number; currentTimecode?: number; positions?: VideoPositions; layout?: string; volume?: number }): Promise<RoomSessionPlayback> {
    return this.#playback((await this.request('room.play', params)).playback);
  }
  async getPlaybacks(): Promise<{ playbacks: RoomSessionPlayback[] }> {
    const { playbacks } = await this.request('room.getPlaybacks', {});
    return { playbacks: playbacks.map((p) => this.#playback(p)) };
  }
  /**
   * Streams the room's picture and mix to an RTMP(S) server. Resolves once the server accepted
   * the stream; rejects (and stream.ended says why) when it refused or could not be reached.
   * Needs room.stream.
   */
  async startStream(params: { url: string }): Promise<RoomSessionStream> {
    return this.#stream((await this.request('room.startStream', params)).stream);
  }
  async getStreams(): Promise<{ streams: RoomSessionStream[] }> {
    const { streams } = await this.request('room.getStreams', {});
    return { streams: streams.map((st) => this.#stream(st)) };
  }
}
