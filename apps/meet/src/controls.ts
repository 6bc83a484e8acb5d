import { h } from './dom.js';
import { icons } from './icons.js';

export interface ControlHandlers {
  toggleMic(): void;
  toggleCam(): void;
  toggleShare(): void;
  openSettings(): void;
  togglePeople(): void;
  leave(): void;
}

interface ToggleButton {
  el: HTMLButtonElement;
  label: HTMLElement;
}

function controlButton(opts: { cls: string; icon: string; label: string; onClick: () => void }): ToggleButton {
  const label = h('span', { class: 'ctl-label', text: opts.label });
  const el = h(
    'button',
    { class: `ctl ${opts.cls}`, attrs: { type: 'button' }, on: { click: opts.onClick } },
    h('span', { class: 'ctl-icon', html: opts.icon }),
    label,
  );
  return { el, label };
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const mod = isMac ? '⌘' : 'Ctrl';

/** What only the meeting's host has: the record toggle and the stream dialog. */
export interface HostHandlers {
  toggleRecording(): void;
  openStream(): void;
}

/** The bottom bar: microphone, camera, screen share, devices, people, leave; for hosts, record and go live. */
export class ControlBar {
  readonly el: HTMLElement;
  #record: ToggleButton | undefined;
  #live: ToggleButton | undefined;
  readonly #mic: ToggleButton;
  readonly #cam: ToggleButton;
  readonly #share: ToggleButton;
  readonly #people: ToggleButton;
  readonly #count: HTMLElement;

  constructor(handlers: ControlHandlers) {
    this.#mic = controlButton({ cls: 'ctl-mic', icon: icons.mic, label: 'Mute', onClick: handlers.toggleMic });
    this.#cam = controlButton({ cls: 'ctl-cam', icon: icons.cam, label: 'Stop video', onClick: handlers.toggleCam });
    this.#share = controlButton({ cls: 'ctl-share', icon: icons.screen, label: 'Share screen', onClick: handlers.toggleShare });
    const settings = controlButton({ cls: 'ctl-settings', icon: icons.settings, label: 'Devices', onClick: handlers.openSettings });
    settings.el.setAttribute('aria-label', 'Choose microphone, camera and speaker');
    settings.el.title = 'Choose microphone, camera and speaker';
    this.#people = controlButton({ cls: 'ctl-people', icon: icons.users, label: 'People', onClick: handlers.togglePeople });
    this.#count = h('span', { class: 'ctl-badge', text: '1' });
    this.#people.el.append(this.#count);
    const leave = controlButton({ cls: 'ctl-leave', icon: icons.leave, label: 'Leave', onClick: handlers.leave });
    leave.el.setAttribute('aria-label', 'Leave the meeting');
    leave.el.title = 'Leave the meeting';
    this.el = h(
      'footer',
      { class: 'controlbar', attrs: { role: 'toolbar', 'aria-label': 'Meeting controls' } },
      h('div', { class: 'ctl-group ctl-main' }, this.#mic.el, this.#cam.el, this.#share.el, settings.el, leave.el),
      h('div', { class: 'ctl-group ctl-side' }, this.#people.el),
    );
  }

  /** Adds the host's buttons (after screen share). */
  addHostControls(handlers: HostHandlers): void {
    if (this.#record) return;
    this.#record = controlButton({ cls: 'ctl-record', icon: icons.record, label: 'Record', onClick: handlers.toggleRecording });
    this.#live = controlButton({ cls: 'ctl-live', icon: icons.broadcast, label: 'Go live', onClick: handlers.openStream });
    this.#share.el.after(this.#record.el, this.#live.el);
    this.el.classList.add('has-host');
    this.setRecording(false, false);
    this.setLive(false);
  }

  /** The record toggle shows what the server says; `busy` while a start or stop is on its way. */
  setRecording(recording: boolean, busy: boolean): void {
    const b = this.#record;
    if (!b) return;
    b.el.classList.toggle('recording', recording);
    b.el.disabled = busy;
    b.el.setAttribute('aria-pressed', String(recording));
    const icon = b.el.querySelector('.ctl-icon');
    if (icon) icon.innerHTML = recording ? icons.recordStop : icons.record;
    b.label.textContent = recording ? 'Stop recording' : 'Record';
    const tip = busy ? (recording ? 'Stopping the recording…' : 'Starting the recording…') : recording ? 'Stop recording' : 'Record this meeting';
    b.el.title = tip;
    b.el.setAttribute('aria-label', tip);
  }

  setLive(streaming: boolean): void {
    const b = this.#live;
    if (!b) return;
    b.el.classList.toggle('streaming', streaming);
    b.el.setAttribute('aria-pressed', String(streaming));
    b.el.setAttribute('aria-haspopup', 'dialog');
    b.label.textContent = streaming ? 'Live' : 'Go live';
    const tip = streaming ? 'Streaming live: open to stop' : 'Stream this meeting to an RTMP server';
    b.el.title = tip;
    b.el.setAttribute('aria-label', tip);
  }

  setMic(on: boolean, available: boolean): void {
    this.#set(this.#mic, on, available, on ? icons.mic : icons.micOff, on ? 'Mute' : 'Unmute', on ? `Turn off microphone (${mod}+D)` : `Turn on microphone (${mod}+D)`, 'No microphone available');
  }

  setCam(on: boolean, available: boolean): void {
    this.#set(this.#cam, on, available, on ? icons.cam : icons.camOff, on ? 'Stop video' : 'Start video', on ? `Turn off camera (${mod}+E)` : `Turn on camera (${mod}+E)`, 'No camera available');
  }

  setSharing(sharing: boolean, supported: boolean, busy = false): void {
    const b = this.#share;
    b.el.classList.toggle('active', sharing);
    b.el.disabled = !supported || busy;
    b.el.setAttribute('aria-pressed', String(sharing));
    const icon = b.el.querySelector('.ctl-icon');
    if (icon) icon.innerHTML = sharing ? icons.screenStop : icons.screen;
    b.label.textContent = sharing ? 'Stop sharing' : 'Share screen';
    const tip = !supported ? 'Screen sharing is not supported in this browser' : sharing ? 'Stop presenting your screen' : 'Present your screen';
    b.el.title = tip;
    b.el.setAttribute('aria-label', tip);
  }

  setPeople(count: number, open: boolean): void {
    this.#count.textContent = String(count);
    this.#people.el.classList.toggle('active', open);
    this.#people.el.setAttribute('aria-pressed', String(open));
    const tip = `${open ? 'Hide' : 'Show'} people (${count})`;
    this.#people.el.title = tip;
    this.#people.el.setAttribute('aria-label', tip);
  }

  #set(b: ToggleButton, on: boolean, available: boolean, icon: string, label: string, tip: string, unavailableTip: string): void {
    b.el.classList.toggle('off', !on);
    b.el.classList.toggle('unavailable', !available);
    const iconEl = b.el.querySelector('.ctl-icon');
    if (iconEl) iconEl.innerHTML = icon;
    b.label.textContent = label;
    const title = available ? tip : unavailableTip;
    b.el.title = title;
    b.el.setAttribute('aria-label', title);
  }
}
