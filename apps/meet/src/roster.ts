import { h, iconButton } from './dom.js';
import { icons } from './icons.js';
import { avatarColor, initials } from './names.js';

export interface RosterPerson {
  attendeeId: string;
  name: string;
  self: boolean;
  audioMuted: boolean;
  videoMuted: boolean;
  presenting: boolean;
}

interface Row {
  el: HTMLElement;
  name: HTMLElement;
  sub: HTMLElement;
  mic: HTMLElement;
  cam: HTMLElement;
  avatar: HTMLElement;
}

/** The people panel: everyone in the meeting, their mic/camera state and who is talking. */
export class Roster {
  readonly el: HTMLElement;
  readonly #list: HTMLElement;
  readonly #title: HTMLElement;
  readonly #rows = new Map<string, Row>();

  constructor(onClose: () => void) {
    this.#title = h('h2', { text: 'People' });
    this.#list = h('ul', { class: 'roster-list', attrs: { 'aria-label': 'People in this meeting' } });
    this.el = h(
      'aside',
      { class: 'panel roster', attrs: { 'aria-label': 'People' } },
      h('div', { class: 'panel-head' }, this.#title, iconButton({ icon: icons.close, label: 'Close people panel', class: 'ghost', onClick: onClose })),
      this.#list,
    );
  }

  update(people: RosterPerson[]): void {
    const sorted = [...people].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
    this.#title.textContent = `People · ${people.length}`;
    const seen = new Set<string>();
    for (const person of sorted) {
      seen.add(person.attendeeId);
      const row = this.#rows.get(person.attendeeId) ?? this.#createRow(person.attendeeId);
      row.name.textContent = person.self ? `${person.name} (You)` : person.name;
      row.avatar.textContent = initials(person.name);
      row.avatar.style.background = avatarColor(person.name);
      row.sub.textContent = person.presenting ? 'Presenting' : '';
      row.sub.hidden = !person.presenting;
      row.mic.innerHTML = person.audioMuted ? icons.micOff : icons.mic;
      row.mic.classList.toggle('is-off', person.audioMuted);
      row.mic.setAttribute('aria-label', person.audioMuted ? 'Microphone off' : 'Microphone on');
      row.cam.innerHTML = person.videoMuted ? icons.camOff : icons.cam;
      row.cam.classList.toggle('is-off', person.videoMuted);
      row.cam.setAttribute('aria-label', person.videoMuted ? 'Camera off' : 'Camera on');
      this.#list.append(row.el); // keeps sorted order
    }
    for (const [id, row] of this.#rows) {
      if (!seen.has(id)) {
        row.el.remove();
        this.#rows.delete(id);
      }
    }
  }

  setTalking(attendeeId: string, talking: boolean): void {
    this.#rows.get(attendeeId)?.el.classList.toggle('talking', talking);
  }

  #createRow(id: string): Row {
    const avatar = h('span', { class: 'roster-avatar', attrs: { 'aria-hidden': 'true' } });
    const name = h('span', { class: 'roster-name' });
    const sub = h('span', { class: 'roster-sub' });
    const mic = h('span', { class: 'roster-icon', attrs: { role: 'img' } });
    const cam = h('span', { class: 'roster-icon', attrs: { role: 'img' } });
    const el = h(
      'li',
      { class: 'roster-row', attrs: { 'data-attendee': id } },
      h('span', { class: 'roster-avatar-wrap' }, avatar),
      h('span', { class: 'roster-text' }, name, sub),
      h('span', { class: 'roster-talk', attrs: { 'aria-hidden': 'true' } }, h('i'), h('i'), h('i')),
      cam,
      mic,
    );
    const row = { el, name, sub, mic, cam, avatar };
    this.#rows.set(id, row);
    return row;
  }
}
