import {
  ROOM_EVENT_NAMES, RoomSessionApi,
  type MemberEvent, type RoomMember, type RoomMethod, type RoomParams, type RoomResult, type RoomSessionEvents, type RoomSessionFullState,
} from '@parley/protocol';
import { ParleyEngine, type RemoteTrack } from '../engine/parleyEngine.js';
import { ParleyClientError } from '../errors.js';
import { AudioGain } from './audioGain.js';
import { LayoutRenderer } from './layoutRenderer.js';

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
    return state;
  }

  async leave(): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    await engine.leave();
    this.#cleanup();
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
    this.#local ??= this.options.localStream ?? await navigator.mediaDevices.getUserMedia({
      audio: wantAudio ? (this.options.audio ?? true) : false,
      video: wantVideo ? (this.options.video ?? true) : false,
    });
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
    if (!this.options.localStream) for (const t of this.#local?.getTracks() ?? []) t.stop();
  }
}

export type { MemberEvent };
