import {
  type AudioVideoObserver, type DefaultMeetingSession, type MeetingSessionStatus, type MeetingSessionVideoAvailability,
} from '@parley/client';
import { ControlBar } from './controls.js';
import { DeviceSettings, type DeviceChoice } from './devices.js';
import { h } from './dom.js';
import type { MeetingExit } from './endScreen.js';
import { friendlyError, MeetingStartError } from './friendlyErrors.js';
import type { HostApi } from './hostApi.js';
import { HostMedia } from './hostMedia.js';
import { icons } from './icons.js';
import { describeIssue, type LocalDevices } from './localDevices.js';
import { MeetingAudio } from './meetingAudio.js';
import { Notices } from './notices.js';
import { Participants } from './participants.js';
import { RoomMediaStatus, type MediaChange, type MediaStatus } from './roomMediaStatus.js';
import { Roster } from './roster.js';
import { ScreenShare, screenShareSupported, type ShareStopReason } from './screenShare.js';
import type { Tile } from './tile.js';
import { TileGrid } from './tileGrid.js';
import { MeetingTopBar } from './topBar.js';

export interface MeetingViewOptions {
  session: DefaultMeetingSession;
  devices: LocalDevices;
  name: string;
  /** Set for the meeting's host: the recording and streaming controls call the demo backend with it. */
  host?: HostApi;
  onExit: (exit: MeetingExit) => void;
}

/**
 * The meeting screen, driven by the meeting session's audioVideo facade: the session's
 * observer callbacks update the tiles, roster and notices; the controls call the facade.
 */
export class MeetingView implements AudioVideoObserver {
  readonly el: HTMLElement;
  readonly #session: DefaultMeetingSession;
  readonly #devices: LocalDevices;
  readonly #onExit: (exit: MeetingExit) => void;
  readonly #grid = new TileGrid();
  readonly #roster: Roster;
  readonly #controls: ControlBar;
  readonly #notices = new Notices();
  readonly #audio: MeetingAudio;
  readonly #settings: DeviceSettings;
  readonly #share: ScreenShare;
  readonly #topBar: MeetingTopBar;
  readonly #participants: Participants;
  readonly #media: RoomMediaStatus;
  readonly #host: HostMedia | undefined;
  readonly #cleanups: Array<() => void> = [];
  /** Camera, microphone and device switches run one at a time, in order. */
  #queue: Promise<unknown> = Promise.resolve();
  #canStartVideo = true;
  #peopleOpen = false;
  #started = false;
  #exited = false;
  #startWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(opts: MeetingViewOptions) {
    this.#session = opts.session;
    this.#devices = opts.devices;
    this.#onExit = opts.onExit;
    const av = opts.session.audioVideo;
    const meetingName = opts.session.configuration.externalMeetingId ?? 'Meeting';
    this.#audio = new MeetingAudio((blocked) => this.#audioBlocked(blocked));
    this.#roster = new Roster(() => this.#togglePeople(false));
    this.#controls = new ControlBar({
      toggleMic: () => void this.#serial(() => this.#toggleMic()),
      toggleCam: () => void this.#serial(() => this.#toggleCam()),
      toggleShare: () => void this.#toggleShare(),
      openSettings: () => void this.#settings.open(),
      togglePeople: () => this.#togglePeople(!this.#peopleOpen),
      leave: () => this.leave(),
    });
    this.#settings = new DeviceSettings(opts.devices, (choice) => void this.#serial(() => this.#chooseDevice(choice)));
    this.#share = new ScreenShare(av, (sharing, busy, stopped) => this.#shareChanged(sharing, busy, stopped));
    this.#topBar = new MeetingTopBar(meetingName, () => void this.#copyInvite());
    const selfId = opts.session.configuration.credentials?.attendeeId ?? '';
    this.#participants = new Participants(av, { attendeeId: selfId, name: opts.name }, this.#grid, {
      joined: (name) => this.#notices.toast(`${name} joined`, icons.users),
      left: (name, dropped) => this.#notices.toast(dropped ? `${name} lost connection` : `${name} left`, icons.door),
      presenting: (name) => this.#notices.toast(`${name} is presenting`, icons.present),
      ownPresentation: (tile) => this.#markOwnPresentation(tile),
      changed: () => this.#refreshPeople(),
    });
    const aloneHint = h(
      'div',
      { class: 'alone-hint' },
      h('div', { class: 'alone-icon', html: icons.link }),
      h('div', { class: 'alone-text' }, h('strong', { text: "You're the only one here" }), h('span', { class: 'muted', text: 'Share the invite link so others can join.' })),
      h('button', { class: 'btn btn-secondary btn-small', text: 'Copy link', attrs: { type: 'button' }, on: { click: () => void this.#copyInvite() } }),
    );
    this.el = h(
      'div',
      { class: 'meeting' },
      this.#topBar.el,
      h('div', { class: 'meeting-body' }, h('main', { class: 'stage' }, this.#notices.banners, this.#grid.el, aloneHint, this.#notices.toasts), this.#roster.el),
      this.#controls.el,
      this.#audio.el,
    );
    this.#controls.setSharing(false, screenShareSupported);
    this.#media = new RoomMediaStatus((status, change) => this.#mediaChanged(status, change));
    this.#host = opts.host ? new HostMedia(opts.host, this.#controls, this.#notices) : undefined;
  }

  get #av() {
    return this.#session.audioVideo;
  }

  /**
   * Starts the session with the devices chosen on the join screen. Resolves once connected
   * (audioVideoDidStart); rejects with the status when the session stops before that.
   */
  join(): Promise<void> {
    const av = this.#av;
    const devices = this.#devices;
    av.addObserver(this);
    this.#participants.start();
    this.#audio.bind(av);
    if (devices.speakerDeviceId) void devices.setSpeaker(devices.speakerDeviceId).catch(() => undefined);
    if (!devices.micOn || !devices.micReady) av.realtimeMuteLocalAudio();
    if (devices.camOn && devices.camReady) av.startLocalVideoTile();
    const started = new Promise<void>((resolve, reject) => {
      this.#startWaiter = { resolve, reject };
    });
    av.start();
    return started;
  }

  /** Called once the view is on screen. */
  shown(): void {
    const onKey = (ev: KeyboardEvent) => this.#onKey(ev);
    window.addEventListener('keydown', onKey);
    this.#cleanups.push(() => window.removeEventListener('keydown', onKey));
    this.#cleanups.push(this.#devices.onChange(() => this.#renderLocal()));
    this.#renderLocal();
    this.#refreshPeople();
    this.#mediaIssueBanner();
  }

  // ---- AudioVideoObserver: session -------------------------------------------------------------

  audioVideoDidStartConnecting(reconnecting: boolean): void {
    if (reconnecting) this.#notices.banner('connection', 'progress', 'Connection lost. Reconnecting…');
  }

  audioVideoDidStart(): void {
    // Each connection has its own engine: read the recording/streaming state from this one.
    const engine = this.#session.engine;
    if (engine) void this.#media.attach(engine);
    if (this.#started) {
      this.#notices.dismiss('connection');
      this.#notices.toast('Reconnected', icons.check);
      return;
    }
    this.#started = true;
    this.#participants.announce();
    if (this.#host) this.#notices.toast("You're the host: you can record and stream this meeting.", icons.record);
    this.#startWaiter?.resolve();
    this.#startWaiter = undefined;
  }

  audioVideoDidStop(status: MeetingSessionStatus): void {
    if (this.#startWaiter) {
      this.#startWaiter.reject(new MeetingStartError(status));
      this.#startWaiter = undefined;
      this.destroy();
      return;
    }
    this.#exit({ code: status.statusCode() });
  }

  connectionDidBecomePoor(): void {
    this.#notices.banner('quality', 'warn', 'Your connection is poor: audio and video may break up.');
  }

  connectionDidSuggestStopVideo(): void {
    if (!this.#av.hasStartedLocalVideoTile()) return;
    this.#notices.banner('quality', 'warn', 'Your connection is poor. Turning off your camera can help.', {
      label: 'Turn off camera',
      run: () => {
        this.#notices.dismiss('quality');
        void this.#serial(() => this.#setCamera(false));
      },
    });
  }

  connectionDidBecomeGood(): void {
    this.#notices.dismiss('quality');
  }

  videoAvailabilityDidChange(availability: MeetingSessionVideoAvailability): void {
    this.#canStartVideo = availability.canStartLocalVideo;
    this.#renderLocal();
  }

  videoSendDidBecomeUnavailable(): void {
    this.#notices.toast('This meeting already has as many cameras on as it allows.', icons.alert);
    void this.#serial(() => this.#devices.setCamOn(false));
  }

  // ---- local media -----------------------------------------------------------------------------

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #renderLocal(): void {
    const devices = this.#devices;
    const micOn = devices.micReady && !this.#av.realtimeIsLocalAudioMuted();
    const camOn = devices.camOn && devices.camReady;
    this.#controls.setMic(micOn, devices.micReady);
    this.#controls.setCam(camOn, (!devices.camIssue || devices.camReady) && (camOn || this.#canStartVideo));
    this.#refreshPeople();
  }

  #mediaIssueBanner(): void {
    const { micIssue, camIssue, micReady, camReady } = this.#devices;
    if (micIssue && !micReady && camIssue && !camReady && micIssue === camIssue) {
      this.#notices.banner('media', 'warn', `${describeIssue(micIssue, 'camera and microphone')} You can still see and hear everyone.`);
    } else if (micIssue && !micReady) {
      this.#notices.banner('media', 'warn', `${describeIssue(micIssue, 'microphone')} Others can't hear you, but you can hear them.`);
    } else if (camIssue && !camReady) {
      this.#notices.banner('media', 'warn', `${describeIssue(camIssue, 'camera')} Others will see your initials.`);
    } else {
      this.#notices.dismiss('media');
    }
  }

  async #toggleMic(): Promise<void> {
    const av = this.#av;
    const devices = this.#devices;
    if (!devices.micReady) {
      // Maybe the user has allowed it since: try again (the session sends it once chosen).
      await devices.start();
      this.#mediaIssueBanner();
      if (devices.micReady && !av.realtimeUnmuteLocalAudio()) this.#notices.toast('You cannot unmute right now.', icons.alert);
      this.#renderLocal();
      return;
    }
    if (av.realtimeIsLocalAudioMuted()) {
      if (!av.realtimeUnmuteLocalAudio()) this.#notices.toast('You cannot unmute right now.', icons.alert);
    } else av.realtimeMuteLocalAudio();
    this.#renderLocal();
  }

  #toggleCam(): Promise<void> {
    return this.#setCamera(!this.#av.hasStartedLocalVideoTile());
  }

  async #setCamera(on: boolean): Promise<void> {
    const av = this.#av;
    if (!on) {
      av.stopLocalVideoTile();
      await this.#devices.setCamOn(false);
      return;
    }
    if (!this.#canStartVideo) {
      this.#notices.toast('This meeting already has as many cameras on as it allows.', icons.alert);
      return;
    }
    const opened = await this.#devices.setCamOn(true);
    this.#mediaIssueBanner();
    if (opened) av.startLocalVideoTile();
  }

  async #chooseDevice(choice: DeviceChoice): Promise<void> {
    const devices = this.#devices;
    try {
      // The session sends a newly chosen microphone or camera by itself.
      if (choice.kind === 'audiooutput') await devices.setSpeaker(choice.deviceId);
      else if (choice.kind === 'audioinput') await devices.switchMic(choice.deviceId);
      else if (!(await devices.switchCam(choice.deviceId)) && this.#av.hasStartedLocalVideoTile() && !devices.camOn) this.#av.stopLocalVideoTile();
      this.#mediaIssueBanner();
    } catch (err) {
      this.#notices.toast(`Could not switch device: ${friendlyError(err)}`, icons.alert);
    }
  }

  // ---- screen share ----------------------------------------------------------------------------

  async #toggleShare(): Promise<void> {
    if (this.#share.active) {
      await this.#share.stop();
      return;
    }
    const selfId = this.#session.configuration.credentials?.attendeeId ?? '';
    if ([...this.#participants.presenters().keys()].some((id) => id !== selfId)) this.#notices.toast('Your screen will be shown next to the current presentation.', icons.present);
    try {
      await this.#share.start();
    } catch (err) {
      this.#notices.banner('share', 'error', `Could not share your screen: ${friendlyError(err)}`);
    }
  }

  #shareChanged(sharing: boolean, busy: boolean, stopped?: ShareStopReason): void {
    this.#controls.setSharing(sharing, screenShareSupported, busy);
    if (this.#exited) return;
    if (stopped === 'failed') this.#notices.banner('share', 'error', 'Could not share your screen. Too many people may be presenting already.');
    else if (stopped === 'ended') this.#notices.toast('Screen sharing stopped.', icons.screenStop);
    this.#refreshPeople();
  }

  #markOwnPresentation(tile: Tile): void {
    if (tile.el.querySelector('.presenting-card')) return;
    tile.el.append(
      h(
        'div',
        { class: 'presenting-card' },
        h('span', { class: 'presenting-icon', html: icons.present }),
        h('strong', { text: 'You are presenting to everyone' }),
        h('button', { class: 'btn btn-danger btn-small', text: 'Stop presenting', attrs: { type: 'button' }, on: { click: () => void this.#share.stop() } }),
      ),
    );
  }

  // ---- recording and streaming (everyone sees them; hosts control them) ----------------------

  #mediaChanged(status: MediaStatus, change: MediaChange): void {
    this.#topBar.setMedia(status.recording, status.streaming);
    this.el.classList.toggle('is-recording', status.recording);
    this.#host?.handle(status, change);
    if (change.kind === 'recordingStarted') this.#notices.toast('Recording started', icons.record);
    else if (change.kind === 'recordingEnded') this.#notices.toast('Recording stopped', icons.recordStop);
    else if (change.kind === 'streamStarted') this.#notices.toast('This meeting is live', icons.broadcast);
    else if (change.kind === 'streamEnded') this.#notices.toast('The live stream ended', icons.broadcast);
  }

  // ---- people ----------------------------------------------------------------------------------

  #refreshPeople(): void {
    const people = this.#participants.people();
    this.#roster.update(people);
    for (const p of people) this.#roster.setTalking(p.attendeeId, this.#participants.isActiveSpeaker(p.attendeeId));
    this.#controls.setPeople(people.length, this.#peopleOpen);
    this.#topBar.setCount(people.length);
    this.el.classList.toggle('alone', people.length === 1 && this.#participants.presenters().size === 0);
  }

  #togglePeople(open: boolean): void {
    this.#peopleOpen = open;
    this.el.classList.toggle('people-open', open);
    this.#refreshPeople();
    this.#grid.relayout();
  }

  // ---- chrome ----------------------------------------------------------------------------------

  async #copyInvite(): Promise<void> {
    const url = inviteUrl(this.#session.configuration.externalMeetingId ?? '');
    try {
      await navigator.clipboard.writeText(url);
      this.#notices.toast('Invite link copied');
    } catch {
      // No clipboard permission (or not a secure context): show it so it can be copied by hand.
      this.#notices.banner('invite', 'info', `Invite link: ${url}`);
    }
  }

  #audioBlocked(blocked: boolean): void {
    if (blocked) this.#notices.banner('audio', 'info', 'Your browser paused meeting audio.', { label: 'Play audio', run: () => this.#audio.resume() });
    else this.#notices.dismiss('audio');
  }

  #onKey(ev: KeyboardEvent): void {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) return;
    const key = ev.key.toLowerCase();
    if (key === 'd') {
      ev.preventDefault();
      void this.#serial(() => this.#toggleMic());
    } else if (key === 'e') {
      ev.preventDefault();
      void this.#serial(() => this.#toggleCam());
    }
  }

  // ---- leaving ---------------------------------------------------------------------------------

  /** Leaves; audioVideoDidStop(Left) then shows the end screen. */
  leave(): void {
    if (this.#exited) return;
    this.#av.stop();
  }

  #exit(exit: MeetingExit): void {
    if (this.#exited) return;
    this.#exited = true;
    this.destroy();
    this.#onExit(exit);
  }

  destroy(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    const av = this.#av;
    av.removeObserver(this);
    // Stopping is idempotent: after a failure or leave it does nothing.
    av.stop();
    this.#participants.destroy();
    this.#share.destroy();
    this.#settings.destroy();
    this.#audio.destroy(av);
    this.#grid.destroy();
    this.#topBar.destroy();
    this.#media.detach();
    this.#host?.destroy();
    this.el.remove();
  }
}

export function inviteUrl(meeting: string): string {
  const url = new URL(window.location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('m', meeting);
  return url.toString();
}
