import { h, iconButton } from './dom.js';
import { icons } from './icons.js';
import type { LocalMedia } from './localMedia.js';
import { speakerSelectionSupported } from './remoteAudio.js';

export interface DeviceChoice {
  kind: 'audioinput' | 'videoinput' | 'audiooutput';
  deviceId: string;
}

/** Lists this browser's devices (labels appear once the user has allowed access). */
export async function listDevices(): Promise<MediaDeviceInfo[]> {
  if (typeof navigator.mediaDevices?.enumerateDevices !== 'function') return [];
  try {
    return await navigator.mediaDevices.enumerateDevices();
  } catch {
    return [];
  }
}

/** The current device of a live track, falling back to the saved preference. */
function currentId(track: MediaStreamTrack | undefined, preferred: string | undefined): string | undefined {
  return track?.getSettings().deviceId ?? preferred;
}

/**
 * A dialog with microphone, camera and speaker pickers. It reports choices; the owner switches
 * devices (so the join screen and the meeting can each do it their own way).
 */
export class DeviceSettings {
  readonly el: HTMLDialogElement;
  readonly #media: LocalMedia;
  readonly #onChoose: (choice: DeviceChoice) => void;
  readonly #mic: HTMLSelectElement;
  readonly #cam: HTMLSelectElement;
  readonly #speaker: HTMLSelectElement;
  readonly #onDeviceChange = () => void this.refresh();

  constructor(media: LocalMedia, onChoose: (choice: DeviceChoice) => void) {
    this.#media = media;
    this.#onChoose = onChoose;
    this.#mic = this.#select('audioinput');
    this.#cam = this.#select('videoinput');
    this.#speaker = this.#select('audiooutput');
    const field = (icon: string, label: string, select: HTMLSelectElement, hint?: string) =>
      h('label', { class: 'field device-field' }, h('span', { class: 'field-label' }, h('span', { class: 'field-icon', html: icon }), label), select, hint ? h('span', { class: 'field-hint', text: hint }) : null);
    this.el = h(
      'dialog',
      { class: 'dialog', attrs: { 'aria-labelledby': 'device-title' } },
      h(
        'div',
        { class: 'dialog-head' },
        h('h2', { text: 'Audio & video', attrs: { id: 'device-title' } }),
        iconButton({ icon: icons.close, label: 'Close', class: 'ghost', onClick: () => this.el.close() }),
      ),
      h(
        'div',
        { class: 'dialog-body' },
        field(icons.mic, 'Microphone', this.#mic),
        field(icons.cam, 'Camera', this.#cam),
        speakerSelectionSupported ? field(icons.speaker, 'Speaker', this.#speaker) : field(icons.speaker, 'Speaker', this.#speaker, 'This browser plays sound on its default speaker.'),
      ),
      h('div', { class: 'dialog-foot' }, h('button', { class: 'btn btn-primary', text: 'Done', attrs: { type: 'button' }, on: { click: () => this.el.close() } })),
    );
    if (!speakerSelectionSupported) this.#speaker.disabled = true;
    this.el.addEventListener('click', (ev) => {
      if (ev.target === this.el) this.el.close(); // click on the backdrop
    });
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#onDeviceChange);
  }

  #select(kind: DeviceChoice['kind']): HTMLSelectElement {
    return h('select', {
      class: 'select',
      on: {
        change: (ev) => {
          const target = ev.target;
          if (target instanceof HTMLSelectElement && target.value) this.#onChoose({ kind, deviceId: target.value });
        },
      },
    });
  }

  async open(): Promise<void> {
    if (!this.el.isConnected) document.body.append(this.el);
    await this.refresh();
    this.el.showModal();
  }

  async refresh(): Promise<void> {
    const devices = await listDevices();
    const media = this.#media;
    this.#fill(this.#mic, devices, 'audioinput', currentId(media.micTrack, media.micDeviceId), 'No microphone found');
    this.#fill(this.#cam, devices, 'videoinput', currentId(media.camTrack, media.camDeviceId), 'No camera found');
    this.#fill(this.#speaker, devices, 'audiooutput', media.speakerDeviceId ?? 'default', speakerSelectionSupported ? 'System default' : 'System default');
    if (!speakerSelectionSupported) this.#speaker.disabled = true;
  }

  #fill(select: HTMLSelectElement, devices: MediaDeviceInfo[], kind: DeviceChoice['kind'], selected: string | undefined, empty: string): void {
    const list = devices.filter((d) => d.kind === kind && d.deviceId);
    select.replaceChildren();
    if (list.length === 0) {
      select.append(h('option', { text: empty, attrs: { value: '' } }));
      select.disabled = true;
      return;
    }
    select.disabled = false;
    list.forEach((d, i) => {
      const label = d.label || `${kind === 'audioinput' ? 'Microphone' : kind === 'videoinput' ? 'Camera' : 'Speaker'} ${i + 1}`;
      select.append(h('option', { text: label, attrs: { value: d.deviceId } }));
    });
    if (selected && list.some((d) => d.deviceId === selected)) select.value = selected;
  }

  destroy(): void {
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#onDeviceChange);
    if (this.el.open) this.el.close();
    this.el.remove();
  }
}
