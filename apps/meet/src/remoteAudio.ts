import { h } from './dom.js';

type SinkCapable = HTMLAudioElement & { setSinkId(id: string): Promise<void> };

export const speakerSelectionSupported = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/** One autoplaying <audio> element per remote audio track, all routed to the chosen speaker. */
export class RemoteAudio {
  readonly el: HTMLElement;
  readonly #elements = new Map<string, HTMLAudioElement>();
  #sinkId: string | undefined;
  #onBlocked: (blocked: boolean) => void;
  #blocked = false;

  constructor(sinkId: string | undefined, onBlocked: (blocked: boolean) => void) {
    this.#sinkId = sinkId;
    this.#onBlocked = onBlocked;
    this.el = h('div', { class: 'remote-audio', attrs: { 'aria-hidden': 'true' } });
  }

  add(id: string, attendeeId: string, track: MediaStreamTrack): void {
    this.remove(id);
    const audio = h('audio', { attrs: { autoplay: '', 'data-attendee': attendeeId } });
    audio.srcObject = new MediaStream([track]);
    this.#elements.set(id, audio);
    this.el.append(audio);
    if (this.#sinkId) void this.#applySink(audio, this.#sinkId);
    this.#play(audio);
  }

  remove(id: string): void {
    const audio = this.#elements.get(id);
    if (!audio) return;
    audio.srcObject = null;
    audio.remove();
    this.#elements.delete(id);
  }

  async setSink(deviceId: string): Promise<void> {
    this.#sinkId = deviceId;
    await Promise.all([...this.#elements.values()].map((a) => this.#applySink(a, deviceId)));
  }

  /** After a click: plays everything the browser held back. */
  resume(): void {
    this.#setBlocked(false);
    for (const audio of this.#elements.values()) this.#play(audio);
  }

  #play(audio: HTMLAudioElement): void {
    audio.play().catch((err: unknown) => {
      if (err instanceof DOMException && err.name === 'NotAllowedError') this.#setBlocked(true);
    });
  }

  #setBlocked(blocked: boolean): void {
    if (blocked === this.#blocked) return;
    this.#blocked = blocked;
    this.#onBlocked(blocked);
  }

  async #applySink(audio: HTMLAudioElement, deviceId: string): Promise<void> {
    if (!speakerSelectionSupported) return;
    try {
      await (audio as SinkCapable).setSinkId(deviceId);
    } catch (err) {
      console.warn('[meet] could not switch speaker', err);
    }
  }

  destroy(): void {
    for (const id of [...this.#elements.keys()]) this.remove(id);
    this.el.remove();
  }
}
