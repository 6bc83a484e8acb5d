import { join } from 'node:path';
import type { PlaybackEntity, RecordingEntity, StreamEntity } from '@parley/protocol';
import type { Logger } from '../logger.js';
import { RoomComposite, type CompositeRoom } from './composite/roomComposite.js';
import { assertNotEncrypted } from './e2eeGuard.js';
import type { MediaServices } from './mediaServices.js';
import { RoomPlaybacks, type PlaybackRoom } from './playback/roomPlaybacks.js';
import { RoomPreview } from './preview/roomPreview.js';
import { RoomRecordings } from './recording/roomRecordings.js';
import { RoomStreams } from './streaming/roomStreams.js';

export type MediaEventName =
  | 'recording.started' | 'recording.updated' | 'recording.ended'
  | 'stream.started' | 'stream.ended'
  | 'playback.started' | 'playback.updated' | 'playback.ended';

/** What a room's media services need of the room (given by RoomControl; media never imports rooms). */
export interface MediaRoom extends CompositeRoom, PlaybackRoom {
  readonly roomSessionId: string;
  readonly roomId: string;
  emit(event: MediaEventName, payload: { recording: RecordingEntity } | { stream: StreamEntity } | { playback: PlaybackEntity }): void;
  /** recording / streaming flags changed: room.updated. */
  flagsChanged(updated: string[]): void;
}

/**
 * The media services of one room session: recordings, streams, playbacks and the preview. The
 * program composite (room picture + mix, encoded once) runs while any recording or stream holds
 * it; the preview has a small composite of its own.
 */
export class RoomMedia {
  readonly recordings: RoomRecordings;
  readonly streams: RoomStreams;
  readonly playbacks: RoomPlaybacks;
  readonly preview: RoomPreview | undefined;
  readonly #room: MediaRoom;
  readonly #services: MediaServices;
  readonly #log: Logger;
  #composite: RoomComposite | undefined;
  #starting: Promise<RoomComposite> | undefined;
  #holders = 0;
  #closed = false;

  constructor(room: MediaRoom, services: MediaServices, logger: Logger) {
    this.#room = room;
    this.#services = services;
    this.#log = logger;
    const c = services.config;
    const host = {
      acquire: () => this.#acquire(),
      release: () => this.#release(),
      current: () => this.#composite,
    };
    this.recordings = new RoomRecordings({
      roomSessionId: room.roomSessionId, roomId: room.roomId, dir: services.recordingsDir, store: services.recordingStore, logger,
      host: { ...host, trackRoom: room, emit: (event, recording) => room.emit(event, { recording }), flagsChanged: () => this.#flags() },
    });
    this.streams = new RoomStreams({
      roomSessionId: room.roomSessionId, roomId: room.roomId, reconnectMs: c.streamReconnectMs, logger,
      host: { ...host, emit: (event, stream) => room.emit(event, { stream }), flagsChanged: () => this.#flags() },
    });
    this.playbacks = new RoomPlaybacks({ room, logger, emit: (event, playback) => room.emit(event, { playback }) });
    this.preview = c.previews
      ? new RoomPreview(room, { roomSessionId: room.roomSessionId, dir: join(services.previewsDir, room.roomSessionId), width: c.previewWidth, intervalMs: c.previewIntervalMs, logger })
      : undefined;
    if (this.preview) services.registerPreview(room.roomSessionId, this.preview);
  }

  get recording(): boolean {
    return this.recordings.active;
  }

  get streaming(): boolean {
    return this.streams.active;
  }

  /** The program composite's engine process (health, tests). */
  get compositePid(): number | undefined {
    return this.#composite?.engine.pid;
  }

  /** The room changed (members, producers, layout, mutes): composites follow. */
  changed(): void {
    this.#composite?.changed();
    this.preview?.changed();
    this.recordings.changed();
  }

  /** Someone is in the room: previews run. */
  occupied(): void {
    this.preview?.start();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.recordings.close(), this.streams.close(), this.playbacks.close()]);
    if (this.preview) {
      this.#services.unregisterPreview(this.#room.roomSessionId);
      await this.preview.close();
    }
    await this.#starting?.catch(() => undefined);
    await this.#composite?.stop();
    this.#composite = undefined;
  }

  async #acquire(): Promise<RoomComposite> {
    this.#services.assertAvailable();
    assertNotEncrypted(this.#room.sfu, 'recording or streaming');
    this.#holders++;
    try {
      if (this.#composite && !this.#composite.closed) return this.#composite;
      this.#starting ??= this.#startComposite().finally(() => (this.#starting = undefined));
      return await this.#starting;
    } catch (err) {
      this.#holders--;
      throw err;
    }
  }

  #release(): void {
    this.#holders = Math.max(0, this.#holders - 1);
    if (this.#holders > 0 || !this.#composite) return;
    const composite = this.#composite;
    this.#composite = undefined;
    void composite.stop().catch((err: unknown) => this.#log.warn({ err }, 'composite did not stop cleanly'));
  }

  async #startComposite(): Promise<RoomComposite> {
    const c = this.#services.config;
    const composite = await RoomComposite.start(this.#room, { width: c.width, height: c.height, fps: c.fps, videoBitrateKbps: c.videoBitrateKbps, logger: this.#log.child({ composite: 'program' }) });
    composite.on('outputStarted', (id) => this.streams.outputStarted(id));
    composite.on('outputFailed', (id, reason) => {
      this.streams.outputFailed(id, reason);
      this.recordings.outputFailed(id, reason);
    });
    composite.on('failed', (reason) => {
      if (this.#composite === composite) this.#composite = undefined;
      this.#log.error({ reason }, 'program composite failed: its recordings and streams end');
      this.recordings.compositeFailed(reason);
      this.streams.compositeFailed(reason);
    });
    if (this.#closed) {
      await composite.stop();
      throw new Error('room session ended');
    }
    this.#composite = composite;
    // The room may have changed while the engine started.
    composite.changed();
    return composite;
  }

  #flags(): void {
    this.#room.flagsChanged(['recording', 'streaming']);
  }
}
