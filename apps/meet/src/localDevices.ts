import type { DefaultDeviceController } from '@parley/client';

/** Why a device could not be opened. */
export type MediaIssue = 'denied' | 'notfound' | 'inuse' | 'insecure' | 'failed';

const STORE = { mic: 'parley.micDevice', cam: 'parley.camDevice', speaker: 'parley.speakerDevice' } as const;

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

function classify(err: unknown): MediaIssue {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'notfound';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'inuse';
  return 'failed';
}

function stored(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: preferences just aren't remembered.
  }
}

/**
 * The user's microphone, camera and speaker: what they want on, which device they picked and
 * why one would not open. The SDK's DefaultDeviceController opens and closes the devices.
 */
export class LocalDevices {
  readonly controller: DefaultDeviceController;
  /** What the user wants; the devices follow it when they can. */
  micOn = true;
  camOn = true;
  /** Whether the device is open now. */
  micReady = false;
  camReady = false;
  micIssue: MediaIssue | undefined;
  camIssue: MediaIssue | undefined;
  micDeviceId: string | undefined = stored(STORE.mic);
  camDeviceId: string | undefined = stored(STORE.cam);
  speakerDeviceId: string | undefined = stored(STORE.speaker);
  readonly #listeners = new Set<() => void>();

  constructor(controller: DefaultDeviceController) {
    this.controller = controller;
  }

  static get supported(): boolean {
    return typeof navigator.mediaDevices?.getUserMedia === 'function';
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Opens the microphone and (if wanted) the camera; each may fail on its own. */
  async start(): Promise<void> {
    if (!LocalDevices.supported) {
      this.micIssue = 'insecure';
      this.camIssue = 'insecure';
      this.camOn = false;
      this.#changed();
      return;
    }
    await Promise.all([this.micReady ? null : this.#openMic(false), this.camOn && !this.camReady ? this.#openCam(false) : null]);
    if (!this.camReady) this.camOn = false;
    this.#changed();
  }

  /** Mic intent before joining; in a meeting the session mutes (realtimeMuteLocalAudio). */
  setMicOn(on: boolean): void {
    this.micOn = on;
    this.#changed();
  }

  /** Turns the camera on (opening it) or off (closing it, so its light goes out). True when it is on. */
  async setCamOn(on: boolean): Promise<boolean> {
    this.camOn = on;
    if (!on) {
      this.camReady = false;
      await this.controller.chooseVideoInputDevice(null);
    } else if (!this.camReady && LocalDevices.supported) {
      await this.#openCam(false);
      if (!this.camReady) this.camOn = false;
    }
    this.#changed();
    return this.camOn;
  }

  async switchMic(deviceId: string): Promise<boolean> {
    this.micDeviceId = deviceId;
    store(STORE.mic, deviceId);
    const ok = await this.#openMic(true);
    this.#changed();
    return ok;
  }

  /** Switches camera; while it is off, only remembers the choice. */
  async switchCam(deviceId: string): Promise<boolean> {
    this.camDeviceId = deviceId;
    store(STORE.cam, deviceId);
    if (!this.camOn) return false;
    const ok = await this.#openCam(true);
    if (!ok) this.camOn = false;
    this.#changed();
    return ok;
  }

  async setSpeaker(deviceId: string): Promise<void> {
    this.speakerDeviceId = deviceId;
    store(STORE.speaker, deviceId);
    await this.controller.chooseAudioOutputDevice(deviceId);
    this.#changed();
  }

  /** Closes both devices (after the meeting). */
  async release(): Promise<void> {
    this.micReady = false;
    this.camReady = false;
    await this.controller.chooseAudioInputDevice(null);
    await this.controller.chooseVideoInputDevice(null);
  }

  async #openMic(exact: boolean): Promise<boolean> {
    const id = this.micDeviceId;
    try {
      await this.controller.chooseAudioInputDevice(id ? { ...AUDIO, deviceId: exact ? { exact: id } : { ideal: id } } : AUDIO);
      this.micReady = true;
      this.micIssue = undefined;
      return true;
    } catch (err) {
      this.micIssue = classify(err);
      return false;
    }
  }

  async #openCam(exact: boolean): Promise<boolean> {
    const id = this.camDeviceId;
    try {
      await this.controller.chooseVideoInputDevice(id ? { ...VIDEO, deviceId: exact ? { exact: id } : { ideal: id } } : VIDEO);
      this.camReady = true;
      this.camIssue = undefined;
      return true;
    } catch (err) {
      this.camReady = false;
      this.camIssue = classify(err);
      return false;
    }
  }
}

export function describeIssue(issue: MediaIssue, what: 'camera' | 'microphone' | 'camera and microphone'): string {
  switch (issue) {
    case 'denied':
      return `Access to your ${what} is blocked. Allow it in your browser's site settings and try again.`;
    case 'notfound':
      return `No ${what.replace(' and ', ' or ')} was found.`;
    case 'inuse':
      return `Your ${what} is in use by another app.`;
    case 'insecure':
      return `Your ${what} can only be used over HTTPS or on localhost.`;
    default:
      return `Your ${what} could not be started.`;
  }
}
