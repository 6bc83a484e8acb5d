import type { Logger } from './logger.js';
import { notifyObservers, type DeviceChangeObserver } from './observers.js';

/** What to capture: a deviceId, a ready MediaStream, constraints, or null for none. */
export type Device = string | MediaStream | MediaTrackConstraints | null;

type InputKind = 'audio' | 'video';

/** Told when the chosen input's stream changes, so a running session can send the new track. */
export type InputChangeListener = (kind: InputKind, stream: MediaStream | null) => void;

/**
 * Lists and opens microphones, cameras and speakers, and reports device changes (Chime's
 * DefaultDeviceController). Choosing an input opens it at once (the camera light turns on);
 * choosing null closes it.
 */
export class DefaultDeviceController {
  readonly #logger: Logger;
  readonly #observers = new Set<DeviceChangeObserver>();
  readonly #streams: Record<InputKind, MediaStream | null> = { audio: null, video: null };
  /** Streams the app handed over: the app owns their tracks, so they are never stopped here. */
  readonly #appStreams = new Set<MediaStream>();
  readonly #inputListeners = new Set<InputChangeListener>();
  readonly #previews = new Set<HTMLVideoElement>();
  #audioOutputDeviceId: string | null = null;
  #audioElement: HTMLAudioElement | null = null;
  #silence: { context: AudioContext; stream: MediaStream } | null = null;
  readonly #onDeviceChange = (): void => void this.#handleDeviceChange();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  listAudioInputDevices(): Promise<MediaDeviceInfo[]> {
    return this.#list('audioinput');
  }

  listVideoInputDevices(): Promise<MediaDeviceInfo[]> {
    return this.#list('videoinput');
  }

  listAudioOutputDevices(): Promise<MediaDeviceInfo[]> {
    return this.#list('audiooutput');
  }

  async chooseAudioInputDevice(device: Device): Promise<void> {
    await this.#choose('audio', device);
  }

  async chooseVideoInputDevice(device: Device): Promise<void> {
    await this.#choose('video', device);
    for (const element of this.#previews) this.startVideoPreviewForVideoInput(element);
  }

  /** Routes the bound audio element to a speaker, where the browser can (setSinkId). */
  async chooseAudioOutputDevice(deviceId: string | null): Promise<void> {
    this.#audioOutputDeviceId = deviceId;
    await this.#applySink();
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

  /** An AnalyserNode on the chosen microphone, for a level meter. */
  createAnalyserNodeForAudioInput(): AnalyserNode | null {
    const stream = this.#streams.audio;
    if (!stream) return null;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    context.createMediaStreamSource(stream).connect(analyser);
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

  /** Stops every device this controller opened. */
  release(): void {
    for (const kind of ['audio', 'video'] as const) this.#setStream(kind, null);
    void this.#silence?.context.close();
    this.#silence = null;
  }

  async #list(kind: MediaDeviceKind): Promise<MediaDeviceInfo[]> {
    let devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === kind);
    // Browsers hide labels until the page may capture: ask once, as Chime does, then list again.
    if (devices.length && devices.every((d) => !d.label) && kind !== 'audiooutput') {
      try {
        const probe = await navigator.mediaDevices.getUserMedia(kind === 'audioinput' ? { audio: true } : { video: true });
        for (const t of probe.getTracks()) t.stop();
        devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === kind);
      } catch (err) {
        this.#logger.warn(`permission to list ${kind} labels was refused: ${String(err)}`);
      }
    }
    return devices;
  }

  async #choose(kind: InputKind, device: Device): Promise<void> {
    if (device === null) {
      this.#setStream(kind, null);
      return;
    }
    if (device instanceof MediaStream) {
      this.#appStreams.add(device);
      this.#setStream(kind, device);
      return;
    }
    const constraints: MediaTrackConstraints = typeof device === 'string' ? { deviceId: { exact: device } } : device;
    const stream = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: constraints } : { video: constraints });
    this.#logger.info(`${kind} input opened: ${stream.getTracks()[0]?.label ?? 'unknown'}`);
    this.#setStream(kind, stream);
  }

  #setStream(kind: InputKind, stream: MediaStream | null): void {
    const previous = this.#streams[kind];
    if (previous === stream) return;
    this.#streams[kind] = stream;
    if (previous && !this.#appStreams.has(previous)) for (const t of previous.getTracks()) t.stop();
    if (previous) this.#appStreams.delete(previous);
    for (const listener of this.#inputListeners) listener(kind, stream);
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
