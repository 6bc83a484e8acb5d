import {
  ROOM_EVENT_NAMES, RoomSessionApi,
  type MemberEvent, type RoomMember, type RoomMethod, type RoomParams, type RoomResult, type RoomSessionEvents, type RoomSessionFullState,
  type VideoPositions,
} from '@parley/protocol';
import { ParleyEngine, type RemoteTrack } from '../engine/parleyEngine.js';
import { ParleyClientError } from '../errors.js';
import { AudioGain } from './audioGain.js';
import { LayoutRenderer } from './layoutRenderer.js';
import { RoomSessionScreenShare } from './roomSessionScreenShare.js';

/** A screen share sends one sharp layer: text must stay readable, motion matters less. */
const SCREEN_ENCODINGS: RTCRtpEncodingParameters[] = [{ maxBitrate: 1_500_000, maxFramerate: 15 }];

export interface StartScreenShareOptions {
  /** Share the screen's audio too (getDisplayMedia audio). Default false. */
  audio?: boolean | MediaTrackConstraints;
  /** getDisplayMedia video constraints. Default true. */
  video?: boolean | MediaTrackConstraints;
  /** Switch the room to this layout when the share has joined. */
  layout?: string;
  /** Positions to apply with it; "self" names the screen share. */
  positions?: VideoPositions;
  /** Parley: share this stream (a canvas, a video element's captureStream()) instead of asking for the screen. */
  stream?: MediaStream;
}

/** updateCamera / updateMicrophone take constraints (as SignalWire's do) or, in Parley, a track or stream to send. */
export type DeviceUpdate = MediaTrackConstraints | MediaStreamTrack | MediaStream;

export interface RoomSessionOptions {
  /** A room token from POST /api/room_tokens (your backend gets it). */
  token: string;
  /** Where the room's layout is drawn. */
  rootElement?: HTMLElement;
  /** The Parley server: "host:port" or a URL; default the page's origin. */
  host?: string;
  /** The signaling URL itself (the room token response's signaling_url); overrides host. */
  signalingUrl?: string;
  /** Microphone: true (default), false, or constraints. */
  audio?: boolean | MediaTrackConstraints;
  /** Camera: true (default), false, or constraints. */
  video?: boolean | MediaTrackConstraints;
  /** Send these tracks instead of asking for the devices. */
  localStream?: MediaStream;
}

export type BrowserRoomSessionEvents = RoomSessionEvents & {
  /** A remote track arrived (or went away). */
  track: [RemoteTrack];
  'track.removed': [RemoteTrack];
  /** The full member list, after room.joined and after every member.joined / member.left / member.updated. */
  'memberList.updated': [{ members: RoomMember[] }];
  /**
   * Parley: the server is shutting down. The room goes on until deadlineMs (epoch ms); then
   * room.left comes with reason 'AudioServiceUnavailable' (SessionEndReason.ServerShutdown).
   */
  'room.draining': [{ deadlineMs: number; message: string }];
};

/**
 * SignalWire-style RoomSession for a browser participant: join with a room token, control the
 * room with the reference's methods (the server checks each against the token's permissions),
 * listen with on/once/off, and see the room's layout drawn into rootElement.
 */
export class RoomSession extends RoomSessionApi<BrowserRoomSessionEvents> {
  readonly options: RoomSessionOptions;
  #engine: ParleyEngine | undefined;
  #renderer: LayoutRenderer | undefined;
  #audio: AudioGain | undefined;
  #local: MediaStream | undefined;
  #publishing: Promise<void> = Promise.resolve();
  /** Local tracks this session captured itself (and so stops). */
  readonly #owned = new Set<MediaStreamTrack>();
  readonly #screenShares = new Set<RoomSessionScreenShare>();
  #sinkId = '';

  constructor(options: RoomSessionOptions) {
    super();
    this.options = options;
  }

  get engine(): ParleyEngine | undefined {
    return this.#engine;
  }

  /** Your member id in the room. */
  get memberId(): string {
    return this.#engine?.attendeeId ?? '';
  }

  get self(): RoomMember | undefined {
    return this.members.get(this.memberId);
  }

  get localStream(): MediaStream | undefined {
    return this.#local;
  }

  /** The screen shares this session started and that are still active. */
  get screenShareList(): RoomSessionScreenShare[] {
    return [...this.#screenShares];
  }

  /** The deviceId (or track id, for a track that is not a device) of the camera / microphone sent. */
  get cameraId(): string | undefined {
    const t = this.#local?.getVideoTracks()[0];
    return t ? (t.getSettings().deviceId ?? t.id) : undefined;
  }

  get microphoneId(): string | undefined {
    const t = this.#local?.getAudioTracks()[0];
    return t ? (t.getSettings().deviceId ?? t.id) : undefined;
  }

  /** The audio output the room plays on (AudioContext.sinkId; '' = the default device). */
  get speakerId(): string {
    return this.#audio?.sinkId ?? this.#sinkId;
  }

  get remoteTracks(): RemoteTrack[] {
    return this.#engine?.remoteTracks ?? [];
  }

  async join(): Promise<RoomSessionFullState> {
    if (this.#engine) throw new ParleyClientError('already_joined', 'this RoomSession has joined already');
    const engine = await ParleyEngine.join({ signalingUrl: this.#signalingUrl(), token: this.options.token });
    this.#engine = engine;
    this.#audio = new AudioGain();
    for (const name of ROOM_EVENT_NAMES) engine.signal.on(name, (data) => this.#onRoomEvent(name, data));
    engine.on('trackAdded', (t) => this.#onTrack(t, true));
    engine.on('trackRemoved', (t) => this.#onTrack(t, false));
    // A paused (muted) sender: play nothing rather than the receiver's loss concealment.
    engine.on('trackPaused', (t) => t.kind === 'audio' && this.#audio?.stop(t.consumerId));
    engine.on('trackResumed', (t) => t.kind === 'audio' && this.#audio?.play(t.consumerId, t.track));
    engine.on('ended', (reason, message) => this.#onLeft(reason, message));
    // Told during the join (a late joiner) or after it.
    engine.on('serverDraining', (d) => this.emit('room.draining', d));
    if (engine.serverDraining) this.emit('room.draining', engine.serverDraining);
    engine.on('disconnected', (code, reason) => this.#onLeft('disconnected', `${code} ${reason}`));
    if (this.options.rootElement) {
      this.#renderer = new LayoutRenderer(this.options.rootElement, {
        member: (id) => this.members.get(id),
        videoTrack: (id) => this.#videoTrack(id),
      });
    }
    const state = await this.subscribe();
    const self = this.self;
    this.#audio.setInputVolume(self?.inputVolume ?? 0);
    this.#audio.setOutputVolume(self?.outputVolume ?? 0);
    for (const t of engine.remoteTracks) this.#onTrack(t, true);
    if (self?.type === 'member') await this.#publish();
    this.#renderLayout();
    this.emit('room.joined', state);
    this.emit('memberList.updated', { members: [...this.members.values()] });
    return state;
  }

  async leave(): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    await Promise.all([...this.#screenShares].map((s) => s.leave()));
    await engine.leave();
    this.#cleanup();
  }

  /**
   * Shares the screen (getDisplayMedia) or, in Parley, `options.stream`: a second connection
   * joins as member "<memberId>#content" of type "screen" whose parent_id is you. Needs the
   * permission room.self.screenshare. Resolves once the share's media is being sent.
   */
  async startScreenShare(options: StartScreenShareOptions = {}): Promise<RoomSessionScreenShare> {
    if (!this.#engine || this.#engine.closed) throw new ParleyClientError('not_connected', 'join the room first');
    const stream = options.stream ?? await navigator.mediaDevices.getDisplayMedia({ video: options.video ?? true, audio: options.audio ?? false });
    const own = !options.stream;
    let engine: ParleyEngine | undefined;
    try {
      engine = await ParleyEngine.join({ signalingUrl: this.#signalingUrl(), token: this.options.token, content: true });
      const video = stream.getVideoTracks()[0];
      const audio = stream.getAudioTracks()[0];
      if (video) {
        if (!video.contentHint) video.contentHint = 'detail';
        await engine.publish(video, 'screen', { encodings: SCREEN_ENCODINGS.map((e) => ({ ...e })) });
      }
      if (audio) await engine.publish(audio, 'screen-audio');
    } catch (err) {
      engine?.close();
      if (own) for (const t of stream.getTracks()) t.stop();
      throw err;
    }
    const share = new RoomSessionScreenShare(engine, stream, own);
    this.#screenShares.add(share);
    share.once('destroy', () => this.#screenShares.delete(share));
    if (options.layout !== undefined || options.positions) {
      const positions: VideoPositions = {};
      for (const [id, pos] of Object.entries(options.positions ?? {})) positions[id === 'self' ? share.id : id] = pos;
      await this.setLayout({ name: options.layout ?? this.layoutName, positions });
    }
    return share;
  }

  /**
   * Switches the camera: new constraints (a deviceId, a size) are captured with getUserMedia,
   * or a track / stream you pass is sent as it is; the others receive the new video without a
   * renegotiation. Before, nothing was sent for the camera: it starts being sent.
   */
  async updateCamera(update: DeviceUpdate): Promise<void> {
    const track = await this.#newTrack('video', update);
    await this.#publishing;
    const engine = this.#engine;
    const self = this.self;
    if (engine && self?.type === 'member' && self.mediaAllowed !== 'audio-only') {
      await engine.publish(track, 'camera', { paused: self.videoMuted });
    }
    this.#replaceLocal(track);
    this.#renderLayout();
  }

  /** Switches the microphone the same way; the input volume still applies. */
  async updateMicrophone(update: DeviceUpdate): Promise<void> {
    const track = await this.#newTrack('audio', update);
    await this.#publishing;
    const engine = this.#engine;
    const self = this.self;
    if (engine && this.#audio && self?.type === 'member' && self.mediaAllowed !== 'video-only') {
      const sent = this.#audio.sendTrack(track);
      if (!engine.producer('microphone')) await engine.publish(sent, 'microphone', { paused: self.audioMuted });
    }
    this.#replaceLocal(track);
  }

  /** Plays the room's audio on another output device (an audiooutput deviceId; '' = default). */
  async updateSpeaker(params: { deviceId: string }): Promise<void> {
    if (!this.#audio) throw new ParleyClientError('not_connected', 'join the room first');
    await this.#audio.setSinkId(params.deviceId);
    this.#sinkId = params.deviceId;
  }

  async #newTrack(kind: 'audio' | 'video', update: DeviceUpdate): Promise<MediaStreamTrack> {
    if (!this.#engine || this.#engine.closed) throw new ParleyClientError('not_connected', 'join the room first');
    if (update instanceof MediaStreamTrack) {
      if (update.kind !== kind) throw new ParleyClientError('invalid_params', `a ${kind} track is needed`);
      return update;
    }
    if (update instanceof MediaStream) {
      const t = kind === 'video' ? update.getVideoTracks()[0] : update.getAudioTracks()[0];
      if (!t) throw new ParleyClientError('invalid_params', `the stream has no ${kind} track`);
      return t;
    }
    const stream = await navigator.mediaDevices.getUserMedia(kind === 'video' ? { video: update } : { audio: update });
    const t = stream.getTracks()[0]!;
    this.#owned.add(t);
    return t;
  }

  /** The local stream with `track` in place of its kind's track (the caller's own stream is not changed). */
  #replaceLocal(track: MediaStreamTrack): void {
    const old = this.#local?.getTracks().filter((t) => t.kind === track.kind) ?? [];
    const kept = this.#local?.getTracks().filter((t) => t.kind !== track.kind) ?? [];
    this.#local = new MediaStream([...kept, track]);
    for (const t of old) {
      if (t !== track && this.#owned.delete(t)) t.stop();
    }
  }

  protected override request<M extends RoomMethod>(method: M, params: Omit<RoomParams<M>, 'roomSessionId'>): Promise<RoomResult<M>> {
    const engine = this.#engine;
    if (!engine || engine.closed) return Promise.reject(new ParleyClientError('not_connected', 'join the room first'));
    return engine.signal.request(method, params as RoomParams<M>) as Promise<RoomResult<M>>;
  }

  #signalingUrl(): string {
    if (this.options.signalingUrl) return this.options.signalingUrl;
    const host = this.options.host ?? location.origin;
    const base = /^[a-z]+:\/\//.test(host) ? host : `${location.protocol}//${host}`;
    return `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/signaling`;
  }

  #onRoomEvent(name: (typeof ROOM_EVENT_NAMES)[number], data: unknown): void {
    const before = this.self;
    this.handleRoomEvent(name, data as never);
    if (name === 'member.updated') this.#onMemberUpdated(before);
    if (name === 'layout.changed' || name.startsWith('member.')) this.#renderLayout();
    if (name === 'member.joined' || name === 'member.left' || name === 'member.updated') {
      this.emit('memberList.updated', { members: [...this.members.values()] });
    }
  }

  /** The server changed something about you: make the local media follow. */
  #onMemberUpdated(before: RoomMember | undefined): void {
    const self = this.self;
    const engine = this.#engine;
    if (!self || !before || !engine) return;
    if (self.audioMuted !== before.audioMuted) engine.setLocalPaused('microphone', self.audioMuted);
    if (self.videoMuted !== before.videoMuted) engine.setLocalPaused('camera', self.videoMuted);
    if (self.inputVolume !== before.inputVolume) this.#audio?.setInputVolume(self.inputVolume);
    if (self.outputVolume !== before.outputVolume) this.#audio?.setOutputVolume(self.outputVolume);
    if (self.type !== before.type) {
      // Promoted: start sending. Demoted: the server closed what we sent.
      if (self.type === 'member') this.#publishing = this.#publishing.then(() => this.#publish()).catch((err: unknown) => console.warn('[parley] publish after promote failed', err));
      else this.#publishing = this.#publishing.then(() => this.#unpublish());
    }
  }

  async #publish(): Promise<void> {
    const engine = this.#engine;
    const self = this.self;
    if (!engine || !self) return;
    const wantAudio = this.options.audio !== false && self.mediaAllowed !== 'video-only';
    const wantVideo = this.options.video !== false && self.mediaAllowed !== 'audio-only';
    if (!wantAudio && !wantVideo) return;
    if (!this.#local) {
      this.#local = this.options.localStream ?? await navigator.mediaDevices.getUserMedia({
        audio: wantAudio ? (this.options.audio ?? true) : false,
        video: wantVideo ? (this.options.video ?? true) : false,
      });
      if (!this.options.localStream) for (const t of this.#local.getTracks()) this.#owned.add(t);
    }
    const mic = this.#local.getAudioTracks()[0];
    const cam = this.#local.getVideoTracks()[0];
    if (mic && wantAudio && this.#audio) await engine.publish(this.#audio.sendTrack(mic), 'microphone', { paused: self.audioMuted });
    if (cam && wantVideo) await engine.publish(cam, 'camera', { paused: self.videoMuted });
  }

  async #unpublish(): Promise<void> {
    await this.#engine?.unpublish('microphone');
    await this.#engine?.unpublish('camera');
  }

  #onTrack(track: RemoteTrack, added: boolean): void {
    if (track.kind === 'audio') {
      if (added && !track.paused) this.#audio?.play(track.consumerId, track.track);
      else this.#audio?.stop(track.consumerId);
    }
    this.emit(added ? 'track' : 'track.removed', track);
    this.#renderLayout();
  }

  #videoTrack(memberId: string): MediaStreamTrack | undefined {
    if (memberId === this.memberId) return this.#local?.getVideoTracks()[0];
    const tracks = this.remoteTracks.filter((t) => t.attendeeId === memberId && t.kind === 'video');
    return (tracks.find((t) => t.source === 'camera') ?? tracks[0])?.track;
  }

  #renderLayout(): void {
    if (!this.#renderer) return;
    if (this.layout) this.#renderer.setLayout(this.layout);
  }

  #onLeft(reason: string, message: string): void {
    this.#cleanup();
    this.emit('room.left', { reason, message });
  }

  #cleanup(): void {
    this.#renderer?.close();
    this.#renderer = undefined;
    this.#audio?.close();
    this.#audio = undefined;
    for (const t of this.#owned) t.stop();
    this.#owned.clear();
    for (const s of this.#screenShares) s.leaveNow();
  }
}

export type { MemberEvent };
