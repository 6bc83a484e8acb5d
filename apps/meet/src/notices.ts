import { h, iconButton } from './dom.js';
import { icons } from './icons.js';

/** 'progress' shows a spinner: something is being fixed, no action needed. */
export type BannerTone = 'warn' | 'error' | 'info' | 'progress';

/** Persistent banners (keyed, so the same problem is shown once) and short-lived toasts. */
export class Notices {
  readonly banners: HTMLElement;
  readonly toasts: HTMLElement;
  readonly #shown = new Map<string, HTMLElement>();

  constructor() {
    this.banners = h('div', { class: 'banners', attrs: { role: 'region', 'aria-label': 'Notices' } });
    this.toasts = h('div', { class: 'toasts', attrs: { role: 'status', 'aria-live': 'polite' } });
  }

  /** `action` is a button (`run`) or a link (`href`, e.g. a download). */
  banner(key: string, tone: BannerTone, message: string, action?: { label: string; run?: () => void; href?: string; icon?: string }): void {
    this.dismiss(key);
    const el = h(
      'div',
      { class: `banner banner-${tone}`, attrs: { role: tone === 'error' || tone === 'progress' ? 'alert' : 'status', 'data-key': key } },
      tone === 'progress'
        ? h('span', { class: 'banner-icon banner-spinner', attrs: { 'aria-hidden': 'true' } })
        : h('span', { class: 'banner-icon', html: tone === 'info' ? icons.speaker : icons.alert }),
      h('span', { class: 'banner-text', text: message }),
      action?.href
        ? h('a', { class: 'btn btn-small btn-primary', attrs: { href: action.href, download: '' } }, action.icon ? h('span', { class: 'btn-icon', html: action.icon }) : null, action.label)
        : action
          ? h('button', { class: 'btn btn-small', text: action.label, attrs: { type: 'button' }, on: { click: () => action.run?.() } })
          : null,
      iconButton({ icon: icons.close, label: 'Dismiss', class: 'ghost small', onClick: () => this.dismiss(key) }),
    );
    this.#shown.set(key, el);
    this.banners.append(el);
  }

  dismiss(key: string): void {
    this.#shown.get(key)?.remove();
    this.#shown.delete(key);
  }

  toast(message: string, icon: string = icons.check): void {
    const el = h('div', { class: 'toast' }, h('span', { class: 'toast-icon', html: icon }), h('span', { text: message }));
    this.toasts.append(el);
    setTimeout(() => el.classList.add('leaving'), 2600);
    setTimeout(() => el.remove(), 3000);
  }
}
