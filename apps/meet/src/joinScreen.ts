import { DeviceSettings, type DeviceChoice } from './devices.js';
import { h } from './dom.js';
import { friendlyError } from './friendlyErrors.js';
import { icons } from './icons.js';
import { describeIssue, type LocalDevices } from './localDevices.js';
import { MicMeter } from './micMeter.js';
import { avatarColor, initials } from './names.js';

export interface JoinScreenOptions {
  media: LocalDevices;
  meeting: string;
  name: string;
  /** Joins; a thrown error is shown on the form. */
  onJoin: (meeting: string, name: string) => Promise<void>;
  /** Join straight away (the "Rejoin" button). */
  autoJoin?: boolean;
}

const MEETING_RE = /^.{2,64}$/u;

/** The lobby: camera preview with mic/camera toggles and devices, meeting and name fields. */
export class JoinScreen {
  readonly el: HTMLElement;
  readonly #opts: JoinScreenOptions;
  readonly #video: HTMLVideoElement;
  readonly #preview: HTMLElement;
  readonly #avatar: HTMLElement;
  readonly #status: HTMLElement;
  readonly #micBtn: HTMLButtonElement;
  readonly #camBtn: HTMLButtonElement;
  readonly #meter: HTMLElement;
  readonly #meeting: HTMLInputElement;
  readonly #name: HTMLInputElement;
  readonly #error: HTMLElement;
  readonly #submit: HTMLButtonElement;
  readonly #settings: DeviceSettings;
  readonly #micMeter: MicMeter;
  readonly #unsubscribe: () => void;
  #busy = false;
  #destroyed = false;

  constructor(opts: JoinScreenOptions) {
    this.#opts = opts;
    const media = opts.media;
    this.#video = h('video', { class: 'preview-video', attrs: { autoplay: '', playsinline: '' } });
    this.#avatar = h('div', { class: 'tile-avatar preview-avatar', attrs: { 'aria-hidden': 'true' } });
    this.#status = h('div', { class: 'preview-status', attrs: { role: 'status' } });
    this.#micBtn = this.#roundButton(() => this.#toggleMic());
    this.#camBtn = this.#roundButton(() => void this.#toggleCam());
    const settingsBtn = this.#roundButton(() => void this.#settings.open());
    settingsBtn.innerHTML = icons.settings;
    settingsBtn.title = 'Choose microphone, camera and speaker';
    settingsBtn.setAttribute('aria-label', settingsBtn.title);
    this.#meter = h('span', { class: 'mic-check', attrs: { 'aria-hidden': 'true', title: 'Microphone level' } }, h('span', { class: 'mic-check-icon', html: icons.mic }), h('i'), h('i'), h('i'), h('i'), h('i'));
    this.#preview = h(
      'section',
      { class: 'preview no-video', attrs: { 'aria-label': 'Camera preview' } },
      this.#video,
      h('div', { class: 'tile-placeholder' }, this.#avatar),
      this.#status,
      h('div', { class: 'preview-controls' }, this.#micBtn, this.#camBtn, settingsBtn),
      h('div', { class: 'preview-tag' }, this.#meter),
    );

    this.#meeting = h('input', {
      class: 'input',
      attrs: { id: 'meeting', name: 'meeting', autocomplete: 'off', spellcheck: 'false', required: '', minlength: '2', maxlength: '64', placeholder: 'e.g. team-standup' },
    });
    this.#meeting.value = opts.meeting;
    this.#name = h('input', {
      class: 'input',
      attrs: { id: 'name', name: 'name', autocomplete: 'name', required: '', maxlength: '64', placeholder: 'How others will see you' },
    });
    this.#name.value = opts.name;
    this.#name.addEventListener('input', () => this.#renderAvatar());
    this.#error = h('div', { class: 'form-error', attrs: { role: 'alert' } });
    this.#error.hidden = true;
    this.#submit = h('button', { class: 'btn btn-primary btn-large btn-block', text: 'Join meeting', attrs: { type: 'submit' } });
    const form = h(
      'form',
      { class: 'join-form', attrs: { novalidate: '' }, on: { submit: (ev) => { ev.preventDefault(); void this.#join(); } } },
      h('h1', { text: 'Ready to join?' }),
      h('p', { class: 'muted lead', text: 'Meet face to face with anyone who has the link. No account needed.' }),
      h('label', { class: 'field', attrs: { for: 'meeting' } }, h('span', { class: 'field-label', text: 'Meeting' }), this.#meeting),
      h('label', { class: 'field', attrs: { for: 'name' } }, h('span', { class: 'field-label', text: 'Your name' }), this.#name),
      this.#error,
      this.#submit,
      h('p', { class: 'fineprint muted', text: 'Anyone with the meeting name can join. Audio and video go through your own Parley server.' }),
    );

    this.el = h(
      'main',
      { class: 'join' },
      h('header', { class: 'join-brand' }, h('span', { class: 'brand-mark', html: icons.logo }), h('span', { class: 'brand-name', text: 'Parley' })),
      h('div', { class: 'join-card' }, this.#preview, form),
    );

    this.#micMeter = new MicMeter((level) => this.#meter.style.setProperty('--lvl', level.toFixed(2)));
    this.#settings = new DeviceSettings(media, (choice) => void this.#chooseDevice(choice));
    this.#unsubscribe = media.onChange(() => this.#render());
    media.controller.startVideoPreviewForVideoInput(this.#video);
    this.el.addEventListener('pointerdown', () => this.#micMeter.resume());
    this.#render();
  }

  /** Opens the devices for the preview, then (for Rejoin) joins at once. */
  async start(): Promise<void> {
    if (!this.#opts.name) this.#name.focus();
    const media = this.#opts.media;
    this.#status.textContent = 'Starting camera…';
    await media.start();
    if (this.#destroyed) return; // joined before the devices opened: the meeting takes them
    this.#attachMeter();
    this.#render();
    if (this.#opts.autoJoin) await this.#join();
  }

  #roundButton(onClick: () => void): HTMLButtonElement {
    return h('button', { class: 'round-btn', attrs: { type: 'button' }, on: { click: onClick } });
  }

  #attachMeter(): void {
    const media = this.#opts.media;
    this.#micMeter.attach(media.micReady ? media.controller.createAnalyserNodeForAudioInput() : null, () => media.micOn);
  }

  #toggleMic(): void {
    const media = this.#opts.media;
    if (!media.micReady) {
      void media.start().then(() => {
        if (!this.#destroyed) this.#attachMeter();
      });
      return;
    }
    media.setMicOn(!media.micOn);
  }

  async #toggleCam(): Promise<void> {
    const media = this.#opts.media;
    await media.setCamOn(!(media.camOn && media.camReady));
  }

  async #chooseDevice(choice: DeviceChoice): Promise<void> {
    const media = this.#opts.media;
    if (choice.kind === 'audiooutput') await media.setSpeaker(choice.deviceId);
    else if (choice.kind === 'audioinput') {
      await media.switchMic(choice.deviceId);
      if (!this.#destroyed) this.#attachMeter();
    } else await media.switchCam(choice.deviceId);
  }

  #renderAvatar(): void {
    const name = this.#name.value.trim();
    if (name) {
      this.#avatar.textContent = initials(name);
      this.#avatar.style.background = avatarColor(name);
    } else {
      this.#avatar.innerHTML = icons.user;
      this.#avatar.style.background = 'var(--surface-4)';
    }
  }

  #render(): void {
    const media = this.#opts.media;
    const micOn = media.micOn && media.micReady;
    const camOn = media.camOn && media.camReady;
    this.#micBtn.innerHTML = micOn ? icons.mic : icons.micOff;
    this.#micBtn.classList.toggle('off', !micOn);
    this.#micBtn.title = media.micReady ? (micOn ? 'Turn off microphone' : 'Turn on microphone') : 'Microphone unavailable: click to try again';
    this.#micBtn.setAttribute('aria-label', this.#micBtn.title);
    this.#camBtn.innerHTML = camOn ? icons.cam : icons.camOff;
    this.#camBtn.classList.toggle('off', !camOn);
    this.#camBtn.title = camOn ? 'Turn off camera' : 'Turn on camera';
    this.#camBtn.setAttribute('aria-label', this.#camBtn.title);
    // The SDK shows the chosen camera in the preview element (startVideoPreviewForVideoInput).
    this.#preview.classList.toggle('no-video', !camOn);
    this.#meter.hidden = !micOn;
    this.#renderAvatar();

    const issues: string[] = [];
    if (media.micIssue && !media.micReady && media.camIssue && !media.camReady && media.micIssue === media.camIssue) {
      issues.push(describeIssue(media.micIssue, 'camera and microphone'));
    } else {
      if (media.micIssue && !media.micReady) issues.push(describeIssue(media.micIssue, 'microphone'));
      if (media.camIssue && !media.camReady) issues.push(describeIssue(media.camIssue, 'camera'));
    }
    this.#status.textContent = issues.length > 0 ? `${issues.join(' ')} You can still join to see and hear others.` : !camOn ? 'Camera is off' : '';
    this.#status.classList.toggle('warn', issues.length > 0);
    this.#status.hidden = this.#status.textContent === '';
  }

  async #join(): Promise<void> {
    if (this.#busy) return;
    const meeting = this.#meeting.value.trim();
    const name = this.#name.value.trim();
    if (!MEETING_RE.test(meeting)) return this.#showError('Meeting names are 2 to 64 characters.', this.#meeting);
    if (name.length < 1 || name.length > 64) return this.#showError('Enter your name (up to 64 characters).', this.#name);
    this.#error.hidden = true;
    this.#busy = true;
    this.#submit.disabled = true;
    this.#submit.classList.add('loading');
    this.#submit.textContent = 'Joining…';
    try {
      await this.#opts.onJoin(meeting, name);
    } catch (err) {
      this.#showError(`Couldn't join. ${friendlyError(err)}`);
    } finally {
      this.#busy = false;
      this.#submit.disabled = false;
      this.#submit.classList.remove('loading');
      this.#submit.textContent = 'Join meeting';
    }
  }

  #showError(message: string, field?: HTMLInputElement): void {
    this.#error.textContent = message;
    this.#error.hidden = false;
    field?.focus();
    field?.setAttribute('aria-invalid', 'true');
    if (field) field.addEventListener('input', () => field.removeAttribute('aria-invalid'), { once: true });
  }

  /** Leaves the screen; the media stays open for the meeting. */
  destroy(): void {
    this.#destroyed = true;
    this.#unsubscribe();
    this.#micMeter.close();
    this.#settings.destroy();
    this.#opts.media.controller.stopVideoPreviewForVideoInput(this.#video);
    this.el.remove();
  }
}
