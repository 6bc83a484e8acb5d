import type { AttendeeInfo } from '@parley/protocol';
import { ParleyEngine, type RemoteTrack } from '../engine/parleyEngine.js';
import { ParleyClientError } from '../errors.js';
import { ActiveSpeakerDetector } from './activeSpeakerPolicy.js';
import { AudioMixer } from './audioMixer.js';
import { Attendee, VideoSource, type AudioMixObserver, type AudioProfile, type VideoCodecCapability } from './chimeSettings.js';
import { ConnectionMonitor, type StatsSample } from './connectionMonitor.js';
import type { ContentShareController } from './contentShareController.js';
import type { DefaultDeviceController } from './deviceController.js';
import type { Logger } from './logger.js';
import type { MeetingSessionConfiguration } from './meetingSessionConfiguration.js';
import { MeetingSessionStatus, MeetingSessionStatusCode } from './meetingSessionStatus.js';
import { MeetingSessionVideoAvailability, notifyObservers, type AudioVideoObserver } from './observers.js';
import { DataMessage, RealtimeController } from './realtimeController.js';
import { VideoTileController } from './videoTileController.js';

/** Camera simulcast: three layers, the browser drops the top ones at small capture sizes. */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];
const STATS_INTERVAL_MS = 1000;
/** ICE may blink "disconnected" and recover by itself; only a lasting one triggers a reconnect. */
const ICE_DISCONNECTED_GRACE_MS = 5000;
/** After a reconnect, remote tiles whose video has not come back by then are removed. */
const TILE_RESTORE_GRACE_MS = 5000;

type State = 'idle' | 'connecting' | 'started' | 'reconnecting' | 'stopped';

/**
 * One meeting session's media: connect, send microphone and camera, receive everyone, and
 * keep it going through connection loss (Chime's AudioVideoController). Reconnecting makes a
 * fresh connection and restores what was sent, the mute state and the tiles.
 */
export class AudioVideoController {
  readonly configuration: MeetingSessionConfiguration;
  readonly realtime = new RealtimeController();
  readonly tiles: VideoTileController;
  readonly activeSpeaker = new ActiveSpeakerDetector();
  readonly #logger: Logger;
  readonly #devices: DefaultDeviceController;
  readonly #observers = new Set<AudioVideoObserver>();
  readonly #mixer = new AudioMixer();
  readonly #monitor: ConnectionMonitor;
  #content: ContentShareController | null = null;
  #engine: ParleyEngine | null = null;
  #state: State = 'idle';
  /** The local camera tile wants to send (startLocalVideoTile until stopLocalVideoTile). */
  #cameraOn = false;
  #availability = new MeetingSessionVideoAvailability();
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #iceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Remote tiles by "<attendeeId>/<source>", so a reconnect re-fills the same tile. */
  readonly #remoteTiles = new Map<string, number>();
  /** Consumers already turned into a tile or mixer input (catch-up after connecting may repeat one). */
  readonly #handledTracks = new Set<string>();
  readonly #unloadHandler = (): void => this.#leaveOnUnload();
  #stopInput: () => void;
  /** setVideoMaxBandwidthKbps: the camera's layers together send at most this. */
  #maxVideoKbps: number | null = null;
  /** setAudioProfile: the microphone's bitrate cap. */
  #audioProfile: AudioProfile | null = null;
  /** setVideoCodecSendPreferences: the first one both ends can send is used at the next camera publish. */
  #videoCodec: 'VP8' | 'H264' | undefined;

  constructor(configuration: MeetingSessionConfiguration, logger: Logger, devices: DefaultDeviceController) {
    this.configuration = configuration;
    this.#logger = logger;
    this.#devices = devices;
    this.tiles = new VideoTileController({
      didUpdate: (state) => this.#notify('videoTileDidUpdate', state),
      wasRemoved: (tileId) => this.#notify('videoTileWasRemoved', tileId),
      didResize: (tileId, width, height) => this.#tileResized(tileId, width, height),
    });
    this.#monitor = new ConnectionMonitor({
      sendHealth: (kbps, pps) => this.#notify('videoSendHealthDidChange', kbps, pps),
      sendBandwidth: (n, o) => this.#notify('videoSendBandwidthDidChange', n, o),
      receiveBandwidth: (n, o) => this.#notify('videoReceiveBandwidthDidChange', n, o),
      poor: (videoSending) => {
        this.#notify('connectionDidBecomePoor');
        if (videoSending) this.#notify('connectionDidSuggestStopVideo');
      },
      good: () => this.#notify('connectionDidBecomeGood'),
      signalStrength: (attendeeId, signalStrength) => this.realtime.handleVolume(attendeeId, { signalStrength }),
      metrics: (report) => this.#notify('metricsDidReceive', report),
    });
    this.realtime.applyMute = (muted) => void this.#engine?.setPaused('microphone', muted).catch((err: unknown) => this.#warn('mute', err));
    this.realtime.sendDataMessage = (topic, data, lifetimeMs) => {
      const engine = this.#engine;
      if (!engine || engine.closed) {
        console.error('[parley] Cannot send data message because the session is not connected');
        return;
      }
      engine.sendDataMessage(topic, data, lifetimeMs).catch((err: unknown) => this.#warn('data message', err));
    };
    this.#stopInput = devices.onInputChange((kind, stream, stopped) => void this.#inputChanged(kind, stream, stopped));
  }

  /** Set by the session: its content share stops when this session stops. */
  set contentShare(controller: ContentShareController) {
    this.#content = controller;
  }

  get engine(): ParleyEngine | null {
    return this.#engine;
  }

  addObserver(observer: AudioVideoObserver): void {
    this.#observers.add(observer);
  }

  removeObserver(observer: AudioVideoObserver): void {
    this.#observers.delete(observer);
  }

  /**
   * Connects and starts sending and receiving; observers hear audioVideoDidStart or audioVideoDidStop.
   * Chime's `signalingOnly` pre-connects signaling to be completed by a second start(); Parley's
   * join opens signaling and media in one step, so that call only logs and the next start() joins.
   */
  start(options?: { signalingOnly?: boolean }): void {
    if (options?.signalingOnly) {
      this.#logger.info('start({ signalingOnly: true }): Parley joins in one step; call start() to join');
      return;
    }
    if (this.#state === 'connecting' || this.#state === 'started' || this.#state === 'reconnecting') return;
    this.#state = 'connecting';
    this.#notify('audioVideoDidStartConnecting', false);
    addEventListener('pagehide', this.#unloadHandler);
    void this.#connect(false).then(
      () => {
        if (this.#state !== 'connecting') return;
        this.#state = 'started';
        this.#startStats();
        this.#notify('audioVideoDidStart');
      },
      (err: unknown) => this.#finish(MeetingSessionStatus.fromJoinError(errorCode(err)), err),
    );
  }

  /** Leaves the meeting; observers hear audioVideoDidStop with MeetingSessionStatusCode.Left. */
  stop(): void {
    if (this.#state === 'idle' || this.#state === 'stopped') return;
    const engine = this.#engine;
    this.#engine = null;
    void engine?.leave();
    this.#finish(new MeetingSessionStatus(MeetingSessionStatusCode.Left));
  }

  /** Plays the meeting's audio through `element`; rejects when the chosen speaker cannot be applied (as Chime's does). */
  async bindAudioElement(element: HTMLAudioElement): Promise<void> {
    this.#mixer.bind(element);
    await this.#devices.bindAudioElement(element);
  }

  getCurrentMeetingAudioStream(): Promise<MediaStream | null> {
    return Promise.resolve(this.#mixer.stream);
  }

  addAudioMixObserver(observer: AudioMixObserver): void {
    this.#mixer.addObserver(observer);
  }

  removeAudioMixObserver(observer: AudioMixObserver): void {
    this.#mixer.removeObserver(observer);
  }

  /** Caps what the camera sends, all simulcast layers together (Chime: the uplink's ideal max). Applies at once. */
  setVideoMaxBandwidthKbps(maxBandwidthKbps: number): void {
    if (maxBandwidthKbps <= 0) throw new ParleyClientError('invalid_params', 'Max bandwidth kbps has to be greater than 0');
    this.#maxVideoKbps = maxBandwidthKbps;
    void this.#applyCameraBitrates().catch((err: unknown) => this.#warn('video max bandwidth', err));
  }

  /** Caps the microphone's bitrate (AudioProfile.audioBitrateBps); applies at once and after reconnects. */
  setAudioProfile(audioProfile: AudioProfile): void {
    this.#audioProfile = audioProfile;
    void this.#applyAudioProfile().catch((err: unknown) => this.#warn('audio profile', err));
  }

  /**
   * The first codec in the list that Parley can send (VP8 or H.264) is used from the next time
   * the camera is published; none: the default (VP8). VP9 and AV1 are skipped (not negotiated here).
   */
  setVideoCodecSendPreferences(preferences: VideoCodecCapability[]): void {
    const name = preferences.map((p) => p.codecName.toUpperCase()).find((n) => n === 'VP8' || n === 'H264');
    this.#videoCodec = name === 'VP8' || name === 'H264' ? name : undefined;
    if (preferences.length && !name) this.#logger.warn('setVideoCodecSendPreferences: none of these codecs can be sent here; VP8 is used');
  }

  /** Everyone else who sends video now (cameras and content shares), one entry per attendee. */
  getRemoteVideoSources(): VideoSource[] {
    const engine = this.#engine;
    if (!engine) return [];
    const seen = new Set<string>();
    const sources: VideoSource[] = [];
    for (const t of engine.remoteTracks) {
      if (t.kind !== 'video' || seen.has(t.attendeeId)) continue;
      seen.add(t.attendeeId);
      sources.push(new VideoSource(new Attendee(t.attendeeId, engine.attendees.get(t.attendeeId)?.externalUserId ?? '')));
    }
    return sources;
  }

  unbindAudioElement(): void {
    this.#mixer.unbind();
    void this.#devices.bindAudioElement(null);
  }

  /** Starts (or resumes) sending the chosen camera; the local tile is created or reactivated. */
  startLocalVideoTile(): number {
    this.#cameraOn = true;
    const stream = this.#devices.videoInputStream();
    const tileId = this.tiles.findByAttendee(this.#selfId(), true) ?? this.tiles.add(this.#selfOwner(), null);
    this.tiles.setLocalStarted(tileId, true);
    this.tiles.setStream(tileId, stream);
    if (stream) void this.#publishCamera(stream);
    else this.#logger.warn('startLocalVideoTile: no video input chosen (chooseVideoInputDevice first)');
    return tileId;
  }

  /** Stops sending the camera; the local tile stays, inactive, until removeLocalVideoTile. */
  stopLocalVideoTile(): void {
    this.#cameraOn = false;
    const tileId = this.tiles.findByAttendee(this.#selfId(), true);
    if (tileId !== null) this.tiles.setLocalStarted(tileId, false);
    if (tileId !== null) this.tiles.setStream(tileId, null);
    void this.#engine?.unpublish('camera').catch((err: unknown) => this.#warn('stop video', err));
    this.#updateAvailability();
  }

  hasStartedLocalVideoTile(): boolean {
    return this.#cameraOn;
  }

  removeLocalVideoTile(): void {
    if (this.#cameraOn) this.stopLocalVideoTile();
    const tileId = this.tiles.findByAttendee(this.#selfId(), true);
    if (tileId !== null) this.tiles.remove(tileId);
  }

  /** Stops (or restarts) receiving a remote tile's video from the server. */
  pauseVideoTile(tileId: number, paused: boolean): void {
    const tile = this.tiles.get(tileId);
    if (!tile || tile.localTile) return;
    this.tiles.setPaused(tileId, paused);
    const remote = this.#engine?.remoteTracks.find((t) => t.kind === 'video' && t.track.id === tile.boundVideoStream?.getVideoTracks()[0]?.id);
    if (remote) void this.#engine?.setRemotePaused(remote.consumerId, paused).catch((err: unknown) => this.#warn('pause tile', err));
  }

  /** A remote tile is shown at a new size: the server then forwards the simulcast layer that fits. */
  #tileResized(tileId: number, width: number, height: number): void {
    const tile = this.tiles.get(tileId);
    if (!tile || tile.localTile) return;
    const remote = this.#engine?.remoteTracks.find((t) => t.kind === 'video' && t.track.id === tile.boundVideoStream?.getVideoTracks()[0]?.id);
    if (remote) void this.#engine?.setTrackSize(remote.consumerId, width, height).catch((err: unknown) => this.#warn('tile size', err));
  }

  /** The session's WebRTC statistics (send and receive transports), or with a selector those of that one track. */
  async getRTCPeerConnectionStats(selector?: MediaStreamTrack): Promise<RTCStatsReport | null> {
    if (selector) {
      const engine = this.#engine;
      const producer = (['microphone', 'camera'] as const).map((s) => engine?.producer(s)).find((p) => p?.track === selector);
      if (producer) return producer.getStats();
      const remote = engine?.remoteTracks.find((t) => t.track === selector);
      return remote ? (await engine?.receiverStats(remote.consumerId)) ?? null : null;
    }
    const stats = await this.#engine?.transportStats();
    if (!stats) return null;
    return mergeStats(stats.send.browser, stats.recv.browser);
  }

  // ---- connection -------------------------------------------------------------------------

  async #connect(reconnecting: boolean): Promise<void> {
    const engine = await withTimeout(ParleyEngine.join(this.configuration.connectionDetails()), this.configuration.connectionTimeoutMs);
    if (this.#state === 'stopped') {
      engine.close();
      return;
    }
    this.#engine = engine;
    this.realtime.localAttendeeId = engine.attendeeId;
    this.#wire(engine);
    // What happened while connecting: the engine kept count, so catch up from its state. Those
    // gone after a reconnect are reported as left, not dropped (Chime does the same: the
    // reconnect cannot tell which), and never yourself.
    for (const attendeeId of this.realtime.presentAttendees()) {
      if (!engine.attendees.has(attendeeId) && attendeeId !== engine.attendeeId) this.realtime.handlePresence(attendeeId, false, '', false);
    }
    for (const a of engine.attendees.values()) this.realtime.handlePresence(a.attendeeId, true, a.externalUserId);
    for (const a of engine.attendees.values()) this.#updateMuted(a);
    for (const t of engine.remoteTracks) this.#trackAdded(t);
    await engine.publish(this.#devices.audioInputStream().getAudioTracks()[0]!, 'microphone', { paused: this.realtime.realtimeIsLocalAudioMuted() });
    await this.#applyAudioProfile().catch((err: unknown) => this.#warn('audio profile', err));
    const camera = this.#devices.videoInputStream();
    if (this.#cameraOn && camera) await this.#publishCamera(camera);
    this.#updateAvailability();
    if (reconnecting) setTimeout(() => this.#dropStaleTiles(engine), TILE_RESTORE_GRACE_MS);
  }

  #wire(engine: ParleyEngine): void {
    const current = () => this.#engine === engine;
    engine.on('attendeeJoined', (a) => current() && this.realtime.handlePresence(a.attendeeId, true, a.externalUserId));
    engine.on('attendeeUpdated', (a) => current() && this.#updateMuted(a));
    engine.on('dataMessage', (m) => current() && this.realtime.handleDataMessage(new DataMessage(m.timestampMs, m.topic, m.data, m.senderAttendeeId, m.senderExternalUserId, m.throttled)));
    engine.on('attendeeLeft', (attendeeId, reason) => {
      if (!current()) return;
      this.realtime.handlePresence(attendeeId, false, '', reason === 'dropped');
      this.activeSpeaker.handleLeft(attendeeId);
    });
    engine.on('trackAdded', (t) => current() && this.#trackAdded(t));
    engine.on('trackRemoved', (t) => current() && this.#trackRemoved(t));
    engine.on('trackPaused', (t) => current() && this.#trackPaused(t, true));
    engine.on('trackResumed', (t) => current() && this.#trackPaused(t, false));
    engine.on('volumes', (levels) => {
      if (!current()) return;
      for (const { attendeeId, volume } of levels) {
        const muted = attendeeId === engine.attendeeId ? this.realtime.realtimeIsLocalAudioMuted() : engine.attendees.get(attendeeId)?.audioMuted ?? false;
        this.realtime.handleVolume(attendeeId, { volume: muted ? 0 : volume, muted });
        this.activeSpeaker.handleVolume(attendeeId, volume, muted);
      }
    });
    engine.on('videoSlots', () => current() && this.#updateAvailability());
    const onDraining = ({ deadlineMs, message }: { deadlineMs: number; message: string }) => {
      if (!current()) return;
      this.#logger.warn(`server draining: ${message}; the meeting ends by ${new Date(deadlineMs).toISOString()}`);
      this.#notify('parleyServerWillShutDown', deadlineMs, message);
    };
    engine.on('serverDraining', onDraining);
    if (engine.serverDraining) onDraining(engine.serverDraining);
    engine.on('ended', (reason) => current() && this.#finish(MeetingSessionStatus.fromEndReason(reason)));
    engine.on('disconnected', () => current() && void this.#reconnect(MeetingSessionStatusCode.SignalingRequestFailed));
    engine.on('transportState', (direction, state) => {
      if (!current()) return;
      // Your own signal is your uplink: strong while the send transport is connected.
      const strength = ({ connected: 1, disconnected: 0.5, failed: 0 } as Record<string, number>)[state];
      if (direction === 'send' && strength !== undefined) this.realtime.handleVolume(engine.attendeeId, { signalStrength: strength });
      if (state === 'failed') void this.#reconnect(MeetingSessionStatusCode.ICEGatheringTimeoutWorkaround);
      else if (state === 'disconnected') {
        clearTimeout(this.#iceTimer);
        this.#iceTimer = setTimeout(() => {
          if (current() && engine.transportStates[direction] === 'disconnected') void this.#reconnect(MeetingSessionStatusCode.ConnectionHealthReconnect);
        }, ICE_DISCONNECTED_GRACE_MS);
      }
    });
  }

  /**
   * Connection lost: tell observers, then try fresh connections with growing pauses until one
   * works or configuration.reconnectTimeoutMs runs out (then stop with `cause`).
   */
  async #reconnect(cause: MeetingSessionStatusCode): Promise<void> {
    if (this.#state !== 'started') return;
    this.#state = 'reconnecting';
    this.#stopStats();
    this.#dropEngine();
    // The old connection's tracks are dead; tiles stay (blank) until the new ones arrive.
    this.#handledTracks.clear();
    for (const t of this.#mixer.tracks()) this.#mixer.remove(t);
    this.#notify('audioVideoDidStartConnecting', true);
    const deadline = Date.now() + this.configuration.reconnectTimeoutMs;
    let wait = this.configuration.reconnectFixedWaitMs;
    for (;;) {
      if (this.#state !== 'reconnecting') return;
      try {
        await this.#connect(true);
        if (this.#state !== 'reconnecting') return;
        this.#state = 'started';
        this.#startStats();
        this.#logger.info('reconnected');
        this.#notify('audioVideoDidStart');
        return;
      } catch (err) {
        this.#dropEngine();
        const status = MeetingSessionStatus.fromJoinError(errorCode(err));
        // The meeting or this attendee is gone: retrying cannot help.
        if (status.isTerminal() || status.statusCode() === MeetingSessionStatusCode.AudioCallEnded) {
          this.#finish(status, err);
          return;
        }
        this.#logger.warn(`reconnect attempt failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#finish(new MeetingSessionStatus(cause));
        return;
      }
      await sleep(Math.min(wait, left));
      wait = Math.min(wait * 2, 5000);
    }
  }

  #finish(status: MeetingSessionStatus, err?: unknown): void {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    if (err) this.#logger.error(`session stopped: ${err instanceof Error ? err.message : String(err)}`);
    removeEventListener('pagehide', this.#unloadHandler);
    this.#stopStats();
    clearTimeout(this.#iceTimer);
    this.#dropEngine();
    this.#cameraOn = false;
    this.#remoteTiles.clear();
    this.#handledTracks.clear();
    this.tiles.removeAll();
    for (const t of this.#mixer.tracks()) this.#mixer.remove(t);
    this.realtime.reset();
    void this.#content?.stopContentShare();
    this.#notify('audioVideoDidStop', status);
  }

  /** The page is going away: leave now so others see us leave rather than drop. */
  #leaveOnUnload(): void {
    this.#content?.leaveNow();
    const engine = this.#engine;
    this.#engine = null;
    engine?.leaveNow();
    this.#finish(new MeetingSessionStatus(MeetingSessionStatusCode.Left));
  }

  #dropEngine(): void {
    const engine = this.#engine;
    this.#engine = null;
    engine?.close();
  }

  // ---- media --------------------------------------------------------------------------------

  async #publishCamera(stream: MediaStream): Promise<void> {
    const engine = this.#engine;
    const track = stream.getVideoTracks()[0];
    if (!engine || !track) return;
    try {
      await engine.publish(track, 'camera', { encodings: this.#cameraEncodings(), ...(this.#videoCodec ? { videoCodec: this.#videoCodec } : {}) });
      await this.#applyCameraBitrates();
    } catch (err) {
      if (errorCode(err) !== 'video_limit_reached') throw err;
      this.#logger.warn('the meeting has no free video slot');
      this.#cameraOn = false;
      const tileId = this.tiles.findByAttendee(this.#selfId(), true);
      if (tileId !== null) this.tiles.setStream(tileId, null);
      this.#notify('videoSendDidBecomeUnavailable');
    }
    this.#updateAvailability();
  }

  /** The camera's layers, scaled down together to fit setVideoMaxBandwidthKbps. */
  #cameraEncodings(): RTCRtpEncodingParameters[] {
    const total = CAMERA_ENCODINGS.reduce((sum, e) => sum + (e.maxBitrate ?? 0), 0);
    const factor = this.#maxVideoKbps === null ? 1 : Math.min(1, (this.#maxVideoKbps * 1000) / total);
    return CAMERA_ENCODINGS.map((e) => ({ ...e, ...(e.maxBitrate ? { maxBitrate: Math.round(e.maxBitrate * factor) } : {}) }));
  }

  /** Applies the bitrate caps to the camera already being sent (encodings matched by rid). */
  async #applyCameraBitrates(): Promise<void> {
    const sender = this.#engine?.producer('camera')?.rtpSender;
    if (!sender) return;
    const wanted = new Map(this.#cameraEncodings().map((e) => [e.rid, e.maxBitrate]));
    const params = sender.getParameters();
    if (!params.encodings?.length) return;
    params.encodings.forEach((e, i) => {
      const bitrate = wanted.get(e.rid) ?? this.#cameraEncodings()[i]?.maxBitrate;
      if (bitrate !== undefined) e.maxBitrate = bitrate;
    });
    await sender.setParameters(params);
  }

  async #applyAudioProfile(): Promise<void> {
    const bitrate = this.#audioProfile?.audioBitrateBps;
    const sender = this.#engine?.producer('microphone')?.rtpSender;
    if (!sender || bitrate === undefined) return;
    const params = sender.getParameters();
    const first = params.encodings?.[0];
    if (!first) return;
    if (bitrate === null) delete first.maxBitrate;
    else first.maxBitrate = bitrate;
    await sender.setParameters(params);
  }

  async #inputChanged(kind: 'audio' | 'video', stream: MediaStream | null, stopped: boolean): Promise<void> {
    const engine = this.#engine;
    if (kind === 'audio') {
      const track = (stream ?? this.#devices.audioInputStream()).getAudioTracks()[0];
      if (engine && track) await engine.publish(track, 'microphone').catch((err: unknown) => this.#warn('switch microphone', err));
      return;
    }
    if (!this.#cameraOn) return;
    // Chime 3.x: stopping the video input stops a started local tile.
    if (!stream && stopped) {
      this.stopLocalVideoTile();
      return;
    }
    const tileId = this.tiles.findByAttendee(this.#selfId(), true);
    if (tileId !== null) this.tiles.setStream(tileId, stream);
    if (!engine) return;
    if (stream) await this.#publishCamera(stream).catch((err: unknown) => this.#warn('switch camera', err));
    else await engine.unpublish('camera');
  }

  #trackAdded(t: RemoteTrack): void {
    if (this.#handledTracks.has(t.consumerId)) return;
    this.#handledTracks.add(t.consumerId);
    if (t.kind === 'audio') {
      this.#mixer.add(t.track);
      return;
    }
    const key = `${t.attendeeId}/${t.source}`;
    const stream = new MediaStream([t.track]);
    const existing = this.#remoteTiles.get(key);
    if (existing !== undefined && this.tiles.get(existing)) {
      this.tiles.setStream(existing, stream);
    } else {
      const info = this.#engine?.attendees.get(t.attendeeId);
      const tileId = this.tiles.add({ attendeeId: t.attendeeId, externalUserId: info?.externalUserId ?? '', localTile: false, isContent: t.source === 'screen' }, stream);
      this.#remoteTiles.set(key, tileId);
    }
    if (t.paused) this.#trackPaused(t, true);
    this.#updateAvailability();
  }

  #trackRemoved(t: RemoteTrack): void {
    this.#handledTracks.delete(t.consumerId);
    if (t.kind === 'audio') {
      this.#mixer.remove(t.track);
      return;
    }
    const key = `${t.attendeeId}/${t.source}`;
    const tileId = this.#remoteTiles.get(key);
    if (tileId === undefined) return;
    const tile = this.tiles.get(tileId);
    if (tile?.boundVideoStream && tile.boundVideoStream.getVideoTracks()[0] !== t.track) return;
    this.#remoteTiles.delete(key);
    this.tiles.remove(tileId);
    this.#updateAvailability();
  }

  #trackPaused(t: RemoteTrack, paused: boolean): void {
    if (t.kind !== 'video') return;
    const tileId = this.#remoteTiles.get(`${t.attendeeId}/${t.source}`);
    if (tileId === undefined) return;
    const tile = this.tiles.get(tileId);
    // The sender paused: the tile stays but shows nothing until it resumes.
    if (tile) this.tiles.setStream(tileId, paused ? null : new MediaStream([t.track]));
  }

  #dropStaleTiles(engine: ParleyEngine): void {
    if (this.#engine !== engine) return;
    const live = new Set(engine.remoteTracks.filter((t) => t.kind === 'video').map((t) => `${t.attendeeId}/${t.source}`));
    for (const [key, tileId] of this.#remoteTiles) {
      if (live.has(key)) continue;
      this.#remoteTiles.delete(key);
      this.tiles.remove(tileId);
    }
    this.#updateAvailability();
  }

  #updateMuted(a: AttendeeInfo): void {
    if (a.attendeeId === this.#engine?.attendeeId) return;
    this.realtime.handleVolume(a.attendeeId, { muted: a.audioMuted });
  }

  #updateAvailability(): void {
    const engine = this.#engine;
    if (!engine) return;
    const next = new MeetingSessionVideoAvailability();
    const sendingCamera = engine.producer('camera') !== undefined;
    next.canStartLocalVideo = sendingCamera || engine.videoSlotsUsed < engine.self.maxVideoTiles;
    next.remoteVideoAvailable = engine.remoteTracks.some((t) => t.kind === 'video' && t.source === 'camera');
    if (next.equal(this.#availability)) return;
    this.#availability = next;
    this.#notify('videoAvailabilityDidChange', next.clone());
  }

  // ---- monitoring ---------------------------------------------------------------------------

  #startStats(): void {
    this.#stopStats();
    this.#monitor.reset();
    this.#statsTimer = setInterval(() => void this.#sample(), STATS_INTERVAL_MS);
  }

  #stopStats(): void {
    clearInterval(this.#statsTimer);
    this.#statsTimer = undefined;
  }

  async #sample(): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    let stats;
    try {
      stats = await engine.transportStats();
    } catch {
      return;
    }
    if (this.#engine !== engine) return;
    const sample: StatsSample = {
      timestampMs: Date.now(),
      video: null,
      availableSendBitrate: null,
      availableReceiveBitrate: stats.recv.server?.availableOutgoingBitrate ?? null,
      roundTripTimeMs: null,
      audio: new Map(),
      raw: mergeStats(stats.send.browser, stats.recv.browser),
    };
    const cameraTrackId = engine.producer('camera')?.track?.id;
    stats.send.browser?.forEach((s: Record<string, unknown>) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && cameraTrackId) {
        const media = s.mediaSourceId ? (stats.send.browser?.get(s.mediaSourceId as string) as Record<string, unknown> | undefined) : undefined;
        if (media && media.trackIdentifier !== cameraTrackId) return;
        sample.video ??= { bytesSent: 0, packetsSent: 0 };
        sample.video.bytesSent += Number(s.bytesSent ?? 0);
        sample.video.packetsSent += Number(s.packetsSent ?? 0);
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        if (typeof s.availableOutgoingBitrate === 'number') sample.availableSendBitrate = s.availableOutgoingBitrate;
        if (typeof s.currentRoundTripTime === 'number') sample.roundTripTimeMs = Math.round(s.currentRoundTripTime * 1000);
      }
    });
    const owners = new Map(engine.remoteTracks.filter((t) => t.kind === 'audio').map((t) => [t.track.id, t.attendeeId]));
    stats.recv.browser?.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
      const attendeeId = owners.get(String(s.trackIdentifier));
      if (attendeeId) sample.audio.set(attendeeId, { packetsReceived: Number(s.packetsReceived ?? 0), packetsLost: Number(s.packetsLost ?? 0) });
    });
    this.#monitor.handleSample(sample);
  }

  // ---- helpers ------------------------------------------------------------------------------

  #selfId(): string {
    return this.#engine?.attendeeId ?? this.configuration.credentials?.attendeeId ?? '';
  }

  #selfOwner() {
    return { attendeeId: this.#selfId(), externalUserId: this.configuration.credentials?.externalUserId ?? '', localTile: true, isContent: false };
  }

  #notify<K extends keyof AudioVideoObserver>(method: K, ...args: Parameters<NonNullable<AudioVideoObserver[K]>>): void {
    notifyObservers(this.#observers, method, ...(args as never));
  }

  #warn(what: string, err: unknown): void {
    this.#logger.warn(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** Releases everything; the session is not usable afterwards. */
  destroy(): void {
    this.stop();
    this.#stopInput();
    this.activeSpeaker.close();
  }
}

function errorCode(err: unknown): string | undefined {
  return err instanceof ParleyClientError ? err.code : undefined;
}

/** Both transports' statistics as one report (ids are unique across peer connections). */
function mergeStats(...reports: Array<RTCStatsReport | null>): RTCStatsReport {
  const merged = new Map<string, unknown>();
  for (const report of reports) report?.forEach((v, k) => merged.set(k, v));
  return merged as unknown as RTCStatsReport;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T extends { close(): void }>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new ParleyClientError('timeout', `could not connect within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) value.close();
        else resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
