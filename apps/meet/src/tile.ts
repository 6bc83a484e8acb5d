import { h } from './dom.js';
import { icons } from './icons.js';
import { avatarColor, initials } from './names.js';

export type TileKind = 'person' | 'content';

/**
 * One participant's (or one screen share's) tile: the video element the SDK binds the video
 * tile to, an avatar while there is no live video, a name tag with mic state and a level meter,
 * and a ring while this person is the active speaker.
 */
export class Tile {
  readonly id: string;
  readonly kind: TileKind;
  readonly self: boolean;
  readonly el: HTMLElement;
  /** Bound with audioVideo.bindVideoElement; the SDK sets its stream. */
  readonly video: HTMLVideoElement;
  readonly #avatar: HTMLElement;
  readonly #name: HTMLElement;
  readonly #mic: HTMLElement;
  readonly #meter: HTMLElement;
  #displayName = '';
  #active = false;
  #hasFrames = false;

  constructor(opts: { id: string; name: string; kind: TileKind; self: boolean; label?: string }) {
    this.id = opts.id;
    this.kind = opts.kind;
    this.self = opts.self;
    this.video = h('video', { class: 'tile-video', attrs: { autoplay: '', playsinline: '' } });
    this.video.muted = true; // meeting audio plays through the one bound <audio> element
    this.video.addEventListener('loadeddata', () => this.#setFrames(true));
    this.video.addEventListener('resize', () => this.#setFrames(this.video.videoWidth > 0));
    this.video.addEventListener('emptied', () => this.#setFrames(false));
    this.#avatar = h('div', { class: 'tile-avatar', attrs: { 'aria-hidden': 'true' } });
    this.#name = h('span', { class: 'tile-name' });
    this.#mic = h('span', { class: 'tile-mic', html: icons.micOff, attrs: { role: 'img', 'aria-label': 'Microphone off' } });
    this.#meter = h('span', { class: 'level', attrs: { 'aria-hidden': 'true' } }, h('i'), h('i'), h('i'));
    this.el = h(
      'div',
      { class: `tile tile-${opts.kind}${opts.self ? ' tile-self' : ''} no-video`, attrs: { 'data-attendee': opts.id, role: 'group' } },
      this.video,
      h('div', { class: 'tile-placeholder' }, this.#avatar),
      h('div', { class: 'tile-tag' }, opts.kind === 'content' ? h('span', { class: 'tile-tag-icon', html: icons.present }) : null, this.#mic, this.#meter, this.#name),
    );
    this.setName(opts.name, opts.label);
  }

  get name(): string {
    return this.#displayName;
  }

  setName(name: string, label?: string): void {
    const shown = label ?? name;
    this.#displayName = name;
    this.#name.textContent = shown;
    this.el.setAttribute('aria-label', shown);
    this.el.title = shown;
    this.#avatar.textContent = initials(name);
    this.#avatar.style.background = avatarColor(name);
  }

  /** The SDK's video tile for this tile is active (sending and not paused). */
  setVideoActive(active: boolean): void {
    this.#active = active;
    this.#render();
  }

  setAudioMuted(muted: boolean): void {
    this.el.classList.toggle('mic-muted', muted);
  }

  /** Latest audio level 0..1 from the volume indicator; drives the level meter. */
  setLevel(volume: number): void {
    this.#meter.style.setProperty('--lvl', Math.min(1, volume * 2.2).toFixed(2));
  }

  /** The active speaker detector's pick: the ring. */
  setActiveSpeaker(active: boolean): void {
    this.el.classList.toggle('talking', active);
  }

  /** Whether the tile shows moving video (used by tests and the roster). */
  get showingVideo(): boolean {
    return this.#active && this.#hasFrames;
  }

  /** Re-starts playback after the element was moved or autoplay was held back. */
  kick(): void {
    if (this.video.srcObject && this.video.paused) this.video.play().catch(() => undefined);
  }

  #setFrames(has: boolean): void {
    this.#hasFrames = has;
    this.#render();
  }

  #render(): void {
    this.el.classList.toggle('no-video', !this.showingVideo);
  }

  destroy(): void {
    this.el.remove();
  }
}
