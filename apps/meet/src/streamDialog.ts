import { h, iconButton } from './dom.js';
import { icons } from './icons.js';

const URL_KEY = 'parley.streamUrl';
const RTMP_URL = /^rtmps?:\/\/[^\s/]+(\/\S*)?$/i;

export interface StreamDialogHandlers {
  /** Starts streaming to `url`; rejects with a message for people when the server or the RTMP server refuses. */
  start(url: string): Promise<void>;
  stop(): Promise<void>;
}

/** Shows an RTMP URL without its stream key (the last path part is usually the secret). */
export function maskStreamUrl(url: string): string {
  const m = /^(rtmps?:\/\/[^/]+)(\/.*)?$/i.exec(url);
  if (!m) return url;
  const parts = (m[2] ?? '').split('/').filter(Boolean);
  if (parts.length <= 1) return url;
  return `${m[1]}/${parts.slice(0, -1).join('/')}/••••`;
}

/**
 * The host's "Go live" dialog: an rtmp:// URL (remembered in this browser), Start / Stop, and
 * the error when the server or the RTMP server refuses. Whether the room is live comes from
 * the room events (setLive), not from this dialog's own clicks.
 */
export class StreamDialog {
  readonly el: HTMLDialogElement;
  readonly #handlers: StreamDialogHandlers;
  readonly #input: HTMLInputElement;
  readonly #error: HTMLElement;
  readonly #state: HTMLElement;
  readonly #start: HTMLButtonElement;
  readonly #stop: HTMLButtonElement;
  #live = false;
  #busy = false;

  constructor(handlers: StreamDialogHandlers) {
    this.#handlers = handlers;
    let saved = '';
    try {
      saved = localStorage.getItem(URL_KEY) ?? '';
    } catch {
      // not remembered
    }
    this.#input = h('input', {
      class: 'input',
      attrs: { id: 'stream-url', type: 'url', placeholder: 'rtmp://live.example.com/app/stream-key', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'stream-hint stream-error', value: saved },
      on: { input: () => this.#showError(undefined) },
    });
    this.#error = h('p', { class: 'form-error', attrs: { id: 'stream-error', role: 'alert', hidden: '' } });
    this.#state = h('div', { class: 'stream-state', attrs: { hidden: '' } });
    this.#start = h('button', { class: 'btn btn-primary', text: 'Go live', attrs: { type: 'submit' } });
    this.#stop = h('button', { class: 'btn btn-danger', text: 'Stop stream', attrs: { type: 'button', hidden: '' }, on: { click: () => void this.#doStop() } });
    const form = h(
      'form',
      { class: 'stream-form', attrs: { novalidate: '' }, on: { submit: (ev) => { ev.preventDefault(); void this.#doStart(); } } },
      h(
        'div',
        { class: 'dialog-body' },
        h('p', { class: 'muted stream-lead', text: 'Send this meeting (everyone\'s video in the room layout, with the mixed audio) to a live-streaming service.' }),
        h(
          'label',
          { class: 'field', attrs: { for: 'stream-url' } },
          h('span', { class: 'field-label' }, h('span', { class: 'field-icon', html: icons.broadcast }), 'RTMP URL with stream key'),
          this.#input,
          h('span', { class: 'field-hint', text: 'Copy it from your streaming service: rtmp:// or rtmps://.', attrs: { id: 'stream-hint' } }),
        ),
        this.#state,
        this.#error,
      ),
      h('div', { class: 'dialog-foot dialog-foot-split' }, h('button', { class: 'btn btn-secondary', text: 'Close', attrs: { type: 'button' }, on: { click: () => this.el.close() } }), this.#start, this.#stop),
    );
    this.el = h(
      'dialog',
      { class: 'dialog stream-dialog', attrs: { 'aria-labelledby': 'stream-title' } },
      h('div', { class: 'dialog-head' }, h('h2', { text: 'Go live', attrs: { id: 'stream-title' } }), iconButton({ icon: icons.close, label: 'Close', class: 'ghost', onClick: () => this.el.close() })),
      form,
    );
    this.el.addEventListener('click', (ev) => {
      if (ev.target === this.el) this.el.close();
    });
  }

  open(): void {
    if (!this.el.isConnected) document.body.append(this.el);
    this.#render();
    this.el.showModal();
    if (!this.#live) this.#input.focus();
  }

  /** What the room events say: live to `url` (masked when shown), or not. */
  setLive(live: boolean, url: string | undefined): void {
    this.#live = live;
    if (live && url) this.#state.replaceChildren(h('span', { class: 'pill-live status-pill', text: 'LIVE' }), h('span', { text: ` Streaming to ${maskStreamUrl(url)}` }));
    else if (live) this.#state.replaceChildren(h('span', { class: 'pill-live status-pill', text: 'LIVE' }), h('span', { text: ' This meeting is being streamed.' }));
    this.#render();
  }

  /** Shown when the stream ends on its own (the RTMP server hung up). */
  ended(reason: string): void {
    this.#showError(`The stream ended: ${reason}`);
  }

  #render(): void {
    this.#state.hidden = !this.#live;
    this.#input.disabled = this.#live || this.#busy;
    this.#start.hidden = this.#live;
    this.#stop.hidden = !this.#live;
    this.#start.disabled = this.#busy;
    this.#stop.disabled = this.#busy;
    this.#start.classList.toggle('loading', this.#busy && !this.#live);
    this.#stop.classList.toggle('loading', this.#busy && this.#live);
    this.#start.textContent = this.#busy && !this.#live ? 'Connecting…' : 'Go live';
  }

  #showError(message: string | undefined): void {
    this.#error.hidden = !message;
    this.#error.textContent = message ?? '';
    this.#input.setAttribute('aria-invalid', String(!!message && !this.#live));
  }

  async #doStart(): Promise<void> {
    const url = this.#input.value.trim();
    if (!RTMP_URL.test(url)) {
      this.#showError('Enter an rtmp:// or rtmps:// URL, for example rtmp://live.example.com/app/stream-key.');
      this.#input.focus();
      return;
    }
    try {
      localStorage.setItem(URL_KEY, url);
    } catch {
      // not remembered
    }
    this.#showError(undefined);
    this.#busy = true;
    this.#render();
    try {
      await this.#handlers.start(url);
    } catch (err) {
      this.#showError(err instanceof Error ? err.message : String(err));
    } finally {
      this.#busy = false;
      this.#render();
    }
  }

  async #doStop(): Promise<void> {
    this.#busy = true;
    this.#render();
    try {
      await this.#handlers.stop();
    } catch (err) {
      this.#showError(err instanceof Error ? err.message : String(err));
    } finally {
      this.#busy = false;
      this.#render();
    }
  }

  destroy(): void {
    if (this.el.open) this.el.close();
    this.el.remove();
  }
}
