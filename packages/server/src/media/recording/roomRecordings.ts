import { assertNotEncrypted } from '../e2eeGuard.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type RecordingEntity } from '@parley/protocol';
import { ParleyError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { RecordingRecord, RecordingStore } from '../../store/types.js';
import type { RoomComposite } from '../composite/roomComposite.js';
import { TrackRecording, type TrackRoom } from './trackRecording.js';

/** What a room's recordings need of the room's media (RoomMedia). */
export interface RecordingHost {
  /** Holds the room's program composite (starting it if it is not running) for one output. */
  acquire(): Promise<RoomComposite>;
  /** That output ended: the composite stops when nothing holds it. */
  release(): void;
  /** The running composite, if any. */
  current(): RoomComposite | undefined;
  /** What a tracks-mode recording records: the room's producers. */
  readonly trackRoom: TrackRoom;
  emit(event: 'recording.started' | 'recording.updated' | 'recording.ended', recording: RecordingEntity): void;
  /** The room session's `recording` flag may have changed. */
  flagsChanged(): void;
}

export interface RoomRecordingsOptions {
  roomSessionId: string;
  roomId: string;
  /** Files go to <dir>/<roomSessionId>/<recordingId>.<ext>. */
  dir: string;
  store: RecordingStore;
  host: RecordingHost;
  logger: Logger;
}

interface Live {
  record: RecordingRecord;
  /** Paused time so far (ms) and when the current pause began. */
  pausedMs: number;
  pausedAt: number | undefined;
  /** One state change at a time per recording. */
  busy: Promise<unknown>;
  /** Tracks mode: the per-track files; composite mode: undefined (an output of the composite). */
  tracks: TrackRecording | undefined;
}

const MIME = { mp4: 'video/mp4', mkv: 'video/x-matroska', webm: 'video/webm' } as const;

/**
 * The recordings of one room session: composite files written by the room's compositor (the
 * room's picture and mix), or, in tracks mode, each track as sent, one file per track.
 */
export class RoomRecordings {
  readonly #o: RoomRecordingsOptions;
  readonly #log: Logger;
  readonly #live = new Map<string, Live>();

  constructor(options: RoomRecordingsOptions) {
    this.#o = options;
    this.#log = options.logger;
  }

  /** A recording is running or paused (the room session's `recording` flag). */
  get active(): boolean {
    return this.#live.size > 0;
  }

  list(): RecordingEntity[] {
    return this.#o.store.listRecordings({ roomSessionId: this.#o.roomSessionId }).map((r) => this.#entity(r));
  }

  async start(params: { mode?: 'composite' | 'tracks' | undefined; format?: 'mp4' | 'mkv' | 'webm' | undefined }): Promise<RecordingEntity> {
    assertNotEncrypted(this.#o.host.trackRoom.sfu, 'recording');
    const mode = params.mode ?? 'composite';
    const format = mode === 'tracks' ? 'mkv' : params.format ?? 'mp4';
    const id = randomUUID();
    const folder = mode === 'tracks' ? join(this.#o.dir, this.#o.roomSessionId, id) : join(this.#o.dir, this.#o.roomSessionId);
    try {
      mkdirSync(folder, { recursive: true });
    } catch (err) {
      throw new ParleyError(ErrorCode.MediaError, `cannot write recordings to ${this.#o.dir}: ${(err as Error).message}`, { cause: err });
    }
    let files: string[];
    let tracks: TrackRecording | undefined;
    if (mode === 'tracks') {
      tracks = new TrackRecording(this.#o.host.trackRoom, folder, this.#log.child({ recordingId: id }));
      await tracks.sync();
      files = tracks.files;
    } else {
      const path = join(folder, `${id}.${format}`);
      const composite = await this.#o.host.acquire();
      try {
        await composite.engine.addOutput(id, { type: 'file', path, container: format });
      } catch (err) {
        this.#o.host.release();
        throw err;
      }
      files = [path];
    }
    const record: RecordingRecord = {
      id, roomSessionId: this.#o.roomSessionId, roomId: this.#o.roomId, mode, format: MIME[format],
      state: 'recording', startedAt: Date.now(), endedAt: null, duration: null, sizeInBytes: null, files: [...files], reason: null,
    };
    this.#o.store.putRecording(record);
    this.#live.set(id, { record, pausedMs: 0, pausedAt: undefined, busy: Promise.resolve(), tracks });
    this.#log.info({ recordingId: id, mode, files: files.length }, 'recording started');
    const entity = this.#entity(record);
    this.#o.host.emit('recording.started', entity);
    this.#o.host.flagsChanged();
    return entity;
  }

  /** The room changed: tracks-mode recordings pick up new tracks. */
  changed(): void {
    for (const live of this.#live.values()) void live.tracks?.sync().then(() => this.#storeFiles(live));
  }

  pause(id: string): Promise<void> {
    return this.#change(id, async (live) => {
      if (live.record.state === 'paused') return;
      if (live.tracks) await live.tracks.setPaused(true);
      else await this.#composite().engine.pauseOutput(id);
      live.record.state = 'paused';
      live.pausedAt = Date.now();
    });
  }

  resume(id: string): Promise<void> {
    return this.#change(id, async (live) => {
      if (live.record.state !== 'paused') return;
      if (live.tracks) await live.tracks.setPaused(false);
      else await this.#composite().engine.resumeOutput(id);
      live.record.state = 'recording';
      live.pausedMs += Date.now() - (live.pausedAt ?? Date.now());
      live.pausedAt = undefined;
    });
  }

  async stop(id: string): Promise<void> {
    const live = this.#get(id);
    await (live.busy = live.busy.then(() => this.#finish(live, null, true)));
  }

  /** The composite died: its recordings end (their files up to now still play). */
  compositeFailed(reason: string): void {
    for (const live of [...this.#live.values()]) if (!live.tracks) void this.#finish(live, `failed: ${reason}`, false);
  }

  /** An output of the composite failed on its own (disk full...). */
  outputFailed(id: string, reason: string): void {
    const live = this.#live.get(id);
    if (live && !live.tracks) void this.#finish(live, `failed: ${reason}`, false);
  }

  /** The room session ended: stop every recording. */
  async close(): Promise<void> {
    await Promise.all([...this.#live.values()].map((live) => (live.busy = live.busy.then(() => this.#finish(live, 'room session ended', true)))));
  }

  #composite(): RoomComposite {
    const composite = this.#o.host.current();
    if (!composite) throw new ParleyError(ErrorCode.MediaError, 'the media engine is not running');
    return composite;
  }

  #storeFiles(live: Live): void {
    if (!live.tracks || !this.#live.has(live.record.id) || live.tracks.files.length === live.record.files.length) return;
    live.record.files = live.tracks.files;
    this.#o.store.putRecording(live.record);
  }

  async #change(id: string, fn: (live: Live) => Promise<void>): Promise<void> {
    const live = this.#get(id);
    const run = live.busy.then(async () => {
      if (!this.#live.has(id)) throw new ParleyError(ErrorCode.InvalidParams, `recording ${id} has ended`);
      const before = live.record.state;
      await fn(live);
      if (live.record.state === before) return;
      this.#o.store.putRecording(live.record);
      this.#o.host.emit('recording.updated', this.#entity(live.record));
    });
    live.busy = run.catch(() => undefined);
    await run;
  }

  async #finish(live: Live, reason: string | null, finalise: boolean): Promise<void> {
    const { record } = live;
    if (!this.#live.has(record.id)) return;
    this.#live.delete(record.id);
    let durationMs: number | undefined;
    if (live.tracks) {
      durationMs = await live.tracks.stop();
      record.files = live.tracks.files;
    } else {
      if (finalise) {
        try {
          const composite = this.#o.host.current();
          if (composite) durationMs = (await composite.engine.removeOutput(record.id)).durationMs;
        } catch (err) {
          this.#log.warn({ err, recordingId: record.id }, 'recording did not finalise cleanly');
        }
      }
      this.#o.host.release();
    }
    const now = Date.now();
    const paused = live.pausedMs + (live.pausedAt !== undefined ? now - live.pausedAt : 0);
    record.state = 'completed';
    record.endedAt = now;
    record.duration = Math.max(0, durationMs ?? now - record.startedAt - paused) / 1000;
    record.sizeInBytes = sizeOf(record.files);
    record.reason = reason;
    this.#o.store.putRecording(record);
    this.#log.info({ recordingId: record.id, duration: record.duration, bytes: record.sizeInBytes, reason }, 'recording ended');
    this.#o.host.emit('recording.ended', this.#entity(record));
    this.#o.host.flagsChanged();
  }

  #get(id: string): Live {
    const live = this.#live.get(id);
    if (live) return live;
    if (this.#o.store.getRecording(id)?.roomSessionId === this.#o.roomSessionId) throw new ParleyError(ErrorCode.InvalidParams, `recording ${id} has ended`);
    throw new ParleyError(ErrorCode.NotFound, `no recording ${id.slice(0, 64)} in this room session`);
  }

  /** A running recording's duration is the time recorded so far. */
  #entity(r: RecordingRecord): RecordingEntity {
    const live = this.#live.get(r.id);
    if (!live || r.duration !== null) return recordingEntity(r);
    const now = Date.now();
    return recordingEntity({ ...r, duration: (now - r.startedAt - live.pausedMs - (live.pausedAt !== undefined ? now - live.pausedAt : 0)) / 1000 });
  }
}

/** The wire entity of a stored recording (times in UNIX seconds, as SignalWire's). */
function recordingEntity(r: RecordingRecord): RecordingEntity {
  return {
    id: r.id, room_id: r.roomId, room_session_id: r.roomSessionId, state: r.state, duration: r.duration,
    started_at: r.startedAt / 1000, ended_at: r.endedAt === null ? null : r.endedAt / 1000,
    mode: r.mode, format: r.format, size_in_bytes: r.sizeInBytes, ...(r.reason ? { reason: r.reason } : {}),
  };
}

function sizeOf(files: string[]): number | null {
  let total = 0;
  for (const f of files) {
    try {
      total += statSync(f).size;
    } catch {
      return null;
    }
  }
  return total;
}
