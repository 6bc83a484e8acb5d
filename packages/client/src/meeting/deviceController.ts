import { ErrorCode } from '@parley/protocol';
import { ParleyClientError } from '../errors.js';
import { VideoQualitySettings, type RemovableAnalyserNode } from './chimeSettings.js';
import type { Logger } from './logger.js';
import { notifyObservers, type DeviceChangeObserver } from './observers.js';

/** What to capture: a deviceId, a ready MediaStream, constraints, or null for none. */
export type Device = string | MediaStream | MediaTrackConstraints | null;
/** Chime 3.x's audio input: a Device (null: silence). Transform devices are not supported here. */
export type AudioInputDevice = Device;
/** Chime 3.x's video input: a Device. Transform devices are not supported here. */
export type VideoInputDevice = Device;

type InputKind = 'audio' | 'video';

/**
 * Told when the chosen input's stream changes, so a running session can send the new track.
 * `stopped` is true when the app stopped the input (stopVideoInput), not when it chose "none".
 */
export type InputChangeListener = (kind: InputKind, stream: MediaStream | null, stopped: boolean) => void;

/** Chime's default camera request when the app names a device by id (960x540 at 15 fps). */
const DEFAULT_VIDEO_QUALITY = new VideoQualitySettings(960, 540, 15);

/**
 * Lists and opens microphones, cameras and speakers, and reports device changes (Chime's
 * DefaultDeviceController). Choosing an input opens it at once (the camera light turns on);
 * choosing null closes it.
 */
export class DefaultDeviceController {
  readonly #logger: Logger;
  readonly #observers = new Set<DeviceChangeObserver>();
  readonly #streams: Record<InputKind, MediaStream | null> = { audio: null, video: null };
  /** Streams the app handed over: the app owns their tracks, so choosing another input never stops them (stop*Input does, as Chime's). */
  readonly #appStreams = new Set<MediaStream>();
  readonly #inputListeners = new Set<InputChangeListener>();
  readonly #previews = new Set<HTMLVideoElement>();
  #audioOutputDeviceId: string | null = null;
  #audioElement: HTMLAudioElement | null = null;
  #silence: { context: AudioContext; stream: MediaStream } | null = null;
  #analyserContext: AudioContext | null = null;
  #videoQuality = DEFAULT_VIDEO_QUALITY;
  /** True once the app called chooseVideoInputQuality: the older choose* names then apply it too. */
  #videoQualityChosen = false;
  /** Asks for capture permission so device labels show (setDeviceLabelTrigger); null: per-kind default. */
  #labelTrigger: (() => Promise<MediaStream>) | null = null;
  readonly #onDeviceChange = (): void => void this.#handleDeviceChange();

  /**
   * Chime 3.x's signature. `enableWebAudio` asks for a Web Audio input graph (for transform
   * devices and mixIntoAudioInput), which Parley does not have: it is noted and ignored, as are
   * `useMediaConstraintsFallback`, `browserBehavior`, `eventController` and `statsCollector`.
   */
  constructor(logger: Logger, options?: { enableWebAudio?: boolean; useMediaConstraintsFallback?: boolean }, browserBehavior?: unknown, eventController?: unknown, statsCollector?: unknown) {
    this.#logger = logger;
    void [browserBehavior, eventController, statsCollector];
    if (options?.enableWebAudio) logger.warn('DefaultDeviceController: enableWebAudio is not supported here; the microphone is sent as is');
  }

  /** The browser is asked afresh each time, so `forceUpdate` (Chime's cache refresh) changes nothing. */
  listAudioInputDevices(forceUpdate = false): Promise<MediaDeviceInfo[]> {
    void forceUpdate;
    return this.#list('audioinput');
  }

  listVideoInputDevices(forceUpdate = false): Promise<MediaDeviceInfo[]> {
    void forceUpdate;
    return this.#list('videoinput');
  }

  listAudioOutputDevices(forceUpdate = false): Promise<MediaDeviceInfo[]> {
    void forceUpdate;
    return this.#list('audiooutput');
  }

  /**
   * Chime 3.x: opens the microphone (deviceId, constraints or a MediaStream; null: silence) and
   * resolves with the stream the session sends. A running session switches to it at once.
   */
  async startAudioInput(device: AudioInputDevice): Promise<MediaStream | undefined> {
    if (device === undefined) {
      this.#logger.error('Audio input device cannot be undefined');
      return undefined;
    }
    rejectTransformDevice(device);
    await this.#choose('audio', device);
    return this.audioInputStream();
  }

  /** Chime 3.x: stops the microphone's tracks (a MediaStream the app passed too, as Chime does); a running session sends silence instead. */
  async stopAudioInput(): Promise<void> {
    this.#setStream('audio', null, true);
    await Promise.resolve();
  }

  /**
   * Chime 3.x: opens the camera and resolves with its stream. A deviceId asks for the size set
   * with chooseVideoInputQuality (Chime's default: 960x540 at 15 fps). While the local tile is
   * started, the session sends the new camera at once.
   */
  async startVideoInput(device: VideoInputDevice): Promise<MediaStream | undefined> {
    if (!device) {
      this.#logger.error('Invalid video input device');
      return undefined;
    }
    rejectTransformDevice(device);
    await this.#choose('video', device, true);
    for (const element of this.#previews) this.startVideoPreviewForVideoInput(element);
    return this.#streams.video ?? undefined;
  }

  /** Chime 3.x: stops the camera's tracks (its light goes off; an app's MediaStream too, as Chime); a started local tile stops too, as in Chime. */
  async stopVideoInput(): Promise<void> {
    this.#setStream('video', null, true);
    await Promise.resolve();
  }

  /** Chime 3.x name of chooseAudioOutputDevice: routes the bound audio element to a speaker (setSinkId). */
  async chooseAudioOutput(deviceId: string | null): Promise<void> {
    await this.chooseAudioOutputDevice(deviceId);
  }

  /** Older Chime name (the reference README's): chooses the microphone; null closes it (silence is sent). */
  async chooseAudioInputDevice(device: Device): Promise<void> {
    await this.#choose('audio', device);
  }

  /** Older Chime name: chooses the camera; null closes it, and a started local tile resumes when one is chosen again. */
  async chooseVideoInputDevice(device: Device): Promise<void> {
    await this.#choose('video', device, this.#videoQualityChosen);
    for (const element of this.#previews) this.startVideoPreviewForVideoInput(element);
  }

  /** Routes the bound audio element to a speaker, where the browser can (setSinkId). */
  async chooseAudioOutputDevice(deviceId: string | null): Promise<void> {
    this.#audioOutputDeviceId = deviceId;
    await this.#applySink();
  }

  /** The camera size and rate to ask for the next time a camera is chosen by id. */
  chooseVideoInputQuality(width: number, height: number, frameRate: number): void {
    this.#videoQuality = new VideoQualitySettings(width, height, frameRate);
    this.#videoQualityChosen = true;
  }

  getVideoInputQualitySettings(): VideoQualitySettings | null {
    return this.#videoQuality;
  }

  /**
   * Replaces how permission is asked when the browser hides device labels; the stream it
   * returns is stopped once the labels are read. A trigger that rejects disables asking.
   */
  setDeviceLabelTrigger(trigger: () => Promise<MediaStream>): void {
    this.#labelTrigger = trigger;
  }

  /**
   * Chime mixes a stream into the microphone only with Web Audio enabled; Parley's device
   * controller sends the microphone track as is (no Web Audio graph), so, like Chime without
   * Web Audio, this logs a warning and returns null.
   */
  mixIntoAudioInput(stream: MediaStream): MediaStreamAudioSourceNode {
    this.#logger.warn(`mixIntoAudioInput(${stream.id}): no Web Audio input graph here, the stream is not mixed in`);
    return null as unknown as MediaStreamAudioSourceNode;
  }

  addDeviceChangeObserver(observer: DeviceChangeObserver): void {
    if (this.#observers.size === 0) navigator.mediaDevices?.addEventListener('devicechange', this.#onDeviceChange);
    this.#observers.add(observer);
  }

  removeDeviceChangeObserver(observer: DeviceChangeObserver): void {
    this.#observers.delete(observer);
    if (this.#observers.size === 0) navigator.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
  }

  /** Shows the chosen camera in `element` (mirrored), before or during a meeting. */
  startVideoPreviewForVideoInput(element: HTMLVideoElement): void {
    this.#previews.add(element);
    element.muted = true;
    element.playsInline = true;
    element.style.transform = 'rotateY(180deg)';
    element.srcObject = this.#streams.video;
    if (this.#streams.video) element.play().catch(() => undefined);
  }

  stopVideoPreviewForVideoInput(element: HTMLVideoElement): void {
    this.#previews.delete(element);
    element.srcObject = null;
  }

  /** An AnalyserNode on the chosen microphone, for a level meter; removeOriginalInputs() detaches it. */
  createAnalyserNodeForAudioInput(): RemovableAnalyserNode | null {
    const stream = this.#streams.audio;
    if (!stream) return null;
    this.#analyserContext ??= new AudioContext();
    const context = this.#analyserContext;
    const analyser = context.createAnalyser() as RemovableAnalyserNode;
    const source = context.createMediaStreamSource(stream);
    source.connect(analyser);
    analyser.removeOriginalInputs = () => {
      try {
        source.disconnect(analyser);
      } catch {
        // Already disconnected.
      }
    };
    return analyser;
  }

  /** The microphone stream a session sends; silence when none was chosen (as Chime does). */
  audioInputStream(): MediaStream {
    return this.#streams.audio ?? this.#silentStream();
  }

  videoInputStream(): MediaStream | null {
    return this.#streams.video;
  }

  onInputChange(listener: InputChangeListener): () => void {
    this.#inputListeners.add(listener);
    return () => this.#inputListeners.delete(listener);
  }

  /** The session's one audio element, so a chosen speaker applies to it. */
  async bindAudioElement(element: HTMLAudioElement | null): Promise<void> {
    this.#audioElement = element;
    await this.#applySink();
  }

  /** Chime's meeting-event controller; Parley reports no device events through one. */
  readonly eventController?: undefined;

  /** Chime 3.x: stops the inputs (camera and microphone lights go off) and releases audio contexts. */
  async destroy(): Promise<void> {
    this.release();
    await Promise.resolve();
  }

  /** Stops every device this controller opened. */
  release(): void {
    for (const kind of ['audio', 'video'] as const) this.#setStream(kind, null);
    void this.#silence?.context.close();
    this.#silence = null;
    void this.#analyserContext?.close();
    this.#analyserContext = null;
  }

  async #list(kind: MediaDeviceKind): Promise<MediaDeviceInfo[]> {
    let devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === kind);
    // Browsers hide labels until the page may capture: ask once, as Chime does, then list again.
    if (devices.length && devices.every((d) => !d.label) && (kind !== 'audiooutput' || this.#labelTrigger)) {
      try {
        const probe = this.#labelTrigger ? await this.#labelTrigger() : await navigator.mediaDevices.getUserMedia(kind === 'audioinput' ? { audio: true } : { video: true });
        for (const t of probe.getTracks()) t.stop();
        devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === kind);
      } catch (err) {
        this.#logger.warn(`permission to list ${kind} labels was refused: ${String(err)}`);
      }
    }
    return devices;
  }

  async #choose(kind: InputKind, device: Device, applyQuality = false): Promise<void> {
    if (device === null) {
      this.#setStream(kind, null);
      return;
    }
    if (device instanceof MediaStream) {
      this.#appStreams.add(device);
      this.#setStream(kind, device);
      return;
    }
    const q = this.#videoQuality;
    const quality: MediaTrackConstraints = kind === 'video' && applyQuality && q.videoWidth > 0
      ? { width: { ideal: q.videoWidth }, height: { ideal: q.videoHeight }, frameRate: { ideal: q.videoFrameRate } }
      : {};
    const constraints: MediaTrackConstraints = typeof device === 'string' ? { deviceId: { exact: device }, ...quality } : device;
    const stream = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: constraints } : { video: constraints });
    this.#logger.info(`${kind} input opened: ${stream.getTracks()[0]?.label ?? 'unknown'}`);
    this.#setStream(kind, stream);
  }

  #setStream(kind: InputKind, stream: MediaStream | null, stopped = false): void {
    const previous = this.#streams[kind];
    if (previous === stream) {
      if (stopped) for (const listener of this.#inputListeners) listener(kind, null, true);
      return;
    }
    this.#streams[kind] = stream;
    // Chime 3.x's stopAudioInput/stopVideoInput stop the input's tracks whoever made them.
    if (previous && (stopped || !this.#appStreams.has(previous))) for (const t of previous.getTracks()) t.stop();
    if (previous) this.#appStreams.delete(previous);
    for (const listener of this.#inputListeners) listener(kind, stream, stopped);
  }

  #silentStream(): MediaStream {
    if (!this.#silence) {
      const context = new AudioContext();
      this.#silence = { context, stream: context.createMediaStreamDestination().stream };
    }
    return this.#silence.stream;
  }

  async #applySink(): Promise<void> {
    const element = this.#audioElement as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (!element || this.#audioOutputDeviceId === null) return;
    if (typeof element.setSinkId !== 'function') {
      this.#logger.warn('this browser cannot choose an audio output (no setSinkId)');
      return;
    }
    await element.setSinkId(this.#audioOutputDeviceId);
  }

  async #handleDeviceChange(): Promise<void> {
    const all = await navigator.mediaDevices.enumerateDevices();
    const of = (kind: MediaDeviceKind) => all.filter((d) => d.kind === kind);
    notifyObservers(this.#observers, 'audioInputsChanged', of('audioinput'));
    notifyObservers(this.#observers, 'audioOutputsChanged', of('audiooutput'));
    notifyObservers(this.#observers, 'videoInputsChanged', of('videoinput'));
  }
}

/** Chime's Audio/VideoTransformDevice (background blur, voice focus) has no Parley counterpart yet. */
function rejectTransformDevice(device: Device): void {
  if (device && typeof device === 'object' && !(device instanceof MediaStream) && 'intrinsicDevice' in device) {
    throw new ParleyClientError(ErrorCode.NotAvailable, 'transform devices (AudioTransformDevice, VideoTransformDevice) are not supported by Parley');
  }
}
