/**
 * Plays every remote audio track through the one element the app bound, as Chime's single
 * meeting audio stream does: the element's MediaStream holds all of them and the browser mixes.
 * The stream is replaced (not mutated) on each change: Chrome decides which remote tracks an
 * element plays when it loads its source, so a track added later would stay silent.
 */
export class AudioMixer {
  readonly #tracks = new Set<MediaStreamTrack>();
  #element: HTMLAudioElement | null = null;

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
    this.#load();
  }

  remove(track: MediaStreamTrack): void {
    if (this.#tracks.delete(track)) this.#load();
  }

  tracks(): MediaStreamTrack[] {
    return [...this.#tracks];
  }

  #load(): void {
    const element = this.#element;
    if (!element) return;
    element.srcObject = new MediaStream([...this.#tracks]);
    element.play().catch(() => undefined);
  }
}
