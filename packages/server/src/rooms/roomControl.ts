import {
  ALL_PERMISSIONS, ErrorCode, LAYOUT_NAMES, Permission, SessionEndReason, TypedEmitter, camelField, contentAttendeeId,
  type LayoutEntity, type MemberEntity, type RoomEventData, type RoomEventName, type RoomFullState,
  type RoomMethod, type RoomParams, type RoomResult, type RoomSessionEntity,
} from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MediaServices } from '../media/mediaServices.js';
import type { MediaRoom, RoomMedia } from '../media/roomMedia.js';
import { redactStreamUrl } from '../media/streaming/roomStreams.js';
import { producerTag } from '../sfu/sfuPeer.js';
import { computeLayout, isLayoutName } from './layouts.js';
import type { Member } from './member.js';
import type { Room } from './room.js';
import { checkPermission, type RoomCaller } from './roomPermissions.js';
import { TalkingDetector } from './talkingDetector.js';

export type RoomControlEvents = {
  /** Every room event, as sent to the room's members; the realtime API forwards them. */
  roomEvent: [name: RoomEventName, data: RoomEventData<RoomEventName>];
};

type Handler<M extends RoomMethod> = (caller: RoomCaller, params: RoomParams<M>) => Promise<RoomResult<M>> | RoomResult<M>;
type Handlers = { [M in RoomMethod]: Handler<M> };

const OK = {} as const;

/**
 * Room control for one live room (SignalWire's RoomSession on the server): checks permissions,
 * changes member and session state, has the room apply the media effects, keeps the layout, and
 * reports every change as a room event to the members and to the realtime API.
 */
export class RoomControl extends TypedEmitter<RoomControlEvents> {
  readonly room: Room;
  readonly #log: Logger;
  readonly #talking: TalkingDetector;
  /** The member entities last announced, to report what changed. */
  readonly #announced = new Map<string, MemberEntity>();
  readonly #handlers: Handlers;
  #layers = '';
  #audienceCount = 0;
  #ended = false;
  /** Recordings, streams, playbacks and the preview of this room session. */
  readonly media: RoomMedia;
  readonly #services: MediaServices;

  constructor(room: Room, services: MediaServices, logger: Logger) {
    super();
    this.room = room;
    this.#services = services;
    this.#log = logger.child({ roomSessionId: room.session.id });
    this.onListenerError = (event, err) => this.#log.error({ err, event }, 'room control listener threw');
    this.#talking = new TalkingDetector((id) => room.member(id)?.state.inputSensitivity);
    this.#talking.on('talking', (id, talking) => this.#onTalking(id, talking));
    room.sfu.on('volumes', (levels) => this.#talking.handleLevels(levels));
    room.sfu.on('silence', () => this.#talking.handleSilence());
    room.on('memberJoined', (m) => this.#onJoined(m));
    room.on('memberLeft', (m, reason) => this.#onLeft(m, reason));
    room.on('memberChanged', (m) => {
      this.#sync(m);
      this.#relayout();
    });
    room.on('ending', () => this.#end());
    room.on('closed', () => this.#end());
    room.on('producerAdded', () => this.media.changed());
    room.on('sourcesChanged', () => this.#relayout());
    this.media = services.forRoom(this.#mediaRoom());
    this.#handlers = this.#createHandlers();
  }

  get id(): string {
    return this.room.session.id;
  }

  /** Runs a room method for a caller; throws ParleyError (forbidden, member_not_found...). */
  async execute<M extends RoomMethod>(caller: RoomCaller, method: M, params: RoomParams<M>): Promise<RoomResult<M>> {
    if (this.room.closed) throw new ParleyError(ErrorCode.NotFound, 'the room session has ended');
    const handler = this.#handlers[method] as Handler<M>;
    return handler(caller, params);
  }

  // ---- entities -----------------------------------------------------------------------------

  sessionEntity(): RoomSessionEntity {
    const s = this.room.session;
    return {
      id: s.id, room_id: s.roomId, name: s.name, display_name: s.displayName, meta: { ...s.meta },
      layout_name: s.layoutName, hide_video_muted: s.hideVideoMuted, locked: s.locked,
      recording: this.media.recording, streaming: this.media.streaming,
      prioritize_handraise: s.prioritizeHandraise, preview_url: this.#services.previewUrl(s.id),
    };
  }

  memberEntity(m: Member): MemberEntity {
    const s = m.state;
    const parent = m.isContent ? m.attendeeId.slice(0, m.attendeeId.lastIndexOf('#')) : undefined;
    return {
      id: m.attendeeId, room_id: this.room.session.roomId, room_session_id: this.room.session.id, name: m.name,
      type: m.isContent ? 'screen' : m.role, ...(parent ? { parent_id: parent } : {}),
      visible: s.visible, audio_muted: s.audioMuted, video_muted: s.videoMuted, deaf: s.deaf, on_hold: false,
      input_volume: s.inputVolume, output_volume: s.outputVolume, input_sensitivity: s.inputSensitivity,
      handraised: s.handraised, talking: this.#talking.isTalking(m.attendeeId), meta: { ...s.meta },
      requested_position: s.requestedPosition, current_position: s.currentPosition, media_allowed: s.mediaAllowed,
    };
  }

  layoutEntity(): LayoutEntity {
    return { name: this.room.session.layoutName, room_session_id: this.id, room_id: this.room.session.roomId, layers: this.#computeLayers().layers };
  }

  fullState(): RoomFullState {
    return { ...this.sessionEntity(), members: this.room.members.map((m) => this.memberEntity(m)), layout: this.layoutEntity(), audience_count: this.#countAudience() };
  }

  // ---- methods ------------------------------------------------------------------------------

  #createHandlers(): Handlers {
    const session = this.room.session;
    const onMember = <M extends RoomMethod>(method: M, fn: (target: Member, p: RoomParams<M>, caller: RoomCaller) => Promise<void> | void): Handler<M> =>
      (async (caller: RoomCaller, p: RoomParams<M>) => {
        const target = this.#target(caller, (p as { memberId?: string }).memberId);
        checkPermission(caller, method, caller.kind === 'member' && caller.member === target);
        await fn(target, p, caller);
        this.#sync(target);
        return OK;
      }) as unknown as Handler<M>;
    const onRoom = <M extends RoomMethod>(method: M, fn: (p: RoomParams<M>, caller: RoomCaller) => Promise<RoomResult<M>> | RoomResult<M>): Handler<M> =>
      ((caller: RoomCaller, p: RoomParams<M>) => {
        checkPermission(caller, method, false);
        return fn(p, caller);
      }) as Handler<M>;
    const roomUpdated = (updated: string[]) => this.#emit('room.updated', { room_session: this.sessionEntity(), updated });
    const media = () => {
      this.#services.assertAvailable();
      return this.media;
    };

    return {
      'room.subscribe': onRoom('room.subscribe', () => this.fullState()),
      'room.getMembers': onRoom('room.getMembers', () => ({ members: this.room.members.map((m) => this.memberEntity(m)) })),
      'room.audioMute': onMember('room.audioMute', (t) => this.room.setMuted(t, 'audio', true)),
      'room.audioUnmute': onMember('room.audioUnmute', (t) => this.room.setMuted(t, 'audio', false)),
      'room.videoMute': onMember('room.videoMute', (t) => this.room.setMuted(t, 'video', true)),
      'room.videoUnmute': onMember('room.videoUnmute', (t) => this.room.setMuted(t, 'video', false)),
      // As the reference says: deaf also mutes the microphone, undeaf unmutes it.
      'room.deaf': onMember('room.deaf', async (t) => {
        await this.room.setDeaf(t, true);
        await this.room.setMuted(t, 'audio', true);
      }),
      'room.undeaf': onMember('room.undeaf', async (t) => {
        await this.room.setDeaf(t, false);
        await this.room.setMuted(t, 'audio', false);
      }),
      'room.setInputVolume': onMember('room.setInputVolume', (t, p) => void (t.state.inputVolume = p.volume)),
      'room.setOutputVolume': onMember('room.setOutputVolume', (t, p) => void (t.state.outputVolume = p.volume)),
      'room.setInputSensitivity': onMember('room.setInputSensitivity', (t, p) => {
        t.state.inputSensitivity = p.value;
        if (p.value === 0) this.#talking.handleGone(t.attendeeId);
      }),
      'room.getMeta': onRoom('room.getMeta', () => ({ meta: { ...session.meta } })),
      'room.setMeta': onRoom('room.setMeta', (p) => {
        session.meta = { ...p.meta };
        roomUpdated(['meta']);
        return OK;
      }),
      'room.updateMeta': onRoom('room.updateMeta', (p) => {
        session.meta = { ...session.meta, ...p.meta };
        roomUpdated(['meta']);
        return OK;
      }),
      'room.deleteMeta': onRoom('room.deleteMeta', (p) => {
        session.meta = withoutKeys(session.meta, p.keys);
        roomUpdated(['meta']);
        return OK;
      }),
      'room.getMemberMeta': onRoom('room.getMemberMeta', (p, caller) => ({ meta: { ...this.#target(caller, p.memberId).state.meta } })),
      'room.setMemberMeta': onMember('room.setMemberMeta', (t, p) => void (t.state.meta = { ...p.meta })),
      'room.updateMemberMeta': onMember('room.updateMemberMeta', (t, p) => void (t.state.meta = { ...t.state.meta, ...p.meta })),
      'room.deleteMemberMeta': onMember('room.deleteMemberMeta', (t, p) => void (t.state.meta = withoutKeys(t.state.meta, p.keys))),
      'room.removeMember': onRoom('room.removeMember', (p) => {
        const target = this.#member(p.memberId);
        this.room.remove(target, 'you were removed from the room');
        const content = this.room.member(contentAttendeeId(target.attendeeId));
        if (content) this.room.remove(content, 'the member sharing was removed');
        return OK;
      }),
      'room.removeAllMembers': onRoom('room.removeAllMembers', () => {
        // After the reply: the caller may be one of the members sent away.
        setImmediate(() => this.room.end(SessionEndReason.AudioCallEnded, 'all members were removed: the room session ended'));
        return OK;
      }),
      'room.lock': onRoom('room.lock', () => this.#setSession('locked', true, roomUpdated)),
      'room.unlock': onRoom('room.unlock', () => this.#setSession('locked', false, roomUpdated)),
      'room.promote': onRoom('room.promote', async (p) => {
        const target = this.#member(p.memberId);
        if (target.role !== 'audience') throw new ParleyError(ErrorCode.InvalidParams, `${p.memberId} is not an audience member`);
        if (p.permissions) target.setPermissions(validPermissions(p.permissions));
        if (p.meta) target.state.meta = { ...p.meta };
        target.state.mediaAllowed = p.mediaAllowed ?? 'all';
        if (p.joinAudioMuted) target.state.audioMuted = true;
        if (p.joinVideoMuted) target.state.videoMuted = true;
        await this.room.setRole(target, 'member');
        this.#afterRoleChange(target);
        return OK;
      }),
      'room.demote': onRoom('room.demote', async (p) => {
        const target = this.#member(p.memberId);
        if (target.role !== 'member' || target.isContent) throw new ParleyError(ErrorCode.InvalidParams, `${p.memberId} is not a member that can be demoted`);
        target.state.mediaAllowed = p.mediaAllowed ?? 'all';
        target.state.handraised = false;
        await this.room.setRole(target, 'audience');
        this.#afterRoleChange(target);
        return OK;
      }),
      'room.setRaisedHand': async (caller, p) => {
        const target = this.#target(caller, p.memberId);
        const raised = p.raised ?? !target.state.handraised;
        checkPermission(caller, 'room.setRaisedHand', caller.kind === 'member' && caller.member === target, raised);
        if (target.state.handraised !== raised) {
          target.state.handraised = raised;
          target.state.handraisedAt = raised ? Date.now() : 0;
        }
        this.#sync(target);
        this.#relayout();
        return OK;
      },
      'room.setPrioritizeHandraise': onRoom('room.setPrioritizeHandraise', (p) => {
        const value = p.value ?? true;
        this.#setSession('prioritizeHandraise', value, roomUpdated);
        return { value };
      }),
      'room.setHideVideoMuted': (caller, p) => {
        checkPermission(caller, 'room.setHideVideoMuted', false, p.value);
        return this.#setSession('hideVideoMuted', p.value, roomUpdated);
      },
      'room.getLayouts': onRoom('room.getLayouts', () => ({ layouts: [...LAYOUT_NAMES] })),
      'room.setLayout': onRoom('room.setLayout', (p, caller) => {
        if (!isLayoutName(p.name)) throw new ParleyError(ErrorCode.InvalidParams, `unknown layout "${p.name.slice(0, 64)}": see getLayouts`);
        const positions = p.positions ? this.#resolvePositions(caller, p.positions) : [];
        session.layoutName = p.name;
        for (const [member, position] of positions) this.#place(member, position);
        roomUpdated(['layoutName']);
        this.#relayout(true);
        return OK;
      }),
      'room.setMemberPosition': onMember('room.setMemberPosition', (t, p) => {
        this.#place(t, p.position);
        this.#relayout();
      }),
      'room.setPositions': onRoom('room.setPositions', (p, caller) => {
        for (const [member, position] of this.#resolvePositions(caller, p.positions)) this.#place(member, position);
        this.#relayout();
        return OK;
      }),
      'room.startRecording': onRoom('room.startRecording', async (p) => ({ recording: await media().recordings.start(p) })),
      'room.getRecordings': onRoom('room.getRecordings', () => ({ recordings: this.media.recordings.list() })),
      'room.recording.pause': onRoom('room.recording.pause', async (p) => (await this.media.recordings.pause(p.recordingId), OK)),
      'room.recording.resume': onRoom('room.recording.resume', async (p) => (await this.media.recordings.resume(p.recordingId), OK)),
      'room.recording.stop': onRoom('room.recording.stop', async (p) => (await this.media.recordings.stop(p.recordingId), OK)),
      'room.startStream': onRoom('room.startStream', async (p) => ({ stream: await media().streams.start(p.url) })),
      'room.getStreams': onRoom('room.getStreams', () => ({ streams: this.media.streams.list() })),
      'room.stream.stop': onRoom('room.stream.stop', async (p) => (await this.media.streams.stop(p.streamId), OK)),
      'room.play': onRoom('room.play', async (p) => ({
        playback: await media().playbacks.play({ ...p, seekPosition: p.seekPosition ?? p.currentTimecode }),
      })),
      'room.getPlaybacks': onRoom('room.getPlaybacks', () => ({ playbacks: this.media.playbacks.list() })),
      'room.playback.pause': onRoom('room.playback.pause', async (p) => (await this.media.playbacks.pause(p.playbackId), OK)),
      'room.playback.resume': onRoom('room.playback.resume', async (p) => (await this.media.playbacks.resume(p.playbackId), OK)),
      'room.playback.stop': onRoom('room.playback.stop', async (p) => (await this.media.playbacks.stop(p.playbackId), OK)),
      'room.playback.setVolume': onRoom('room.playback.setVolume', async (p) => (await this.media.playbacks.setVolume(p.playbackId, p.volume), OK)),
      'room.playback.seek': onRoom('room.playback.seek', async (p) => ({ position: await this.media.playbacks.seek(p.playbackId, p) })),
    };
  }

  #setSession<K extends 'locked' | 'hideVideoMuted' | 'prioritizeHandraise'>(key: K, value: boolean, roomUpdated: (u: string[]) => void): typeof OK {
    if (this.room.session[key] !== value) {
      this.room.session[key] = value;
      roomUpdated([key]);
      if (key !== 'locked') this.#relayout();
    }
    return OK;
  }

  /** The member a call is about: memberId, or the calling member itself. */
  #target(caller: RoomCaller, memberId: string | undefined): Member {
    if (memberId !== undefined) return this.#member(memberId);
    if (caller.kind === 'member') return caller.member;
    throw new ParleyError(ErrorCode.InvalidParams, 'memberId is required');
  }

  #member(memberId: string): Member {
    const member = this.room.member(memberId);
    if (!member) throw new ParleyError(ErrorCode.MemberNotFound, `no member ${memberId.slice(0, 128)} in this room session`);
    return member;
  }

  /**
   * Checks every id of a positions map before anything changes; "self" is the caller (or, in
   * play(), the playback). Ids may name members or the room's sources (playbacks).
   */
  #resolvePositions(caller: RoomCaller | { kind: 'source'; id: string }, positions: Record<string, string>): Array<[Placeable, string]> {
    return Object.entries(positions).map(([id, position]) => {
      if (id === 'self') {
        if (caller.kind === 'source') return [this.#placeable(caller.id), position];
        if (caller.kind !== 'member') throw new ParleyError(ErrorCode.InvalidParams, '"self" needs a member caller');
        return [this.#placeable(caller.member.attendeeId), position];
      }
      return [this.#placeable(id), position];
    });
  }

  /** Whatever the layout can place: a member (its control state) or a source. */
  #placeable(id: string): Placeable {
    const source = this.room.source(id);
    if (source) return source;
    return this.#member(id).state;
  }

  /** A named slot belongs to one member or source: whoever had it goes back to auto. */
  #place(target: Placeable | Member, position: string): void {
    const placed = 'state' in target ? target.state : target;
    if (position !== 'auto' && position !== 'off-canvas') {
      for (const other of [...this.room.members.map((m) => m.state), ...this.room.sources]) {
        if (other !== placed && other.requestedPosition === position) other.requestedPosition = 'auto';
      }
    }
    placed.requestedPosition = position;
  }

  /** What the media services see of this room (they never hold the room itself). */
  #mediaRoom(): MediaRoom {
    const room = this.room;
    const where = () => this.#where();
    return {
      roomSessionId: room.session.id,
      roomId: room.session.roomId,
      sfu: room.sfu,
      producers: () => room.producers,
      layout: () => this.layoutEntity(),
      videoOf: (memberId) => {
        const source = room.source(memberId);
        if (source) return source.producers.find((p) => p.kind === 'video' && !p.closed);
        const member = room.member(memberId);
        if (!member || member.state.videoMuted) return undefined;
        const videos = [...member.peer.producers.values()].filter((p) => p.kind === 'video');
        const wanted = member.isContent ? 'screen' : 'camera';
        return videos.find((p) => producerTag(p).source === wanted) ?? videos[0];
      },
      emit: (event, payload) => this.#emit(event, { ...where(), ...payload } as never),
      flagsChanged: (updated) => this.#emit('room.updated', { room_session: this.sessionEntity(), updated }),
      checkPlacement: (p) => {
        if (p.layout !== undefined && !isLayoutName(p.layout)) throw new ParleyError(ErrorCode.InvalidParams, `unknown layout "${p.layout.slice(0, 64)}": see getLayouts`);
        for (const id of Object.keys(p.positions ?? {})) if (id !== 'self') this.#placeable(id);
      },
      addSource: async (id, producers, p) => {
        await room.addSource({ id, producers, joinedAt: Date.now(), requestedPosition: 'auto', videoMuted: false });
        if (p.layout) {
          room.session.layoutName = p.layout;
          this.#emit('room.updated', { room_session: this.sessionEntity(), updated: ['layoutName'] });
        }
        for (const [target, position] of this.#resolvePositions({ kind: 'source', id }, p.positions ?? {})) this.#place(target, position);
        this.#relayout(Boolean(p.layout));
      },
      removeSource: (id) => room.removeSource(id),
      setSourcePaused: (id, paused) => {
        const source = room.source(id);
        if (!source) return;
        source.videoMuted = paused;
        this.#relayout();
        this.media.changed();
      },
    };
  }

  #afterRoleChange(member: Member): void {
    this.#sync(member);
    this.#relayout();
    this.#emitAudienceCount();
  }

  // ---- events -------------------------------------------------------------------------------

  #onJoined(member: Member): void {
    this.media.occupied();
    const entity = this.memberEntity(member);
    this.#announced.set(member.attendeeId, entity);
    this.#emit('member.joined', { ...this.#where(), member: entity });
    this.#relayout();
    this.#emitAudienceCount();
  }

  #onLeft(member: Member, reason: string): void {
    this.#talking.handleGone(member.attendeeId);
    this.#announced.delete(member.attendeeId);
    this.#emit('member.left', { ...this.#where(), member: this.memberEntity(member), reason });
    this.#relayout();
    this.#emitAudienceCount();
  }

  #onTalking(attendeeId: string, talking: boolean): void {
    const member = this.room.member(attendeeId);
    if (!member) return;
    const entity = this.memberEntity(member);
    const announced = this.#announced.get(attendeeId);
    if (announced) announced.talking = talking;
    this.#emit('member.talking', { ...this.#where(), member: entity });
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    void this.media.close().catch((err: unknown) => this.#log.error({ err }, 'media services did not close cleanly'));
    this.#emit('room.ended', { room_session: this.sessionEntity() });
    this.#log.info('room session ended');
  }

  /** Announces what changed about a member since it was last announced. */
  #sync(member: Member): void {
    if (this.room.member(member.attendeeId) !== member) return;
    const now = this.memberEntity(member);
    const before = this.#announced.get(member.attendeeId);
    if (!before) return;
    const updated = (Object.keys(now) as Array<keyof MemberEntity>)
      // talking has its own event; where a member sits is in layout.changed (a leave would
      // otherwise re-announce everyone placed after it).
      .filter((k) => k !== 'talking' && k !== 'current_position' && JSON.stringify(now[k]) !== JSON.stringify(before[k]))
      .map((k) => camelField(k));
    this.#announced.set(member.attendeeId, now);
    if (updated.length) this.#emit('member.updated', { ...this.#where(), member: now, updated });
  }

  #computeLayers() {
    const s = this.room.session;
    const candidates = this.room.members.filter((m) => m.role === 'member').map((m) => ({
      id: m.attendeeId, requestedPosition: m.state.requestedPosition, videoMuted: m.state.videoMuted,
      handraised: m.state.handraised, handraisedAt: m.state.handraisedAt, joinedAt: m.joinedAt,
    }));
    for (const src of this.room.sources) {
      candidates.push({ id: src.id, requestedPosition: src.requestedPosition, videoMuted: src.videoMuted, handraised: false, handraisedAt: 0, joinedAt: src.joinedAt });
    }
    const { layers, positions } = computeLayoutFor(s.layoutName, candidates, { hideVideoMuted: s.hideVideoMuted, prioritizeHandraise: s.prioritizeHandraise });
    return { layers: layers.map((l) => ({ ...l, z_index: l.layer_index === 0 && l.reservation ? 0 : 1 })), positions };
  }

  /** Recomputes the layout; announces it when it changed (or always, after setLayout). */
  #relayout(force = false): void {
    if (this.room.closed) return;
    const { layers, positions } = this.#computeLayers();
    for (const member of this.room.members) {
      const position = positions.get(member.attendeeId) ?? 'off-canvas';
      member.state.currentPosition = position;
      member.state.visible = position !== 'off-canvas';
    }
    const key = `${this.room.session.layoutName}|${JSON.stringify(layers)}`;
    if (key !== this.#layers || force) {
      this.#layers = key;
      this.#emit('layout.changed', { ...this.#where(), layout: { name: this.room.session.layoutName, room_session_id: this.id, room_id: this.room.session.roomId, layers } });
    }
    for (const member of this.room.members) this.#sync(member);
    // Mutes, joins and leaves all pass through here: the composites follow.
    this.media.changed();
  }

  #countAudience(): number {
    return this.room.members.filter((m) => m.role === 'audience').length;
  }

  #emitAudienceCount(): void {
    const total = this.#countAudience();
    if (total === this.#audienceCount) return;
    this.#audienceCount = total;
    this.#emit('room.audience_count', { ...this.#where(), total });
  }

  #where(): { room_session_id: string; room_id: string } {
    return { room_session_id: this.id, room_id: this.room.session.roomId };
  }

  /** To every member of the room, then to the realtime API. */
  #emit<E extends RoomEventName>(event: E, data: RoomEventData<E>): void {
    // An RTMP URL holds the stream key: only members who may stream see it whole.
    const redacted = event === 'stream.started' || event === 'stream.ended' ? withoutStreamKey(data as RoomEventData<'stream.started'>) : undefined;
    for (const member of this.room.members) {
      try {
        member.channel.notify(event, (redacted && !member.can(Permission.Stream) ? redacted : data) as never);
      } catch (err) {
        this.#log.warn({ err, attendeeId: member.attendeeId }, 'notify failed');
      }
    }
    this.emit('roomEvent', event, data);
  }
}

const computeLayoutFor = computeLayout;

function withoutStreamKey(data: RoomEventData<'stream.started'>): RoomEventData<'stream.started'> {
  return { ...data, stream: { ...data.stream, url: redactStreamUrl(data.stream.url) } };
}

/** A member's control state or a source: both have a requested layout position. */
type Placeable = { requestedPosition: string };

function withoutKeys(meta: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...meta };
  for (const k of keys) delete out[k];
  return out;
}

function validPermissions(names: string[]): Permission[] {
  const bad = names.find((n) => !(ALL_PERMISSIONS as readonly string[]).includes(n));
  if (bad) throw new ParleyError(ErrorCode.InvalidParams, `unknown permission "${bad.slice(0, 64)}"`);
  return names as Permission[];
}
