import type { DefaultAudioVideoFacade } from '@parley/client';
import { h } from './dom.js';

export const speakerSelectionSupported = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/**
 * The meeting's one <audio> element: the SDK plays everyone through it (bindAudioElement). This
 * only notices when the browser holds autoplay back, so the page can offer a "Play audio" button.
 */
export class MeetingAudio {
  readonly el: HTMLAudioElement;
  readonly #onBlocked: (blocked: boolean) => void;
  #blocked = false;

  constructor(onBlocked: (blocked: boolean) => void) {
    this.#onBlocked = onBlocked;
    this.el = h('audio', { class: 'meeting-audio', attrs: { 'aria-hidden': 'true' } });
    this.el.addEventListener('loadedmetadata', () => {
      if (this.el.paused) this.#play();
    });
    this.el.addEventListener('playing', () => this.#setBlocked(false));
  }

  bind(audioVideo: DefaultAudioVideoFacade): void {
    // Chime 3.x: resolves once the element plays (or the browser holds it back: 'playing' tells).
    audioVideo.bindAudioElement(this.el).catch((err: unknown) => console.warn('[meet] could not bind the audio element', err));
  }

  /** After a click: plays what the browser held back. */
  resume(): void {
    this.#play();
  }

  #play(): void {
    this.el.play().catch((err: unknown) => {
      if (err instanceof DOMException && err.name === 'NotAllowedError') this.#setBlocked(true);
    });
  }

  #setBlocked(blocked: boolean): void {
    if (blocked === this.#blocked) return;
    this.#blocked = blocked;
    this.#onBlocked(blocked);
  }

  destroy(audioVideo: DefaultAudioVideoFacade): void {
    audioVideo.unbindAudioElement();
    this.el.remove();
  }
}
