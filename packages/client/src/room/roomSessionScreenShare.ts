import { TypedEmitter } from '@parley/protocol';
import type { ParleyEngine } from '../engine/parleyEngine.js';

export type RoomSessionScreenShareEvents = {
  /** The share ended: leave(), the browser's "Stop sharing" button, or the server removed it. */
  destroy: [];
};

/**
 * SignalWire's RoomSessionScreenShare: a screen (or any stream) shared into the room by a
 * second connection that joins as its own member of type "screen" (id "<memberId>#content",
 * parent_id the sharer). Everyone sees it as a member and in the layout; leave() ends it.
 */
export class RoomSessionScreenShare extends TypedEmitter<RoomSessionScreenShareEvents> {
  readonly #engine: ParleyEngine;
  readonly #stream: MediaStream;
  readonly #stopTracks: boolean;
  #active = true;

  /** @internal created by RoomSession.startScreenShare */
  constructor(engine: ParleyEngine, stream: MediaStream, stopTracks: boolean) {
    super();
    this.#engine = engine;
    this.#stream = stream;
    this.#stopTracks = stopTracks;
    const lost = () => this.#finish();
    engine.on('ended', lost);
    engine.on('disconnected', lost);
    // The browser's own "Stop sharing" button ends the track.
    stream.getVideoTracks()[0]?.addEventListener('ended', () => void this.leave(), { once: true });
  }

  /** The screen share's member id ("<parent member id>#content"). */
  get id(): string {
    return this.#engine.attendeeId;
  }

  get memberId(): string {
    return this.id;
  }

  /** The sharer's member id (the screen member's parent_id). */
  get parentId(): string {
    return this.id.slice(0, this.id.lastIndexOf('#'));
  }

  get active(): boolean {
    return this.#active;
  }

  /** What is shared. */
  get localStream(): MediaStream {
    return this.#stream;
  }

  /** Pauses / resumes the shared video (the others see the screen member video-muted). */
  async videoMute(): Promise<void> {
    await this.#engine.setPaused('screen', true);
  }

  async videoUnmute(): Promise<void> {
    await this.#engine.setPaused('screen', false);
  }

  async audioMute(): Promise<void> {
    if (this.#engine.producer('screen-audio')) await this.#engine.setPaused('screen-audio', true);
  }

  async audioUnmute(): Promise<void> {
    if (this.#engine.producer('screen-audio')) await this.#engine.setPaused('screen-audio', false);
  }

  /** Stops sharing: the screen member leaves the room. Safe to repeat. */
  async leave(): Promise<void> {
    if (!this.#active) return;
    try {
      await this.#engine.leave();
    } finally {
      this.#finish();
    }
  }

  /** Page unload: leave at once. */
  leaveNow(): void {
    this.#engine.leaveNow();
    this.#finish();
  }

  #finish(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#engine.close();
    if (this.#stopTracks) for (const t of this.#stream.getTracks()) t.stop();
    this.emit('destroy');
  }
}
