import { ParleyEngine } from '@parley/client';

export const screenShareSupported = typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';

/**
 * Presenting a screen: a second engine joined as the content attendee "<attendeeId>#content"
 * with the same join token, sending the captured display (and its audio when offered).
 */
export class ScreenShare {
  readonly #signalingUrl: string;
  readonly #token: string;
  readonly #onStopped: (reason: 'user' | 'ended', message?: string) => void;
  #engine: ParleyEngine | undefined;
  #stream: MediaStream | undefined;
  #starting = false;

  constructor(signalingUrl: string, token: string, onStopped: (reason: 'user' | 'ended', message?: string) => void) {
    this.#signalingUrl = signalingUrl;
    this.#token = token;
    this.#onStopped = onStopped;
  }

  get active(): boolean {
    return !!this.#engine;
  }

  get starting(): boolean {
    return this.#starting;
  }

  get attendeeId(): string | undefined {
    return this.#engine?.attendeeId;
  }

  /** Asks the user what to share, then publishes it. Resolves false when they cancelled. */
  async start(): Promise<boolean> {
    if (this.#engine || this.#starting) return true;
    this.#starting = true;
    try {
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: true });
      } catch (err) {
        if (err instanceof DOMException && err.name === 'NotAllowedError') return false; // cancelled
        throw err;
      }
      const video = stream.getVideoTracks()[0];
      if (!video) {
        stream.getTracks().forEach((t) => t.stop());
        return false;
      }
      video.contentHint = 'detail';
      let engine: ParleyEngine;
      try {
        engine = await ParleyEngine.join({ signalingUrl: this.#signalingUrl, token: this.#token, content: true });
      } catch (err) {
        stream.getTracks().forEach((t) => t.stop());
        throw err;
      }
      this.#engine = engine;
      this.#stream = stream;
      engine.on('ended', (_reason, message) => this.#finish('ended', message));
      engine.on('disconnected', () => this.#finish('ended', 'Screen sharing was disconnected.'));
      // The browser's own "Stop sharing" button ends the track.
      video.addEventListener('ended', () => void this.stop());
      await engine.publish(video, 'screen');
      const audio = stream.getAudioTracks()[0];
      if (audio) await engine.publish(audio, 'screen-audio');
      return true;
    } catch (err) {
      await this.stop();
      throw err;
    } finally {
      this.#starting = false;
    }
  }

  async stop(): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    this.#engine = undefined;
    this.#stream?.getTracks().forEach((t) => t.stop());
    this.#stream = undefined;
    await engine.leave();
    this.#onStopped('user');
  }

  #finish(reason: 'ended', message?: string): void {
    if (!this.#engine) return;
    this.#engine = undefined;
    this.#stream?.getTracks().forEach((t) => t.stop());
    this.#stream = undefined;
    this.#onStopped(reason, message);
  }
}
