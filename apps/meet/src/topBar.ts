import { h } from './dom.js';
import { icons } from './icons.js';

function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * The meeting's header: brand, meeting name, time in the meeting, whether the room is being
 * recorded or streamed (shown to everyone, from the server's room events), and the invite button.
 */
export class MeetingTopBar {
  readonly el: HTMLElement;
  readonly #timer: HTMLElement;
  readonly #count: HTMLElement;
  readonly #rec: HTMLElement;
  readonly #live: HTMLElement;
  readonly #interval: ReturnType<typeof setInterval>;

  constructor(meeting: string, onInvite: () => void) {
    const started = Date.now();
    this.#timer = h('span', { class: 'topbar-timer', text: '0:00', attrs: { 'aria-label': 'Time in meeting' } });
    this.#count = h('span', { class: 'topbar-count' });
    this.#rec = h(
      'span',
      { class: 'status-pill pill-rec', attrs: { title: 'This meeting is being recorded', hidden: '' } },
      h('span', { class: 'pill-dot', attrs: { 'aria-hidden': 'true' } }),
      h('span', { text: 'REC', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'sr-only', text: 'This meeting is being recorded' }),
    );
    this.#live = h(
      'span',
      { class: 'status-pill pill-live', attrs: { title: 'This meeting is being streamed live', hidden: '' } },
      h('span', { text: 'LIVE', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'sr-only', text: 'This meeting is being streamed live' }),
    );
    this.el = h(
      'header',
      { class: 'topbar' },
      h(
        'div',
        { class: 'topbar-left' },
        h('span', { class: 'brand-mark', html: icons.logo }),
        h('div', { class: 'topbar-meeting' }, h('span', { class: 'topbar-name', text: meeting, attrs: { title: meeting } }), h('span', { class: 'topbar-meta' }, this.#timer, h('span', { class: 'dot', text: '·', attrs: { 'aria-hidden': 'true' } }), this.#count)),
        h('div', { class: 'topbar-status', attrs: { role: 'status', 'aria-live': 'polite' } }, this.#rec, this.#live),
      ),
      h(
        'button',
        { class: 'btn btn-secondary btn-invite', attrs: { type: 'button', title: 'Copy a link others can use to join' }, on: { click: onInvite } },
        h('span', { class: 'btn-icon', html: icons.link }),
        h('span', { class: 'btn-invite-text', text: 'Copy invite link' }),
      ),
    );
    this.#interval = setInterval(() => {
      this.#timer.textContent = formatElapsed(Date.now() - started);
    }, 1000);
  }

  setCount(n: number): void {
    this.#count.textContent = n === 1 ? '1 person' : `${n} people`;
  }

  /** What the server says: a recording runs, a stream runs. */
  setMedia(recording: boolean, streaming: boolean): void {
    this.#rec.hidden = !recording;
    this.#live.hidden = !streaming;
  }

  destroy(): void {
    clearInterval(this.#interval);
  }
}
