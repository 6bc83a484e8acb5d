import {
  DefaultActiveSpeakerPolicy, DefaultModality, type AttendeePresenceCallback, type AudioVideoObserver, type DefaultAudioVideoFacade,
  type VideoTileState, type VolumeIndicatorCallback,
} from '@parley/client';
import type { RosterPerson } from './roster.js';
import { Tile } from './tile.js';
import type { TileGrid } from './tileGrid.js';
import { nameFromExternalUserId } from './names.js';

interface Person {
  tile: Tile;
  muted: boolean;
  videoOn: boolean;
}

export interface ParticipantEvents {
  /** Someone arrived or left (not fired for those already here when you joined). */
  joined(name: string): void;
  left(name: string, dropped: boolean): void;
  presenting(name: string): void;
  /** Your own content share tile appeared: the view decorates it. */
  ownPresentation(tile: Tile): void;
  /** Anything the roster or counters show changed. */
  changed(): void;
}

/**
 * Everyone in the meeting as tiles, from the SDK's realtime and tile callbacks: attendee
 * presence makes and removes tiles, volume indicators drive mute icons and level meters, the
 * active speaker detector picks the ring, and video tiles are bound to the tiles' elements.
 */
export class Participants implements AudioVideoObserver {
  readonly #av: DefaultAudioVideoFacade;
  readonly #selfId: string;
  readonly #grid: TileGrid;
  readonly #events: ParticipantEvents;
  readonly #people = new Map<string, Person>();
  /** Content tiles by content attendee id ("<attendeeId>#content"). */
  readonly #contents = new Map<string, Tile>();
  /** SDK tile id -> the attendee it shows. */
  readonly #tileOwners = new Map<number, string>();
  #announce = false;
  #activeSpeaker: string | undefined;
  readonly #onPresence: AttendeePresenceCallback = (id, present, ext, dropped) => this.#presence(id, present, ext, dropped);
  readonly #onVolume: VolumeIndicatorCallback = (id, volume, muted) => this.#volume(id, volume, muted);
  readonly #onSelfMute = (muted: boolean) => this.#volume(this.#selfId, null, muted);
  readonly #onActiveSpeaker = (ids: string[]) => this.#setActiveSpeaker(ids[0]);

  constructor(audioVideo: DefaultAudioVideoFacade, self: { attendeeId: string; name: string }, grid: TileGrid, events: ParticipantEvents) {
    this.#av = audioVideo;
    this.#selfId = self.attendeeId;
    this.#grid = grid;
    this.#events = events;
    const tile = new Tile({ id: self.attendeeId, name: self.name, kind: 'person', self: true, label: 'You' });
    this.#people.set(self.attendeeId, { tile, muted: audioVideo.realtimeIsLocalAudioMuted(), videoOn: false });
    tile.setAudioMuted(audioVideo.realtimeIsLocalAudioMuted());
    grid.add(tile);
  }

  get selfTile(): Tile {
    return this.#people.get(this.#selfId)!.tile;
  }

  start(): void {
    this.#av.addObserver(this);
    this.#av.realtimeSubscribeToAttendeeIdPresence(this.#onPresence);
    this.#av.realtimeSubscribeToVolumeIndicator(this.#selfId, this.#onVolume);
    this.#av.realtimeSubscribeToMuteAndUnmuteLocalAudio(this.#onSelfMute);
    this.#av.subscribeToActiveSpeakerDetector(new DefaultActiveSpeakerPolicy(), this.#onActiveSpeaker);
  }

  /** From now on arrivals and departures are news (those present at join are not). */
  announce(): void {
    this.#announce = true;
  }

  /** Names of those presenting, by the presenter's attendee id. */
  presenters(): Map<string, string> {
    const out = new Map<string, string>();
    for (const id of this.#contents.keys()) {
      const owner = new DefaultModality(id).base();
      out.set(owner, this.#people.get(owner)?.tile.name ?? 'Someone');
    }
    return out;
  }

  people(): RosterPerson[] {
    const presenting = this.presenters();
    return [...this.#people.entries()].map(([attendeeId, p]) => ({
      attendeeId,
      name: p.tile.name,
      self: attendeeId === this.#selfId,
      audioMuted: p.muted,
      videoMuted: !p.videoOn,
      presenting: presenting.has(attendeeId),
    }));
  }

  isActiveSpeaker(attendeeId: string): boolean {
    return this.#activeSpeaker === attendeeId;
  }

  // ---- AudioVideoObserver: video tiles -------------------------------------------------------

  videoTileDidUpdate(state: VideoTileState): void {
    const tileId = state.tileId;
    const attendeeId = state.boundAttendeeId;
    if (tileId === null || !attendeeId) return;
    this.#tileOwners.set(tileId, attendeeId);
    if (state.isContent) {
      const tile = this.#contentTile(attendeeId, state.boundExternalUserId);
      if (new DefaultModality(attendeeId).base() === this.#selfId) {
        // Your own screen is already in front of you: don't download it back.
        if (!state.paused) this.#av.pauseVideoTile(tileId);
        return;
      }
      if (state.boundVideoElement !== tile.video) this.#av.bindVideoElement(tileId, tile.video);
      tile.setVideoActive(state.active);
      return;
    }
    const person = state.localTile ? this.#people.get(this.#selfId) : this.#person(attendeeId, state.boundExternalUserId);
    if (!person) return;
    if (state.boundVideoElement !== person.tile.video) this.#av.bindVideoElement(tileId, person.tile.video);
    person.tile.setVideoActive(state.active);
    if (person.videoOn !== state.active) {
      person.videoOn = state.active;
      this.#events.changed();
    }
  }

  videoTileWasRemoved(tileId: number): void {
    const attendeeId = this.#tileOwners.get(tileId);
    this.#tileOwners.delete(tileId);
    if (!attendeeId) return;
    const person = this.#people.get(attendeeId);
    if (person) {
      person.tile.setVideoActive(false);
      person.videoOn = false;
      this.#events.changed();
    }
    this.#contents.get(attendeeId)?.setVideoActive(false);
  }

  // ---- realtime ------------------------------------------------------------------------------

  #presence(attendeeId: string, present: boolean, externalUserId: string | undefined, dropped: boolean | undefined): void {
    if (attendeeId === this.#selfId) return;
    const isContent = new DefaultModality(attendeeId).hasModality(DefaultModality.MODALITY_CONTENT);
    if (present) {
      if (isContent) this.#contentTile(attendeeId, externalUserId ?? null, true);
      else this.#person(attendeeId, externalUserId ?? null, true);
      return;
    }
    if (isContent) {
      if (this.#contents.delete(attendeeId)) this.#grid.remove(attendeeId);
    } else {
      const person = this.#people.get(attendeeId);
      if (!person) return;
      this.#av.realtimeUnsubscribeFromVolumeIndicator(attendeeId, this.#onVolume);
      this.#people.delete(attendeeId);
      this.#grid.remove(attendeeId);
      if (this.#activeSpeaker === attendeeId) this.#activeSpeaker = undefined;
      if (this.#announce) this.#events.left(person.tile.name, dropped === true);
    }
    this.#events.changed();
  }

  #person(attendeeId: string, externalUserId: string | null, fromPresence = false): Person {
    let person = this.#people.get(attendeeId);
    if (person) return person;
    const name = nameFromExternalUserId(externalUserId);
    person = { tile: new Tile({ id: attendeeId, name, kind: 'person', self: false }), muted: false, videoOn: false };
    this.#people.set(attendeeId, person);
    this.#grid.add(person.tile);
    this.#av.realtimeSubscribeToVolumeIndicator(attendeeId, this.#onVolume);
    if (fromPresence && this.#announce) this.#events.joined(name);
    this.#events.changed();
    return person;
  }

  #contentTile(attendeeId: string, externalUserId: string | null, fromPresence = false): Tile {
    let tile = this.#contents.get(attendeeId);
    if (tile) return tile;
    const owner = new DefaultModality(attendeeId).base();
    const mine = owner === this.#selfId;
    const name = this.#people.get(owner)?.tile.name ?? nameFromExternalUserId(externalUserId);
    tile = new Tile({ id: attendeeId, name, kind: 'content', self: mine, label: mine ? 'You are presenting' : `${name} is presenting` });
    this.#contents.set(attendeeId, tile);
    this.#grid.add(tile);
    if (mine) this.#events.ownPresentation(tile);
    else if (fromPresence && this.#announce) this.#events.presenting(name);
    this.#events.changed();
    return tile;
  }

  #volume(attendeeId: string, volume: number | null, muted: boolean | null): void {
    const person = this.#people.get(attendeeId);
    if (!person) return;
    if (volume !== null) person.tile.setLevel(volume);
    if (muted !== null && muted !== person.muted) {
      person.muted = muted;
      person.tile.setAudioMuted(muted);
      if (muted) person.tile.setLevel(0);
      this.#events.changed();
    }
  }

  #setActiveSpeaker(attendeeId: string | undefined): void {
    if (attendeeId === this.#activeSpeaker) return;
    this.#people.get(this.#activeSpeaker ?? '')?.tile.setActiveSpeaker(false);
    this.#activeSpeaker = attendeeId;
    this.#people.get(attendeeId ?? '')?.tile.setActiveSpeaker(true);
    this.#events.changed();
  }

  destroy(): void {
    this.#av.removeObserver(this);
    this.#av.realtimeUnsubscribeToAttendeeIdPresence(this.#onPresence);
    this.#av.realtimeUnsubscribeToMuteAndUnmuteLocalAudio(this.#onSelfMute);
    this.#av.unsubscribeFromActiveSpeakerDetector(this.#onActiveSpeaker);
    for (const attendeeId of this.#people.keys()) this.#av.realtimeUnsubscribeFromVolumeIndicator(attendeeId, this.#onVolume);
    for (const tileId of this.#tileOwners.keys()) this.#av.unbindVideoElement(tileId);
  }
}
