/** This browser's microphone and camera: acquisition, on/off intent, device choice, failures. */

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

export class LocalMedia {
  micTrack: MediaStreamTrack | undefined;
  camTrack: MediaStreamTrack | undefined;
  /** What the user wants; the tracks follow it when they can. */
  micOn = true;
  camOn = true;
  micIssue: MediaIssue | undefined;
  camIssue: MediaIssue | undefined;
  micDeviceId: string | undefined = stored(STORE.mic);
  camDeviceId: string | undefined = stored(STORE.cam);
  speakerDeviceId: string | undefined = stored(STORE.speaker);
  readonly #listeners = new Set<() => void>();

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

  /** Asks for the microphone and (if wanted) the camera with one prompt; falls back to each alone. */
  async start(): Promise<void> {
    if (!LocalMedia.supported) {
      this.micIssue = 'insecure';
      this.camIssue = 'insecure';
      this.#changed();
      return;
    }
    const wantMic = !this.micTrack;
    const wantCam = this.camOn && !this.camTrack;
    if (!wantMic && !wantCam) return;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: wantMic ? this.#audioConstraints(false) : false,
        video: wantCam ? this.#videoConstraints(false) : false,
      });
      this.#adopt(stream);
    } catch (err) {
      if (wantMic && wantCam) {
        // One of the two may still work (no camera, camera busy...): try each on its own.
        const mic = await this.#acquireMic(false);
        if (mic) {
          mic.enabled = this.micOn;
          this.micTrack = mic;
        }
        this.camTrack = await this.#acquireCam(false);
      } else if (wantMic) this.micIssue = classify(err);
      else this.camIssue = classify(err);
    }
    if (!this.camTrack) this.camOn = false;
    this.#changed();
  }

  #adopt(stream: MediaStream): void {
    const mic = stream.getAudioTracks()[0];
    const cam = stream.getVideoTracks()[0];
    if (mic) {
      this.micTrack = mic;
      this.micIssue = undefined;
      mic.enabled = this.micOn;
    }
    if (cam) {
      this.camTrack = cam;
      this.camIssue = undefined;
    }
  }

  #audioConstraints(exact: boolean): MediaTrackConstraints {
    const id = this.micDeviceId;
    return id ? { ...AUDIO, deviceId: exact ? { exact: id } : { ideal: id } } : AUDIO;
  }

  #videoConstraints(exact: boolean): MediaTrackConstraints {
    const id = this.camDeviceId;
    return id ? { ...VIDEO, deviceId: exact ? { exact: id } : { ideal: id } } : VIDEO;
  }

  async #acquireMic(exact: boolean): Promise<MediaStreamTrack | undefined> {
    const { track, issue } = await acquire({ audio: this.#audioConstraints(exact) });
    this.micIssue = issue;
    return track;
  }

  async #acquireCam(exact: boolean): Promise<MediaStreamTrack | undefined> {
    const { track, issue } = await acquire({ video: this.#videoConstraints(exact) });
    this.camIssue = issue;
    return track;
  }

  /** Mutes or unmutes locally (the meeting also pauses the sent track). */
  setMicOn(on: boolean): void {
    this.micOn = on;
    if (this.micTrack) this.micTrack.enabled = on;
    this.#changed();
  }

  /** Turns the camera on (opening it) or off (releasing it, so its light goes out). */
  async setCamOn(on: boolean): Promise<MediaStreamTrack | undefined> {
    this.camOn = on;
    if (!on) {
      this.camTrack?.stop();
      this.camTrack = undefined;
    } else if (!this.camTrack && LocalMedia.supported) {
      this.camTrack = await this.#acquireCam(false);
      if (!this.camTrack) this.camOn = false;
    }
    this.#changed();
    return this.camTrack;
  }

  /** Switches microphone; returns the new track (the old one is stopped by the caller after republishing). */
  async switchMic(deviceId: string): Promise<{ track: MediaStreamTrack; old: MediaStreamTrack | undefined } | undefined> {
    this.micDeviceId = deviceId;
    store(STORE.mic, deviceId);
    const track = await this.#acquireMic(true);
    if (!track) {
      this.#changed();
      return undefined;
    }
    const old = this.micTrack;
    track.enabled = this.micOn;
    this.micTrack = track;
    this.#changed();
    return { track, old };
  }

  async switchCam(deviceId: string): Promise<{ track: MediaStreamTrack; old: MediaStreamTrack | undefined } | undefined> {
    this.camDeviceId = deviceId;
    store(STORE.cam, deviceId);
    if (!this.camOn) return undefined;
    const old = this.camTrack;
    // Some cameras can't be opened twice: release the old one first.
    old?.stop();
    const track = await this.#acquireCam(true);
    this.camTrack = track;
    if (!track) this.camOn = false;
    this.#changed();
    return track ? { track, old } : undefined;
  }

  setSpeaker(deviceId: string): void {
    this.speakerDeviceId = deviceId;
    store(STORE.speaker, deviceId);
    this.#changed();
  }

  stop(): void {
    this.micTrack?.stop();
    this.camTrack?.stop();
    this.micTrack = undefined;
    this.camTrack = undefined;
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

/** One device track, or why the browser would not give it. */
async function acquire(constraints: MediaStreamConstraints): Promise<{ track?: MediaStreamTrack; issue?: ReturnType<typeof classify> }> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    return { track: stream.getTracks()[0] };
  } catch (err) {
    return { issue: classify(err) };
  }
}
