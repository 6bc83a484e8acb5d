import type { AudioMixObserver } from './chimeSettings.js';
import { notifyObservers } from './observers.js';

/**
 * Plays every remote audio track through the one element the app bound, as Chime's single
 * meeting audio stream does: the element's MediaStream holds all of them and the browser mixes.
 * The stream is replaced (not mutated) on each change: Chrome decides which remote tracks an
 * element plays when it loads its source, so a track added later would stay silent.
 */
export class AudioMixer {
  readonly #tracks = new Set<MediaStreamTrack>();
  readonly #observers = new Set<AudioMixObserver>();
  #element: HTMLAudioElement | null = null;
  /** The meeting's audio as one stream (Chime's getCurrentMeetingAudioStream); null before any remote audio. */
  #stream: MediaStream | null = null;

  get stream(): MediaStream | null {
    return this.#stream;
  }

  addObserver(observer: AudioMixObserver): void {
    this.#observers.add(observer);
  }

  removeObserver(observer: AudioMixObserver): void {
    this.#observers.delete(observer);
  }

  bind(element: HTMLAudioElement): void {
    if (this.#element && this.#element !== element) this.#element.srcObject = null;
    this.#element = element;
    element.autoplay = true;
    this.#load();
  }

  unbind(): void {
    if (this.#element) this.#element.srcObject = null;
    this.#element = null;
  }

  add(track: MediaStreamTrack): void {
    if (this.#tracks.has(track)) return;
    this.#tracks.add(track);
    this.#renew();
  }

  remove(track: MediaStreamTrack): void {
    if (this.#tracks.delete(track)) this.#renew();
  }

  tracks(): MediaStreamTrack[] {
    return [...this.#tracks];
  }

  /** A new stream for the new set of tracks; mix observers hear the old one go and the new one come. */
  #renew(): void {
    const previous = this.#stream;
    this.#stream = new MediaStream([...this.#tracks]);
    if (previous) notifyObservers(this.#observers, 'meetingAudioStreamBecameInactive', previous);
    notifyObservers(this.#observers, 'meetingAudioStreamBecameActive', this.#stream);
    this.#load();
  }

  #load(): void {
    const element = this.#element;
    if (!element) return;
    element.srcObject = this.#stream ?? new MediaStream();
    element.play().catch(() => undefined);
  }
}
