import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import { PROTOCOL_VERSION, TypedEmitter, type AttendeeInfo, type EventData, type LeaveReason, type MediaSource, type RequestResult, type SessionEndReason, type TransportStats } from '@parley/protocol';
import { ParleyClientError } from '../errors.js';
import { SignalClient } from './signalClient.js';
import { E2eeManager, frameCodecOf, type DecryptFailure, type E2eeOptions } from '../e2ee/e2eeManager.js';

/** The server's join reply; `attendees` lists everyone present, yourself included. */
export type JoinResult = RequestResult<'join'>;

/** A track received from another participant. */
export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  attendeeId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  /** The sender has paused (muted) it. */
  paused: boolean;
}

export type EngineEvents = {
  attendeeJoined: [AttendeeInfo];
  attendeeLeft: [attendeeId: string, reason: LeaveReason];
  attendeeUpdated: [AttendeeInfo];
  trackAdded: [RemoteTrack];
  trackRemoved: [RemoteTrack];
  trackPaused: [RemoteTrack];
  trackResumed: [RemoteTrack];
  volumes: [EventData<'volumes'>['levels']];
  activeSpeaker: [attendeeId: string];
  /** The server ended this session (meeting deleted, removed, replaced...). */
  ended: [reason: SessionEndReason, message: string];
  /** The connection was lost without the server ending the session. */
  disconnected: [code: number, reason: string];
  /** The server is shutting down: the session goes on until deadlineMs (epoch ms), then ends (ServerShutdown). Also in `serverDraining`. */
  serverDraining: [drain: EventData<'serverDraining'>];
  transportState: [direction: 'send' | 'recv', state: string];
  /** How many cameras the meeting sends now, and its limit. */
  videoSlots: [used: number, limit: number];
  /** A data message from another attendee, or one of yours the server throttled (data decoded). */
  dataMessage: [message: Omit<EventData<'dataMessage'>, 'data'> & { data: Uint8Array }];
  /** E2EE: frames from an attendee could not be decrypted (wrong or missing key); at most once a second per attendee and kind. */
  decryptionFailed: [DecryptFailure];
};

/** Figures for one direction: the browser's own stats and the server's view of the same transport. */
export interface TransportReport {
  browser: RTCStatsReport | null;
  server: TransportStats | null;
}

export interface PublishOptions {
  encodings?: RTCRtpEncodingParameters[];
  /** Video codec to send; default: the first both sides support (VP8). */
  videoCodec?: 'VP8' | 'H264';
  /** Start paused (joined muted): nothing is forwarded until setPaused(source, false). */
  paused?: boolean;
}

export interface EngineJoinOptions {
  signalingUrl: string;
  token: string;
  /** Join as the content-share attendee "<attendeeId>#content" (sends only). */
  content?: boolean;
  /** Encrypt all media end to end with this key (the server then refuses recording, streaming and playback). */
  e2ee?: E2eeOptions;
}

/**
 * The one WebRTC engine under both SDK faces: a signaling connection, a mediasoup-client
 * Device, one send and one receive transport, local producers by source and remote tracks.
 */
export class ParleyEngine extends TypedEmitter<EngineEvents> {
  readonly signal: SignalClient;
  readonly device: Device;
  readonly self: JoinResult;
  /** Everyone present, yourself included, by attendee id. */
  readonly attendees = new Map<string, AttendeeInfo>();
  readonly #remote = new Map<string, RemoteTrack>();
  readonly #consumers = new Map<string, ms.Consumer>();
  readonly #producers = new Map<MediaSource, ms.Producer>();
  /** The size last reported per consumer (setTrackSize). */
  readonly #trackSizes = new Map<string, string>();
  /** Dynacast changes to our encodings, applied one after another. */
  #sendingChanges: Promise<void> = Promise.resolve();
  #sendTransport: ms.Transport | undefined;
  #recvTransport: ms.Transport | undefined;
  #closed = false;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  /** Who speaks most now, by the server's active speaker detection. */
  activeSpeakerId: string | null;
  /** The latest connection state of each transport ('new', 'connected', 'disconnected', 'failed'...). */
  readonly transportStates: Record<'send' | 'recv', string> = { send: 'new', recv: 'new' };
  /** Cameras being sent in the meeting now (limit: self.maxVideoTiles). */
  videoSlotsUsed: number;

  private constructor(signal: SignalClient, device: Device, self: JoinResult) {
    super();
    this.signal = signal;
    this.device = device;
    this.self = self;
    this.activeSpeakerId = self.activeSpeakerId;
    this.videoSlotsUsed = self.videoSlotsUsed;
    for (const a of self.attendees) this.attendees.set(a.attendeeId, a);
    this.#listen();
    this.#startKeepalive(self.heartbeatIntervalMs);
  }

  static async join(options: EngineJoinOptions): Promise<ParleyEngine> {
    const e2ee = options.e2ee ? await E2eeManager.create(options.e2ee) : undefined;
    const signal = await SignalClient.connect(options.signalingUrl).catch((err: unknown) => {
      e2ee?.close();
      throw err;
    });
    let engine: ParleyEngine | undefined;
    try {
      const self = e2ee
        ? await signal.request('join', { protocol: PROTOCOL_VERSION, token: options.token, ...(options.content ? { content: true } : {}), e2ee: true })
        : await signal.join(options.token, options.content ?? false);
      // Listen from the join reply on: others may join or publish while the transports are set up.
      engine = new ParleyEngine(signal, new Device(), self);
      if (e2ee) {
        engine.e2ee = e2ee;
        e2ee.on('decryptionFailed', (f) => engine?.emit('decryptionFailed', f));
      }
      await engine.device.load({ routerRtpCapabilities: self.routerRtpCapabilities as unknown as ms.RtpCapabilities });
      await engine.#createTransports(!options.content);
      return engine;
    } catch (err) {
      engine?.close();
      e2ee?.close();
      signal.close();
      throw err;
    }
  }

  /** End-to-end encryption (keys, rotation) when joined with `e2ee`. */
  e2ee: E2eeManager | undefined;

  get attendeeId(): string {
    return this.self.attendeeId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Set once the server has said it is draining (it may say so before the faces listen: check this after join). */
  serverDraining: EventData<'serverDraining'> | undefined;

  get remoteTracks(): RemoteTrack[] {
    return [...this.#remote.values()];
  }

  producer(source: MediaSource): ms.Producer | undefined {
    return this.#producers.get(source);
  }

  /** Sends a track as `source`, replacing what was sent for that source before. */
  async publish(track: MediaStreamTrack, source: MediaSource, options: PublishOptions = {}): Promise<string> {
    const transport = this.#sendTransport;
    if (!transport) throw new ParleyClientError('not_connected', 'no send transport');
    const existing = this.#producers.get(source);
    if (existing && !existing.closed) {
      await existing.replaceTrack({ track });
      return existing.id;
    }
    const codec = options.videoCodec ? this.#findCodec(`video/${options.videoCodec}`) : undefined;
    const { width, height } = track.kind === 'video' ? track.getSettings() : {};
    const producer = await transport.produce({
      track,
      ...(codec ? { codec } : {}),
      stopTracks: false,
      appData: { source, paused: options.paused === true, width, height },
      ...(options.encodings ? { encodings: options.encodings } : {}),
      ...(track.kind === 'audio' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } } : {}),
    });
    this.#producers.set(source, producer);
    if (this.e2ee && producer.rtpSender) this.e2ee.attachSender(producer.rtpSender, producer.kind, frameCodecOf(producer.rtpParameters.codecs[0]?.mimeType, producer.kind), this.attendeeId);
    // The server already holds it paused; this stops the local sender too.
    if (options.paused) producer.pause();
    producer.observer.on('close', () => {
      if (this.#producers.get(source) === producer) this.#producers.delete(source);
    });
    return producer.id;
  }

  #findCodec(mimeType: string): ms.RtpCodecCapability {
    const codec = this.device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
    if (!codec) throw new ParleyClientError('codec_unsupported', `${mimeType} is not supported by both this browser and the server`);
    return codec;
  }

  async unpublish(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    await this.signal.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  /** Pauses (mutes) or resumes what is sent for `source`, locally and at the server. */
  async setPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer || producer.paused === paused) return;
    if (paused) producer.pause();
    else producer.resume();
    await this.signal.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
  }

  /** Stops or restarts the server forwarding one received track to us. */
  async setRemotePaused(consumerId: string, paused: boolean): Promise<void> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    if (paused) consumer.pause();
    else consumer.resume();
    await this.signal.request(paused ? 'pauseConsumer' : 'resumeConsumer', { consumerId });
  }

  /**
   * Tells the server the size (CSS pixels; scaled by devicePixelRatio here) a received video is
   * shown at, so it forwards the simulcast layer that fits. Repeats of the same size are not sent.
   */
  async setTrackSize(consumerId: string, width: number, height: number): Promise<void> {
    if (!this.#consumers.has(consumerId) || !(width > 0) || !(height > 0)) return;
    const ratio = typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1;
    const w = Math.min(16384, Math.round(width * ratio));
    const h = Math.min(16384, Math.round(height * ratio));
    const key = `${w}x${h}`;
    if (this.#trackSizes.get(consumerId) === key) return;
    this.#trackSizes.set(consumerId, key);
    await this.signal.request('setConsumerPreferences', { consumerId, width: w, height: h });
  }

  /** Both transports' figures from the browser (getStats) and from the server. */
  async transportStats(): Promise<{ send: TransportReport; recv: TransportReport }> {
    const [server, send, recv] = await Promise.all([
      this.signal.request('getTransportStats', {}),
      this.#sendTransport?.getStats() ?? null,
      this.#recvTransport?.getStats() ?? null,
    ]);
    return { send: { browser: send, server: server.send }, recv: { browser: recv, server: server.recv } };
  }

  /** Leaves without waiting for the answer: for page unload, when nothing runs afterwards. */
  leaveNow(): void {
    if (this.#closed) return;
    this.signal.send('leave', {});
    this.close();
  }

  /** WebRTC stats of the receiver of one remote track (inbound-rtp etc.). */
  async receiverStats(consumerId: string): Promise<RTCStatsReport | undefined> {
    return this.#consumers.get(consumerId)?.getStats();
  }

  /**
   * Pauses or resumes the local sender only, when the server already did it (room control muted
   * or unmuted this member): no request is sent.
   */
  setLocalPaused(source: MediaSource, paused: boolean): void {
    const producer = this.#producers.get(source);
    if (!producer || producer.paused === paused) return;
    if (paused) producer.pause();
    else producer.resume();
  }

  async leave(): Promise<void> {
    if (this.#closed) return;
    await this.signal.request('leave', {}).catch(() => undefined);
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    for (const p of this.#producers.values()) p.close();
    this.#producers.clear();
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.e2ee?.close();
    for (const t of this.#remote.values()) t.track.stop();
    this.#remote.clear();
    this.signal.close();
  }

  /**
   * The server pings at the WebSocket level, which a page cannot see; this ping lets the client
   * notice a dead connection too (two missed intervals), instead of waiting for TCP to give up.
   */
  #startKeepalive(intervalMs: number): void {
    this.#keepalive = setInterval(() => {
      this.signal.request('ping', {}, intervalMs * 2).catch(() => {
        if (this.#closed) return;
        this.close();
        this.emit('disconnected', 4004, 'no answer from the server');
      });
    }, intervalMs);
  }

  async #createTransports(receive: boolean): Promise<void> {
    const send = await this.signal.request('createTransport', { direction: 'send' });
    this.#sendTransport = this.device.createSendTransport({ ...(send as unknown as ms.TransportOptions), ...this.#e2eeSettings() });
    this.#wireTransport(this.#sendTransport, 'send');
    this.#sendTransport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.signal
        .request('produce', {
          transportId: send.id, kind, rtpParameters: { ...rtpParameters }, source: appData.source as MediaSource, paused: appData.paused === true,
          ...(typeof appData.width === 'number' && typeof appData.height === 'number' ? { width: Math.round(appData.width), height: Math.round(appData.height) } : {}),
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    if (!receive) return;
    const recv = await this.signal.request('createTransport', { direction: 'recv' });
    this.#recvTransport = this.device.createRecvTransport({ ...(recv as unknown as ms.TransportOptions), ...this.#e2eeSettings() });
    this.#wireTransport(this.#recvTransport, 'recv');
    await this.signal.request('setRtpCapabilities', { rtpCapabilities: { ...this.device.rtpCapabilities } });
  }

  /** createEncodedStreams needs the peer connection opened for it; RTCRtpScriptTransform does not. */
  #e2eeSettings(): Partial<ms.TransportOptions> {
    return this.e2ee?.mode === 'streams' ? { additionalSettings: { encodedInsertableStreams: true } as unknown as RTCConfiguration } : {};
  }

  #wireTransport(transport: ms.Transport, direction: 'send' | 'recv'): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signal.request('connectTransport', { transportId: transport.id, dtlsParameters: { ...dtlsParameters } }).then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => {
      this.transportStates[direction] = state;
      this.emit('transportState', direction, state);
    });
  }

  #listen(): void {
    const s = this.signal;
    s.on('attendeeJoined', ({ attendee }) => {
      this.attendees.set(attendee.attendeeId, attendee);
      this.emit('attendeeJoined', attendee);
    });
    s.on('attendeeUpdated', ({ attendee }) => {
      this.attendees.set(attendee.attendeeId, attendee);
      this.emit('attendeeUpdated', attendee);
    });
    s.on('attendeeLeft', ({ attendeeId, reason }) => {
      this.attendees.delete(attendeeId);
      this.emit('attendeeLeft', attendeeId, reason);
    });
    s.on('newConsumer', (data) => void this.#consume(data));
    s.on('consumerClosed', ({ consumerId }) => this.#removeTrack(consumerId));
    s.on('consumerPaused', ({ consumerId }) => this.#setRemotePaused(consumerId, true));
    s.on('consumerResumed', ({ consumerId }) => this.#setRemotePaused(consumerId, false));
    s.on('producerDemand', ({ producerId, wanted, maxSpatialLayer }) => this.#setSending(producerId, wanted, maxSpatialLayer));
    s.on('volumes', ({ levels }) => this.emit('volumes', levels));
    s.on('activeSpeaker', ({ attendeeId }) => {
      this.activeSpeakerId = attendeeId;
      this.emit('activeSpeaker', attendeeId);
    });
    s.on('dataMessage', (m) => this.emit('dataMessage', { ...m, data: fromBase64(m.data) }));
    s.on('videoSlots', ({ used, limit }) => {
      this.videoSlotsUsed = used;
      this.emit('videoSlots', used, limit);
    });
    s.on('serverDraining', (drain) => {
      this.serverDraining = drain;
      this.emit('serverDraining', drain);
    });
    s.on('sessionEnded', ({ reason, message }) => {
      this.emit('ended', reason as SessionEndReason, message);
      this.close();
    });
    s.on('close', (code, reason) => {
      if (this.#closed) return;
      this.close();
      this.emit('disconnected', code, reason);
    });
  }

  /** Sends a data message to everyone else in the meeting (at most 2048 bytes; see realtimeSendDataMessage). */
  async sendDataMessage(topic: string, data: Uint8Array, lifetimeMs?: number): Promise<void> {
    await this.signal.request('sendDataMessage', { topic, data: toBase64(data), ...(lifetimeMs ? { lifetimeMs } : {}) });
  }

  async #consume(data: EventData<'newConsumer'>): Promise<void> {
    const transport = this.#recvTransport;
    if (!transport || this.#closed) return;
    try {
      const consumer = await transport.consume({
        id: data.consumerId,
        producerId: data.producerId,
        kind: data.kind,
        rtpParameters: data.rtpParameters as unknown as ms.RtpParameters,
      });
      const remote: RemoteTrack = {
        consumerId: data.consumerId,
        producerId: data.producerId,
        attendeeId: data.attendeeId,
        kind: data.kind,
        source: data.source,
        track: consumer.track,
        paused: data.producerPaused,
      };
      if (this.e2ee && consumer.rtpReceiver) this.e2ee.attachReceiver(consumer.rtpReceiver, data.kind, frameCodecOf(consumer.rtpParameters.codecs[0]?.mimeType, data.kind), data.attendeeId);
      this.#remote.set(data.consumerId, remote);
      this.#consumers.set(data.consumerId, consumer);
      consumer.observer.on('close', () => this.#removeTrack(data.consumerId));
      await this.signal.request('resumeConsumer', { consumerId: data.consumerId });
      this.emit('trackAdded', remote);
    } catch (err) {
      console.warn('[parley] could not receive a track', err);
    }
  }

  #removeTrack(consumerId: string): void {
    // Closing the consumer also frees its transceiver, so long meetings don't pile them up.
    const consumer = this.#consumers.get(consumerId);
    this.#consumers.delete(consumerId);
    this.#trackSizes.delete(consumerId);
    consumer?.close();
    const remote = this.#remote.get(consumerId);
    if (!remote) return;
    this.#remote.delete(consumerId);
    remote.track.stop();
    // A closing engine takes all its tracks down: that is not the sender stopping, so it is not reported.
    if (!this.#closed) this.emit('trackRemoved', remote);
  }

  /**
   * Dynacast: the server says which of our video's encodings someone receives. None (nobody
   * receives it), or those up to maxSpatialLayer (no tile needs a bigger one): the others stop, so
   * the browser neither encodes nor sends them. Separate from mute.
   */
  #setSending(producerId: string, wanted: boolean, maxSpatialLayer: number | undefined): void {
    // One change at a time: setParameters rejects parameters read before a change still in flight.
    this.#sendingChanges = this.#sendingChanges.then(async () => {
      const producer = [...this.#producers.values()].find((p) => p.id === producerId);
      const sender = producer?.rtpSender;
      if (!producer || producer.closed || producer.kind !== 'video' || !sender) return;
      const parameters = sender.getParameters();
      // Encodings are lowest first, as published (r0, r1, r2).
      parameters.encodings.forEach((e, i) => {
        e.active = wanted && (maxSpatialLayer === undefined || i <= maxSpatialLayer);
      });
      await sender.setParameters(parameters);
    }).catch((err: unknown) => console.warn('[parley] could not change sending', err));
  }

  #setRemotePaused(consumerId: string, paused: boolean): void {
    const remote = this.#remote.get(consumerId);
    if (!remote) return;
    remote.paused = paused;
    this.emit(paused ? 'trackPaused' : 'trackResumed', remote);
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
