/** A tiny element builder: enough DOM help for a framework-free app. */

type Child = Node | string | null | undefined | false;
type Handlers = { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };

export interface Props {
  class?: string;
  text?: string;
  /** Trusted markup only (our own SVG icons). */
  html?: string;
  attrs?: Record<string, string>;
  on?: Handlers;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.html !== undefined) el.innerHTML = props.html;
  for (const [name, value] of Object.entries(props.attrs ?? {})) el.setAttribute(name, value);
  for (const [name, fn] of Object.entries(props.on ?? {})) {
    if (fn) el.addEventListener(name, fn as EventListener);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Finds a required element inside `root`; a missing one is a bug in this app. */
export function $<E extends Element = HTMLElement>(root: ParentNode, selector: string): E {
  const el = root.querySelector<E>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

export function iconButton(opts: { icon: string; label: string; class?: string; onClick: (ev: MouseEvent) => void }): HTMLButtonElement {
  return h('button', {
    class: `icon-btn ${opts.class ?? ''}`.trim(),
    html: opts.icon,
    attrs: { type: 'button', 'aria-label': opts.label, title: opts.label },
    on: { click: opts.onClick },
  });
}
