import { h } from './dom.js';
import { icons } from './icons.js';
import { avatarColor, initials } from './names.js';

export type TileKind = 'person' | 'content';

const TALK_THRESHOLD = 0.1;
const TALK_HOLD_MS = 450;

/**
 * One participant's (or one screen share's) tile: video when there is live video, otherwise an
 * avatar; a name tag with mic state and a level meter; a ring while talking.
 */
export class Tile {
  readonly id: string;
  readonly kind: TileKind;
  readonly self: boolean;
  readonly el: HTMLElement;
  readonly #video: HTMLVideoElement;
  readonly #avatar: HTMLElement;
  readonly #name: HTMLElement;
  readonly #mic: HTMLElement;
  readonly #meter: HTMLElement;
  #track: MediaStreamTrack | undefined;
  #videoOff = false;
  #hasFrames = false;
  #talking = false;
  #lastLoud = 0;

  constructor(opts: { id: string; name: string; kind: TileKind; self: boolean; label?: string }) {
    this.id = opts.id;
    this.kind = opts.kind;
    this.self = opts.self;
    this.#video = h('video', { class: 'tile-video', attrs: { autoplay: '', playsinline: '' } });
    this.#video.muted = true; // audio plays through separate <audio> elements
    this.#video.addEventListener('loadeddata', () => this.#setFrames(true));
    this.#video.addEventListener('resize', () => this.#setFrames(this.#video.videoWidth > 0));
    this.#avatar = h('div', { class: 'tile-avatar', attrs: { 'aria-hidden': 'true' } });
    this.#name = h('span', { class: 'tile-name' });
    this.#mic = h('span', { class: 'tile-mic', html: icons.micOff, attrs: { role: 'img', 'aria-label': 'Microphone off' } });
    this.#meter = h('span', { class: 'level', attrs: { 'aria-hidden': 'true' } }, h('i'), h('i'), h('i'));
    this.el = h(
      'div',
      { class: `tile tile-${opts.kind}${opts.self ? ' tile-self' : ''} no-video`, attrs: { 'data-attendee': opts.id, role: 'group' } },
      this.#video,
      h('div', { class: 'tile-placeholder' }, this.#avatar),
      h('div', { class: 'tile-tag' }, opts.kind === 'content' ? h('span', { class: 'tile-tag-icon', html: icons.present }) : null, this.#mic, this.#meter, this.#name),
    );
    this.setName(opts.name, opts.label);
  }

  setName(name: string, label?: string): void {
    const shown = label ?? name;
    this.#name.textContent = shown;
    this.el.setAttribute('aria-label', shown);
    this.el.title = shown;
    this.#avatar.textContent = initials(name);
    this.#avatar.style.background = avatarColor(name);
  }

  /** The video to show; undefined shows the avatar. */
  setVideo(track: MediaStreamTrack | undefined): void {
    if (track === this.#track) return;
    this.#track = track;
    this.#hasFrames = false;
    this.#video.srcObject = track ? new MediaStream([track]) : null;
    if (track) this.#video.play().catch(() => undefined);
    this.#render();
  }

  /** The sender paused its video (camera off) or has none. */
  setVideoOff(off: boolean): void {
    this.#videoOff = off;
    this.#render();
  }

  setAudioMuted(muted: boolean): void {
    this.el.classList.toggle('mic-muted', muted);
  }

  /** Latest audio level 0..1; drives the talking ring and the level meter. */
  setLevel(volume: number): void {
    const now = performance.now();
    if (volume > TALK_THRESHOLD) this.#lastLoud = now;
    const talking = now - this.#lastLoud < TALK_HOLD_MS;
    this.#meter.style.setProperty('--lvl', Math.min(1, volume * 2.2).toFixed(2));
    if (talking !== this.#talking) {
      this.#talking = talking;
      this.el.classList.toggle('talking', talking);
    }
  }

  get talking(): boolean {
    return this.#talking;
  }

  /** Whether the tile shows moving video (used by tests and the roster). */
  get showingVideo(): boolean {
    return !!this.#track && !this.#videoOff && this.#hasFrames;
  }

  /** Re-starts playback after the element was moved or autoplay was held back. */
  kick(): void {
    if (this.#track && this.#video.paused) this.#video.play().catch(() => undefined);
  }

  #setFrames(has: boolean): void {
    this.#hasFrames = has;
    this.#render();
  }

  #render(): void {
    this.el.classList.toggle('no-video', !this.showingVideo);
  }

  destroy(): void {
    this.#video.srcObject = null;
    this.el.remove();
  }
}
