import type { types } from 'mediasoup';
import { CloseCode, ErrorCode, Permission, SessionEndReason, TypedEmitter, contentAttendeeId, type LeaveReason, type MediaKind, type MediaSource, type TransportInfo } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import { SfuPeer, producerTag } from '../sfu/sfuPeer.js';
import type { SfuRoom } from '../sfu/sfuRoom.js';
import { DataMessages } from './dataMessages.js';
import { Member, type MemberChannel, type MemberIdentity } from './member.js';
import { ProducerDemand, type Demand } from './producerDemand.js';
import { RoomSessionState, defaultRoomSettings, type RoomSettings } from './roomSessionState.js';
import { dBovToVolume } from './volume.js';

export interface RoomLimits {
  maxVideoTiles: number;
  maxContentShares: number;
  maxAttendeesPerMeeting: number;
  /** Per member: transports created, producers held by kind, consumers held (limit_reached beyond). */
  maxTransportsPerMember: number;
  maxAudioProducersPerMember: number;
  maxVideoProducersPerMember: number;
  maxConsumersPerMember: number;
}

export type RoomEvents = {
  /** The last member left. */
  empty: [];
  closed: [];
  /** Room control hooks: a member arrived/left, or its media or role changed. */
  memberJoined: [Member];
  memberLeft: [Member, LeaveReason];
  memberChanged: [Member];
  /** end() is about to send everyone away. */
  ending: [];
  /** A producer appeared: a member's or a source's (media services follow them). */
  producerAdded: [types.Producer];
  /** A source was added or removed, or its position changed (the layout follows). */
  sourcesChanged: [];
  /** A limit refused a member something (telemetry counts it): scope member or room, reason what. */
  limitReached: [scope: 'member' | 'room', reason: 'members' | 'transports' | 'producers' | 'consumers'];
};

/**
 * Media in the room that is not a member (a playback): every member receives its producers and
 * the layout places it, but it is in no member list and counts toward no limit.
 */
export interface RoomSource {
  /** The attendee id its producers carry (playback-...). */
  readonly id: string;
  readonly producers: types.Producer[];
  readonly joinedAt: number;
  requestedPosition: string;
  /** Paused video: hidden like a video-muted member. */
  videoMuted: boolean;
}

export type { LeaveReason } from '@parley/protocol';

/** Consumers start paused until their client resumes them: a video is unwanted only after this long. */
const DEMAND_SETTLE_MS = 1000;

/**
 * A live meeting: who is in it and what flows between them. The room owns the truth about
 * members; its SfuRoom only moves the media the room asks for.
 */
export class Room extends TypedEmitter<RoomEvents> {
  readonly meetingId: string;
  readonly sfu: SfuRoom;
  /** SignalWire-style session state (name, meta, layout, lock...). */
  readonly session: RoomSessionState;
  readonly #members = new Map<string, Member>();
  readonly #sources = new Map<string, RoomSource>();
  readonly #limits: RoomLimits;
  readonly #log: Logger;
  #closed = false;
  #activeSpeakerId: string | null = null;
  /** The camera count last told to members, so videoSlots goes out only on a change. */
  #videoSlotsAnnounced = 0;
  /** Dynacast: tells publishers to stop sending videos nobody receives. */
  readonly #demand: ProducerDemand;
  readonly #dataMessages = new DataMessages();
  /** Transports each member has created (they replace each other, so the count is of creations). */
  readonly #transportsCreated = new WeakMap<Member, number>();
  /** Members already told they reached the consumer cap (logged once each). */
  readonly #consumerCapped = new WeakSet<Member>();

  constructor(meetingId: string, sfu: SfuRoom, limits: RoomLimits, logger: Logger, settings: RoomSettings = defaultRoomSettings(meetingId)) {
    super();
    this.meetingId = meetingId;
    this.sfu = sfu;
    this.session = new RoomSessionState(meetingId, settings);
    this.#limits = limits;
    this.#log = logger.child({ meetingId });
    this.onListenerError = (event, err) => this.#log.error({ err, event }, 'room listener threw');
    sfu.on('volumes', (levels) => this.#broadcastVolumes(levels));
    sfu.on('silence', () => this.#broadcastVolumes([]));
    sfu.on('dominantSpeaker', (attendeeId) => {
      if (!this.#members.has(attendeeId)) return;
      this.#activeSpeakerId = attendeeId;
      this.#broadcast((m) => m.channel.notify('activeSpeaker', { attendeeId }));
    });
    this.#demand = new ProducerDemand({
      settleMs: DEMAND_SETTLE_MS,
    });
    this.#demand.onListenerError = this.onListenerError;
    this.#demand.on('demand', (producer, { wanted, maxSpatialLayer }) => {
      const publisher = this.#members.get(producerTag(producer).attendeeId);
      if (!publisher || !publisher.peer.producers.has(producer.id)) return;
      this.#log.debug({ attendeeId: publisher.attendeeId, producerId: producer.id, wanted, maxSpatialLayer }, 'producer demand');
      publisher.channel.notify('producerDemand', { producerId: producer.id, wanted, ...(maxSpatialLayer !== null ? { maxSpatialLayer } : {}) });
    });
    sfu.on('close', (why) => {
      if (why === 'workerDied') this.#mediaLost();
      else this.end(SessionEndReason.SignalingInternalServerError, 'media server for this meeting stopped');
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What the receivers of a video producer want of it now (dynacast; for tests and operators). */
  producerDemand(producerId: string): Demand {
    return this.#demand.demand(producerId);
  }

  get members(): Member[] {
    return [...this.#members.values()];
  }

  get activeSpeakerId(): string | null {
    return this.#activeSpeakerId && this.#members.has(this.#activeSpeakerId) ? this.#activeSpeakerId : null;
  }

  /** Cameras being sent now; the meeting allows limits.maxVideoTiles. */
  get videoSlotsUsed(): number {
    return this.#countProducers('camera');
  }

  member(attendeeId: string): Member | undefined {
    return this.#members.get(attendeeId);
  }

  get sources(): RoomSource[] {
    return [...this.#sources.values()];
  }

  source(id: string): RoomSource | undefined {
    return this.#sources.get(id);
  }

  /** Adds a source; every member that can receive gets its producers. Its producers closing removes it. */
  async addSource(source: RoomSource): Promise<void> {
    if (this.#closed) throw new ParleyError(ErrorCode.NotFound, 'the room session has ended');
    this.#sources.set(source.id, source);
    for (const producer of source.producers) {
      producer.observer.once('close', () => {
        if (source.producers.every((p) => p.closed)) this.removeSource(source.id);
      });
      this.emit('producerAdded', producer);
    }
    this.emit('sourcesChanged');
    await Promise.all(this.members.flatMap((m) => source.producers.map((p) => this.#consume(m, p))));
  }

  /** Removes a source and closes its producers (their consumers close with them). */
  removeSource(id: string): void {
    const source = this.#sources.get(id);
    if (!source) return;
    this.#sources.delete(id);
    for (const producer of source.producers) producer.close();
    this.emit('sourcesChanged');
  }

  /** Every producer in the room: members' and sources'. */
  get producers(): types.Producer[] {
    return [...this.members.flatMap((m) => [...m.peer.producers.values()]), ...this.sources.flatMap((s) => s.producers.filter((p) => !p.closed))];
  }

  /** Adds a member. A second connection of the same attendee replaces the first. */
  join(identity: MemberIdentity, channel: MemberChannel): Member {
    if (this.#closed) throw new ParleyError(ErrorCode.MeetingNotFound, 'meeting has ended');
    const previous = this.#members.get(identity.attendeeId);
    const parentPresent = identity.isContent && [...this.#members.values()].some((m) => identity.attendeeId === contentAttendeeId(m.attendeeId));
    if (this.session.locked && !previous && !parentPresent) throw new ParleyError(ErrorCode.RoomLocked, 'the room is locked: nobody new can join');
    if (previous) {
      this.leave(previous.attendeeId, 'dropped');
      previous.channel.end(SessionEndReason.AudioJoinedFromAnotherDevice, 'joined from another connection');
    }
    if (identity.isContent && this.members.filter((m) => m.isContent).length >= this.#limits.maxContentShares) {
      throw new ParleyError(ErrorCode.ContentShareLimitReached, `at most ${this.#limits.maxContentShares} content shares per meeting`);
    }
    if (this.#members.size >= this.#limits.maxAttendeesPerMeeting) {
      this.emit('limitReached', 'room', 'members');
      throw new ParleyError(ErrorCode.RoomFull, `the meeting is full (at most ${this.#limits.maxAttendeesPerMeeting} members)`);
    }
    const peer = new SfuPeer(this.sfu, identity.attendeeId, (err) => this.#log.warn({ err, attendeeId: identity.attendeeId }, 'layer policy failed'));
    const member = new Member(identity, peer, channel);
    member.peer.on('consumerClosed', (consumerId) => channel.notify('consumerClosed', { consumerId }));
    member.peer.on('consumerPaused', (consumerId) => channel.notify('consumerPaused', { consumerId }));
    member.peer.on('consumerResumed', (consumerId) => channel.notify('consumerResumed', { consumerId }));
    member.peer.layers.on('wanted', (consumerId) => this.#demand.handleWantedLayer(consumerId));
    this.#members.set(member.attendeeId, member);
    const attendee = member.info();
    this.#broadcast((m) => m.channel.notify('attendeeJoined', { attendee }), member);
    this.#log.info({ attendeeId: member.attendeeId, members: this.#members.size }, 'member joined');
    this.emit('memberJoined', member);
    // Data messages sent with a lifetime reach those who join before it ends (after their join reply).
    const pending = this.#dataMessages.pendingFor(member.attendeeId);
    if (pending.length) setImmediate(() => pending.forEach((m) => this.#members.get(member.attendeeId) === member && member.channel.notify('dataMessage', m)));
    return member;
  }

  /** Removes a member and everything it sent; idempotent. */
  leave(attendeeId: string, reason: LeaveReason): void {
    const member = this.#members.get(attendeeId);
    if (!member) return;
    this.#members.delete(attendeeId);
    member.peer.close();
    this.#dataMessages.handleLeft(attendeeId);
    this.#broadcast((m) => m.channel.notify('attendeeLeft', { attendeeId, reason }));
    this.#log.info({ attendeeId, reason, members: this.#members.size }, 'member left');
    this.emit('memberLeft', member, reason);
    if (this.#members.size === 0) this.emit('empty');
  }

  /** The client can now receive: consume everything already published by others. */
  async setRtpCapabilities(member: Member, rtpCapabilities: types.RtpCapabilities): Promise<void> {
    member.peer.rtpCapabilities = rtpCapabilities;
    if (!member.peer.hasReceiveTransport()) throw new ParleyError(ErrorCode.TransportNotFound, 'create a recv transport before setRtpCapabilities');
    for (const other of this.members) {
      if (other === member) continue;
      for (const producer of other.peer.producers.values()) await this.#consume(member, producer);
    }
    for (const source of this.sources) for (const producer of source.producers) await this.#consume(member, producer);
  }

  /** A transport for the member, within maxTransportsPerMember creations (a client needs two). */
  async createTransport(member: Member, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const created = this.#transportsCreated.get(member) ?? 0;
    if (created >= this.#limits.maxTransportsPerMember) {
      this.emit('limitReached', 'member', 'transports');
      throw new ParleyError(ErrorCode.LimitReached, `at most ${this.#limits.maxTransportsPerMember} transports per member`);
    }
    this.#transportsCreated.set(member, created + 1);
    return member.peer.createTransport(direction);
  }

  async produce(
    member: Member, transportId: string, kind: MediaKind, source: MediaSource, rtpParameters: Record<string, unknown>, paused: boolean,
    size?: { width?: number | undefined; height?: number | undefined },
  ): Promise<string> {
    this.#checkCanPublish(member, kind, source);
    const maxOfKind = kind === 'audio' ? this.#limits.maxAudioProducersPerMember : this.#limits.maxVideoProducersPerMember;
    if ([...member.peer.producers.values()].filter((p) => p.kind === kind).length >= maxOfKind) {
      this.emit('limitReached', 'member', 'producers');
      throw new ParleyError(ErrorCode.LimitReached, `at most ${maxOfKind} ${kind} producers per member`);
    }
    if (source === 'camera' && this.#countProducers('camera') >= this.#limits.maxVideoTiles) {
      throw new ParleyError(ErrorCode.VideoLimitReached, `at most ${this.#limits.maxVideoTiles} videos per meeting`);
    }
    // Muted by room control (or joined muted): the server holds it paused until unmuted.
    const forced = kind === 'audio' ? member.state.audioMuted : member.state.videoMuted;
    const producer = await member.peer.produce(transportId, kind, rtpParameters, paused || forced, {
      attendeeId: member.attendeeId,
      source,
      ...(size?.width && size.height ? { width: size.width, height: size.height } : {}),
    });
    if (paused) this.#setMutedState(member, kind, true);
    producer.observer.once('close', () => this.#announce(member));
    this.#announce(member);
    this.emit('producerAdded', producer);
    await Promise.all(this.members.filter((m) => m !== member).map((m) => this.#consume(m, producer)));
    return producer.id;
  }

  /** A data message to everyone else; over the rate it goes back to the sender flagged throttled. */
  sendDataMessage(member: Member, p: { topic: string; data: string; lifetimeMs?: number | undefined }): void {
    const { message, toSenderOnly } = this.#dataMessages.handleSend(member, p);
    if (toSenderOnly) member.channel.notify('dataMessage', message);
    else this.#broadcast((m) => m.channel.notify('dataMessage', message), member);
  }

  closeProducer(member: Member, producerId: string): void {
    member.peer.producer(producerId).close();
  }

  async pauseProducer(member: Member, producerId: string): Promise<void> {
    const producer = member.peer.producer(producerId);
    await producer.pause();
    this.#setMutedState(member, producer.kind, true);
    this.#announce(member);
  }

  async resumeProducer(member: Member, producerId: string): Promise<void> {
    const producer = member.peer.producer(producerId);
    this.#checkCanPublish(member, producer.kind, producerTag(producer).source);
    await producer.resume();
    this.#setMutedState(member, producer.kind, false);
    this.#announce(member);
  }

  /** The client resumes consumers it is ready for; a deaf member's audio stays paused. */
  async resumeConsumer(member: Member, consumerId: string): Promise<void> {
    const consumer = member.peer.consumer(consumerId);
    if (consumer.kind === 'audio' && member.state.deaf) return;
    await consumer.resume();
  }

  /** The client stops receiving one track (a paused tile); nobody receiving a video stops its publisher sending it. */
  async pauseConsumer(member: Member, consumerId: string): Promise<void> {
    await member.peer.consumer(consumerId).pause();
  }

  /** The size a client renders a video at, or its layer cap: input to its layer policy. */
  setConsumerPreferences(member: Member, consumerId: string, prefs: { width?: number | undefined; height?: number | undefined; maxSpatialLayer?: number | undefined }): void {
    const consumer = member.peer.consumer(consumerId);
    if (consumer.kind !== 'video') throw new ParleyError(ErrorCode.InvalidParams, 'preferences apply to video consumers');
    member.peer.layers.handlePreferences(consumerId, {
      ...(prefs.width !== undefined && prefs.height !== undefined ? { width: prefs.width, height: prefs.height } : {}),
      ...(prefs.maxSpatialLayer !== undefined ? { maxSpatialLayer: prefs.maxSpatialLayer } : {}),
    });
  }

  // ---- media effects of room control ---------------------------------------------------------

  /** audioMute/videoMute: the server stops (or restarts) forwarding what the member sends. */
  async setMuted(member: Member, kind: MediaKind, muted: boolean): Promise<void> {
    for (const producer of member.peer.producers.values()) {
      if (producer.kind !== kind) continue;
      if (muted) await producer.pause();
      else await producer.resume();
    }
    this.#setMutedState(member, kind, muted);
    this.#announce(member);
  }

  /** deaf/undeaf: stop (or restart) forwarding audio to the member. */
  async setDeaf(member: Member, deaf: boolean): Promise<void> {
    member.state.deaf = deaf;
    for (const consumer of member.peer.consumers.values()) {
      if (consumer.kind !== 'audio') continue;
      if (deaf) await consumer.pause();
      else await consumer.resume();
    }
    this.emit('memberChanged', member);
  }

  /** promote/demote: an audience member sends nothing and receives what mediaAllowed allows. */
  async setRole(member: Member, role: 'member' | 'audience'): Promise<void> {
    member.role = role;
    if (role === 'audience') for (const producer of [...member.peer.producers.values()]) producer.close();
    for (const consumer of [...member.peer.consumers.values()]) {
      if (role === 'audience' && !member.allows(consumer.kind)) consumer.close();
    }
    if (member.peer.rtpCapabilities && member.peer.hasReceiveTransport()) {
      const have = new Set([...member.peer.consumers.values()].map((c) => c.producerId));
      for (const other of this.members) {
        if (other === member) continue;
        for (const producer of other.peer.producers.values()) if (!have.has(producer.id)) await this.#consume(member, producer);
      }
      for (const source of this.sources) for (const producer of source.producers) if (!have.has(producer.id)) await this.#consume(member, producer);
    }
    this.#announce(member);
  }

  /** Sends a member away (removeMember). */
  remove(member: Member, message: string): void {
    if (this.#members.get(member.attendeeId) !== member) return;
    this.leave(member.attendeeId, 'removed');
    member.channel.end(SessionEndReason.Removed, message);
  }

  /**
   * The worker carrying this room died (the pool replaces it). The room closes and every member
   * is disconnected without ending its session, so the SDKs reconnect and rejoin a new room on a
   * live worker, keeping their local state (mute, tiles).
   */
  #mediaLost(): void {
    if (this.#closed) return;
    this.#log.error({ members: this.#members.size }, 'the media worker of this room died: members reconnect');
    for (const member of this.members) {
      this.#members.delete(member.attendeeId);
      member.peer.close();
      member.channel.disconnect(CloseCode.MediaRestart, 'the media server for this meeting restarted: reconnect');
    }
    this.close();
  }

  /** Ends the session for everyone, telling each client why. */
  end(reason: SessionEndReason, message: string): void {
    if (this.#closed) return;
    this.emit('ending');
    for (const member of this.members) {
      this.#members.delete(member.attendeeId);
      member.peer.close();
      member.channel.end(reason, message);
    }
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#demand.close();
    for (const member of this.members) member.peer.close();
    this.#members.clear();
    for (const source of this.sources) for (const producer of source.producers) producer.close();
    this.#sources.clear();
    this.sfu.close();
    this.emit('closed');
    this.removeAllListeners();
  }

  #checkCanPublish(member: Member, kind: MediaKind, source: MediaSource): void {
    if (member.role === 'audience') throw new ParleyError(ErrorCode.Forbidden, 'audience members cannot publish media');
    if (!member.allows(kind)) throw new ParleyError(ErrorCode.Forbidden, `this member may send ${member.state.mediaAllowed} media only`);
    if ((source === 'screen' || source === 'screen-audio') && !member.can(Permission.SelfScreenshare)) {
      throw new ParleyError(ErrorCode.Forbidden, 'missing permission room.self.screenshare');
    }
    const needed = kind === 'audio' ? Permission.SelfAudioUnmute : Permission.SelfVideoUnmute;
    if (source !== 'screen' && source !== 'screen-audio' && !member.can(needed)) {
      throw new ParleyError(ErrorCode.Forbidden, `missing permission ${needed}`);
    }
  }

  async #consume(member: Member, producer: types.Producer): Promise<void> {
    if (producer.closed) return;
    const tag = producerTag(producer);
    // A sharer sees its own content tile (Chime does too) but must not hear its shared audio.
    if (producer.kind === 'audio' && tag.attendeeId === contentAttendeeId(member.attendeeId)) return;
    // An audience member receives only what its mediaAllowed lets through.
    if (member.role === 'audience' && !member.allows(producer.kind)) return;
    if (member.peer.consumers.size >= this.#limits.maxConsumersPerMember) {
      // Server-made: nothing to answer. The member is sent no more tracks; counted and logged once.
      this.emit('limitReached', 'member', 'consumers');
      if (!this.#consumerCapped.has(member)) this.#log.warn({ attendeeId: member.attendeeId, max: this.#limits.maxConsumersPerMember }, 'member reached the consumer cap: no more tracks sent to it');
      this.#consumerCapped.add(member);
      return;
    }
    const consumer = await member.peer.consume(producer);
    if (!consumer) return;
    this.#demand.handleConsumer(consumer, producer, () => member.peer.layers.wantedLayer(consumer.id));
    member.channel.notify('newConsumer', {
      consumerId: consumer.id,
      producerId: producer.id,
      attendeeId: tag.attendeeId,
      kind: consumer.kind,
      source: tag.source,
      rtpParameters: { ...consumer.rtpParameters },
      producerPaused: consumer.producerPaused,
    });
  }

  #announce(member: Member): void {
    this.#announceVideoSlots();
    if (!this.#members.has(member.attendeeId)) return;
    const attendee = member.info();
    this.#broadcast((m) => m.channel.notify('attendeeUpdated', { attendee }));
    this.emit('memberChanged', member);
  }

  #setMutedState(member: Member, kind: MediaKind, muted: boolean): void {
    if (kind === 'audio') member.state.audioMuted = muted;
    else member.state.videoMuted = muted;
  }

  /** Tells everyone how many of the meeting's camera slots are taken, when that changed. */
  #announceVideoSlots(): void {
    const used = this.videoSlotsUsed;
    if (used === this.#videoSlotsAnnounced) return;
    this.#videoSlotsAnnounced = used;
    const limit = this.#limits.maxVideoTiles;
    this.#broadcast((m) => m.channel.notify('videoSlots', { used, limit }));
  }

  #countProducers(source: string): number {
    return this.members.reduce((n, m) => n + m.producersOf(source).length, 0);
  }

  /** Every attendee that sends audio gets a level; those not in the loud list are silent. */
  #broadcastVolumes(loud: Array<{ attendeeId: string; dBov: number }>): void {
    // Loudest first, so the first level seen for an attendee is its loudest source.
    const byAttendee = new Map<string, number>();
    for (const l of loud) if (!byAttendee.has(l.attendeeId)) byAttendee.set(l.attendeeId, l.dBov);
    const levels: Array<{ attendeeId: string; volume: number }> = [];
    for (const m of this.#members.values()) {
      if (![...m.peer.producers.values()].some((p) => p.kind === 'audio')) continue;
      levels.push({ attendeeId: m.attendeeId, volume: dBovToVolume(byAttendee.get(m.attendeeId) ?? -127) });
    }
    if (levels.length) this.#broadcast((m) => m.channel.notify('volumes', { levels }));
  }

  #broadcast(fn: (member: Member) => void, except?: Member): void {
    for (const member of this.#members.values()) {
      if (member === except) continue;
      try {
        fn(member);
      } catch (err) {
        this.#log.warn({ err, attendeeId: member.attendeeId }, 'notify failed');
      }
    }
  }
}
