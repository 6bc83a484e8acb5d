import { h, iconButton } from './dom.js';
import { icons } from './icons.js';
import type { LocalDevices } from './localDevices.js';
import { speakerSelectionSupported } from './meetingAudio.js';

export interface DeviceChoice {
  kind: 'audioinput' | 'videoinput' | 'audiooutput';
  deviceId: string;
}

async function safeList(list: () => Promise<MediaDeviceInfo[]>): Promise<MediaDeviceInfo[]> {
  if (typeof navigator.mediaDevices?.enumerateDevices !== 'function') return [];
  try {
    return await list();
  } catch {
    return [];
  }
}

/**
 * A dialog with microphone, camera and speaker pickers. It reports choices; the owner switches
 * devices (so the join screen and the meeting can each do it their own way).
 */
export class DeviceSettings {
  readonly el: HTMLDialogElement;
  readonly #media: LocalDevices;
  readonly #onChoose: (choice: DeviceChoice) => void;
  readonly #mic: HTMLSelectElement;
  readonly #cam: HTMLSelectElement;
  readonly #speaker: HTMLSelectElement;
  readonly #observer = {
    audioInputsChanged: () => void this.refresh(),
    videoInputsChanged: () => void this.refresh(),
    audioOutputsChanged: () => void this.refresh(),
  };

  constructor(media: LocalDevices, onChoose: (choice: DeviceChoice) => void) {
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
    media.controller.addDeviceChangeObserver(this.#observer);
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
    const media = this.#media;
    const devices = media.controller;
    const [mics, cams, speakers] = await Promise.all([
      safeList(() => devices.listAudioInputDevices()),
      safeList(() => devices.listVideoInputDevices()),
      safeList(() => devices.listAudioOutputDevices()),
    ]);
    this.#fill(this.#mic, mics, 'audioinput', media.micDeviceId, 'No microphone found');
    this.#fill(this.#cam, cams, 'videoinput', media.camDeviceId, 'No camera found');
    this.#fill(this.#speaker, speakers, 'audiooutput', media.speakerDeviceId ?? 'default', 'System default');
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
    this.#media.controller.removeDeviceChangeObserver(this.#observer);
    if (this.el.open) this.el.close();
    this.el.remove();
  }
}
