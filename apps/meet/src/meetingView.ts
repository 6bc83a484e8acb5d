import type { ParleyEngine, RemoteTrack } from '@parley/client';
import type { AttendeeInfo } from '@parley/client';
import { ControlBar } from './controls.js';
import type { DemoJoinInfo } from './demoApi.js';
import { DeviceSettings, type DeviceChoice } from './devices.js';
import { friendlyError } from './friendlyErrors.js';
import { h } from './dom.js';
import type { MeetingExit } from './endScreen.js';
import { icons } from './icons.js';
import { describeIssue, type LocalMedia } from './localMedia.js';
import { Notices } from './notices.js';
import { RemoteAudio } from './remoteAudio.js';
import { Roster, type RosterPerson } from './roster.js';
import { ScreenShare, screenShareSupported } from './screenShare.js';
import { Tile } from './tile.js';
import { TileGrid } from './tileGrid.js';
import { MeetingTopBar } from './topBar.js';

/** Camera simulcast: receivers on small tiles or weak links get a lower layer. */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

const CONTENT_SUFFIX = '#content';

export interface MeetingViewOptions {
  engine: ParleyEngine;
  info: DemoJoinInfo;
  media: LocalMedia;
  name: string;
  onExit: (exit: MeetingExit) => void;
}

/** The meeting screen: wires the engine's events to tiles, roster, audio and controls. */
export class MeetingView {
  readonly el: HTMLElement;
  readonly #engine: ParleyEngine;
  readonly #info: DemoJoinInfo;
  readonly #media: LocalMedia;
  readonly #onExit: (exit: MeetingExit) => void;
  readonly #grid = new TileGrid();
  readonly #roster: Roster;
  readonly #controls: ControlBar;
  readonly #notices = new Notices();
  readonly #audio: RemoteAudio;
  readonly #settings: DeviceSettings;
  readonly #share: ScreenShare;
  readonly #topBar: MeetingTopBar;
  readonly #selfTile: Tile;
  readonly #aloneHint: HTMLElement;
  /** Which consumer feeds each tile's video, so a late removal doesn't blank a newer track. */
  readonly #videoConsumer = new Map<string, string>();
  readonly #cleanups: Array<() => void> = [];
  /** Publishing, muting and device switches run one at a time, in order. */
  #queue: Promise<unknown> = Promise.resolve();
  #peopleOpen = false;
  #exited = false;

  constructor(opts: MeetingViewOptions) {
    this.#engine = opts.engine;
    this.#info = opts.info;
    this.#media = opts.media;
    this.#onExit = opts.onExit;
    this.#audio = new RemoteAudio(opts.media.speakerDeviceId, (blocked) => this.#audioBlocked(blocked));
    this.#roster = new Roster(() => this.#togglePeople(false));
    this.#controls = new ControlBar({
      toggleMic: () => void this.#serial(() => this.#toggleMic()),
      toggleCam: () => void this.#serial(() => this.#toggleCam()),
      toggleShare: () => void this.#toggleShare(),
      openSettings: () => void this.#settings.open(),
      togglePeople: () => this.#togglePeople(!this.#peopleOpen),
      leave: () => void this.leave(),
    });
    this.#settings = new DeviceSettings(opts.media, (choice) => void this.#serial(() => this.#chooseDevice(choice)));
    this.#share = new ScreenShare(opts.info.signalingUrl, opts.info.joinToken, (reason, message) => this.#shareStopped(reason, message));
    this.#topBar = new MeetingTopBar(opts.info.meetingName, () => this.#copyInvite());
    this.#selfTile = new Tile({ id: opts.engine.attendeeId, name: opts.name, kind: 'person', self: true, label: 'You' });
    this.#aloneHint = h(
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
      h(
        'div',
        { class: 'meeting-body' },
        h('main', { class: 'stage' }, this.#notices.banners, this.#grid.el, this.#aloneHint, this.#notices.toasts),
        this.#roster.el,
      ),
      this.#controls.el,
      this.#audio.el,
    );
    this.#controls.setSharing(false, screenShareSupported);
  }

  /** Shows the meeting, publishes local media and starts following the engine. */
  async start(): Promise<void> {
    const engine = this.#engine;
    this.#grid.add(this.#selfTile);
    for (const attendee of engine.attendees.values()) this.#attendeeJoined(attendee, false);
    engine.on('attendeeJoined', (a) => this.#attendeeJoined(a, true));
    engine.on('attendeeUpdated', (a) => this.#attendeeUpdated(a));
    engine.on('attendeeLeft', (id) => this.#attendeeLeft(id));
    engine.on('trackAdded', (t) => this.#trackAdded(t));
    engine.on('trackRemoved', (t) => this.#trackRemoved(t));
    engine.on('trackPaused', (t) => this.#trackPaused(t));
    engine.on('trackResumed', (t) => this.#trackPaused(t));
    engine.on('volumes', (levels) => this.#volumes(levels));
    engine.on('ended', (reason, message) => this.#exit({ kind: 'ended', reason, message }));
    engine.on('disconnected', (code, reason) => this.#exit({ kind: 'disconnected', code, reason }));
    engine.on('transportState', (direction, state) => this.#transportState(direction, state));
    // Tracks that arrived before the listeners were attached.
    for (const track of engine.remoteTracks) this.#trackAdded(track);

    const onKey = (ev: KeyboardEvent) => this.#onKey(ev);
    window.addEventListener('keydown', onKey);
    this.#cleanups.push(() => window.removeEventListener('keydown', onKey));
    const onUnload = () => {
      void this.#share.stop();
      this.#engine.close();
    };
    window.addEventListener('pagehide', onUnload);
    this.#cleanups.push(() => window.removeEventListener('pagehide', onUnload));
    this.#cleanups.push(
      this.#media.onChange(() => {
        this.#renderLocal();
        // Devices that open late (a slow permission prompt) are sent as soon as they arrive.
        void this.#serial(() => this.#publishLocal());
      }),
    );

    this.#renderLocal();
    this.#refreshPeople();
    this.#mediaIssueBanner();
    await this.#serial(() => this.#publishLocal());
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  // ---- local media -------------------------------------------------------------------------

  async #publishLocal(): Promise<void> {
    const media = this.#media;
    const engine = this.#engine;
    if (engine.closed) return;
    try {
      if (media.micTrack && !engine.producer('microphone')) {
        await engine.publish(media.micTrack, 'microphone', { paused: !media.micOn });
      }
      if (media.camOn && media.camTrack && !engine.producer('camera')) {
        await engine.publish(media.camTrack, 'camera', { encodings: CAMERA_ENCODINGS });
      }
    } catch (err) {
      if (engine.closed) return;
      this.#notices.banner('publish', 'error', `Could not send your audio or video: ${messageOf(err)}`);
    }
  }

  #renderLocal(): void {
    const media = this.#media;
    this.#controls.setMic(media.micOn && !!media.micTrack, !!media.micTrack);
    this.#controls.setCam(media.camOn && !!media.camTrack, !media.camIssue || !!media.camTrack);
    this.#selfTile.setVideo(media.camOn ? media.camTrack : undefined);
    this.#selfTile.setAudioMuted(!media.micOn || !media.micTrack);
    this.#refreshPeople();
  }

  #mediaIssueBanner(): void {
    const { micIssue, camIssue, micTrack, camTrack } = this.#media;
    if (micIssue && !micTrack && camIssue && !camTrack && micIssue === camIssue) {
      this.#notices.banner('media', 'warn', `${describeIssue(micIssue, 'camera and microphone')} You can still see and hear everyone.`);
    } else if (micIssue && !micTrack) {
      this.#notices.banner('media', 'warn', `${describeIssue(micIssue, 'microphone')} Others can't hear you, but you can hear them.`);
    } else if (camIssue && !camTrack) {
      this.#notices.banner('media', 'warn', `${describeIssue(camIssue, 'camera')} Others will see your initials.`);
    } else {
      this.#notices.dismiss('media');
    }
  }

  async #toggleMic(): Promise<void> {
    const media = this.#media;
    if (!media.micTrack) {
      // Maybe the user has allowed it since: try again.
      await media.start();
      this.#mediaIssueBanner();
      if (!media.micTrack) return;
      media.setMicOn(true);
      await this.#publishLocal();
      return;
    }
    const on = !media.micOn;
    media.setMicOn(on);
    try {
      await this.#engine.setPaused('microphone', !on);
    } catch (err) {
      this.#notices.toast(`Could not ${on ? 'unmute' : 'mute'}: ${messageOf(err)}`, icons.alert);
    }
  }

  async #toggleCam(): Promise<void> {
    const media = this.#media;
    const engine = this.#engine;
    try {
      if (media.camOn && media.camTrack) {
        await engine.setPaused('camera', true);
        await media.setCamOn(false);
        return;
      }
      const track = await media.setCamOn(true);
      this.#mediaIssueBanner();
      if (!track) return;
      await engine.publish(track, 'camera', { encodings: CAMERA_ENCODINGS });
      await engine.setPaused('camera', false);
    } catch (err) {
      if (!engine.closed) this.#notices.toast(`Camera problem: ${messageOf(err)}`, icons.alert);
    }
  }

  async #chooseDevice(choice: DeviceChoice): Promise<void> {
    const media = this.#media;
    const engine = this.#engine;
    try {
      if (choice.kind === 'audiooutput') {
        media.setSpeaker(choice.deviceId);
        await this.#audio.setSink(choice.deviceId);
        return;
      }
      if (choice.kind === 'audioinput') {
        const switched = await media.switchMic(choice.deviceId);
        if (!switched) {
          this.#mediaIssueBanner();
          return;
        }
        if (engine.producer('microphone')) await engine.publish(switched.track, 'microphone');
        else await this.#publishLocal();
        switched.old?.stop();
        this.#mediaIssueBanner();
        return;
      }
      const switched = await media.switchCam(choice.deviceId);
      this.#mediaIssueBanner();
      if (!switched) return;
      await engine.publish(switched.track, 'camera', { encodings: CAMERA_ENCODINGS });
      await engine.setPaused('camera', false);
    } catch (err) {
      this.#notices.toast(`Could not switch device: ${messageOf(err)}`, icons.alert);
    }
  }

  // ---- screen share ------------------------------------------------------------------------

  async #toggleShare(): Promise<void> {
    if (this.#share.active) {
      await this.#share.stop();
      return;
    }
    const others = [...this.#engine.attendees.values()].filter((a) => a.isContent && ownerOf(a.attendeeId) !== this.#engine.attendeeId);
    if (others.length > 0) this.#notices.toast('Your screen will be shown next to the current presentation.', icons.present);
    this.#controls.setSharing(false, screenShareSupported, true);
    try {
      const started = await this.#share.start();
      this.#controls.setSharing(started, screenShareSupported);
    } catch (err) {
      this.#controls.setSharing(false, screenShareSupported);
      this.#notices.banner('share', 'error', `Could not share your screen: ${messageOf(err)}`);
    }
  }

  #shareStopped(reason: 'user' | 'ended', message?: string): void {
    this.#controls.setSharing(false, screenShareSupported);
    if (reason === 'ended' && !this.#exited) this.#notices.toast(message ?? 'Screen sharing stopped.', icons.screenStop);
  }

  // ---- attendees and tracks ----------------------------------------------------------------

  #attendeeJoined(attendee: AttendeeInfo, announce: boolean): void {
    const selfId = this.#engine.attendeeId;
    if (attendee.attendeeId === selfId) {
      this.#selfTile.setName(attendee.name || this.#selfTile.id, 'You');
      return;
    }
    if (attendee.isContent) {
      const mine = ownerOf(attendee.attendeeId) === selfId;
      const tile = this.#grid.get(attendee.attendeeId) ?? new Tile({ id: attendee.attendeeId, name: attendee.name, kind: 'content', self: mine, label: mine ? 'You are presenting' : `${attendee.name} is presenting` });
      if (mine) this.#markOwnPresentation(tile);
      this.#grid.add(tile);
      if (announce && !mine) this.#notices.toast(`${attendee.name} is presenting`, icons.present);
    } else {
      const existing = this.#grid.get(attendee.attendeeId);
      if (existing) existing.setName(attendee.name);
      else this.#grid.add(new Tile({ id: attendee.attendeeId, name: attendee.name, kind: 'person', self: false }));
      this.#grid.get(attendee.attendeeId)?.setAudioMuted(attendee.audioMuted);
      if (announce) this.#notices.toast(`${attendee.name} joined`, icons.users);
    }
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

  #attendeeUpdated(attendee: AttendeeInfo): void {
    if (attendee.attendeeId === this.#engine.attendeeId) return; // our own state is local
    const tile = this.#grid.get(attendee.attendeeId);
    if (tile && !attendee.isContent) {
      tile.setName(attendee.name);
      tile.setAudioMuted(attendee.audioMuted);
    }
    this.#refreshPeople();
  }

  #attendeeLeft(attendeeId: string): void {
    const tile = this.#grid.get(attendeeId);
    if (tile && tile !== this.#selfTile) {
      if (tile.kind === 'person') this.#notices.toast(`${tile.el.getAttribute('aria-label') ?? 'Someone'} left`, icons.door);
      this.#grid.remove(attendeeId);
    }
    this.#videoConsumer.delete(attendeeId);
    this.#refreshPeople();
  }

  #trackAdded(track: RemoteTrack): void {
    const selfId = this.#engine.attendeeId;
    const ownContent = ownerOf(track.attendeeId) === selfId && track.attendeeId !== selfId;
    if (track.kind === 'audio') {
      // Never play back our own shared tab audio.
      if (!ownContent) this.#audio.add(track.consumerId, track.attendeeId, track.track);
      return;
    }
    if (ownContent || track.attendeeId === selfId) return;
    let tile = this.#grid.get(track.attendeeId);
    if (!tile) {
      const info = this.#engine.attendees.get(track.attendeeId);
      if (info) this.#attendeeJoined(info, false);
      tile = this.#grid.get(track.attendeeId);
      if (!tile) {
        const content = track.source === 'screen';
        tile = new Tile({ id: track.attendeeId, name: 'Guest', kind: content ? 'content' : 'person', self: false });
        this.#grid.add(tile);
      }
    }
    this.#videoConsumer.set(track.attendeeId, track.consumerId);
    tile.setVideo(track.track);
    tile.setVideoOff(track.paused);
  }

  #trackRemoved(track: RemoteTrack): void {
    if (track.kind === 'audio') {
      this.#audio.remove(track.consumerId);
      return;
    }
    if (this.#videoConsumer.get(track.attendeeId) !== track.consumerId) return;
    this.#videoConsumer.delete(track.attendeeId);
    this.#grid.get(track.attendeeId)?.setVideo(undefined);
  }

  #trackPaused(track: RemoteTrack): void {
    if (track.kind !== 'video' || this.#videoConsumer.get(track.attendeeId) !== track.consumerId) return;
    this.#grid.get(track.attendeeId)?.setVideoOff(track.paused);
    this.#refreshPeople();
  }

  #volumes(levels: Array<{ attendeeId: string; volume: number }>): void {
    const byId = new Map(levels.map((l) => [l.attendeeId, l.volume]));
    for (const tile of this.#grid.tiles) {
      if (tile.kind !== 'person') continue;
      const muted = tile.self ? !this.#media.micOn : tile.el.classList.contains('mic-muted');
      tile.setLevel(muted ? 0 : (byId.get(tile.id) ?? 0));
      this.#roster.setTalking(tile.id, tile.talking);
    }
  }

  #refreshPeople(): void {
    const engine = this.#engine;
    const selfId = engine.attendeeId;
    const presenting = new Set([...engine.attendees.values()].filter((a) => a.isContent).map((a) => ownerOf(a.attendeeId)));
    if (this.#share.active) presenting.add(selfId);
    const people: RosterPerson[] = [
      {
        attendeeId: selfId,
        name: engine.self.name || 'You',
        self: true,
        audioMuted: !this.#media.micOn || !this.#media.micTrack,
        videoMuted: !this.#media.camOn || !this.#media.camTrack,
        presenting: presenting.has(selfId),
      },
    ];
    for (const a of engine.attendees.values()) {
      if (a.isContent || a.attendeeId === selfId) continue;
      people.push({ attendeeId: a.attendeeId, name: a.name, self: false, audioMuted: a.audioMuted, videoMuted: a.videoMuted, presenting: presenting.has(a.attendeeId) });
    }
    this.#roster.update(people);
    this.#controls.setPeople(people.length, this.#peopleOpen);
    this.#topBar.setCount(people.length);
    this.el.classList.toggle('alone', people.length === 1 && presenting.size === 0);
  }

  // ---- chrome ------------------------------------------------------------------------------

  #togglePeople(open: boolean): void {
    this.#peopleOpen = open;
    this.el.classList.toggle('people-open', open);
    this.#controls.setPeople(this.#roster.el.querySelectorAll('.roster-row').length, open);
    this.#grid.relayout();
  }

  async #copyInvite(): Promise<void> {
    const url = inviteUrl(this.#info.meetingName);
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

  #transportState(direction: 'send' | 'recv', state: string): void {
    if (state === 'failed') this.#notices.banner('transport', 'error', `Media connection failed (${direction}). Try leaving and rejoining.`);
    else if (state === 'disconnected') this.#notices.banner('transport', 'warn', 'Media connection interrupted. Reconnecting…');
    else if (state === 'connected') this.#notices.dismiss('transport');
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

  // ---- leaving -----------------------------------------------------------------------------

  async leave(): Promise<void> {
    if (this.#exited) return;
    await this.#share.stop().catch(() => undefined);
    await this.#engine.leave();
    this.#exit({ kind: 'left' });
  }

  #exit(exit: MeetingExit): void {
    if (this.#exited) return;
    this.#exited = true;
    void this.#share.stop().catch(() => undefined);
    this.#engine.close();
    this.destroy();
    this.#onExit(exit);
  }

  destroy(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#engine.removeAllListeners();
    this.#settings.destroy();
    this.#audio.destroy();
    this.#grid.destroy();
    this.#topBar.destroy();
    this.el.remove();
  }
}

/** "<attendeeId>#content" -> "<attendeeId>". */
function ownerOf(attendeeId: string): string {
  return attendeeId.endsWith(CONTENT_SUFFIX) ? attendeeId.slice(0, -CONTENT_SUFFIX.length) : attendeeId;
}

export function inviteUrl(meeting: string): string {
  const url = new URL(window.location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('m', meeting);
  return url.toString();
}

function messageOf(err: unknown): string {
  return friendlyError(err);
}
