import type { PlaybackEntity, RecordingEntity, StreamEntity } from './mediaServices.js';
import type { RoomMethod, RoomParams, RoomResult } from './roomControl.js';

/**
 * The objects SignalWire's SDK hands apps for recordings, streams and playbacks: camelCase fields
 * kept current from the room's events, Date times, and methods that call the server. Shared by the
 * browser SDK and the server SDK through RoomSessionApi.
 */
export type MediaRequest = <M extends RoomMethod>(method: M, params: Omit<RoomParams<M>, 'roomSessionId'>) => Promise<RoomResult<M>>;

const date = (unix: number | null): Date | undefined => (unix === null ? undefined : new Date(unix * 1000));

export class RoomSessionRecording {
  readonly id: string;
  roomId = '';
  roomSessionId = '';
  state: RecordingEntity['state'] = 'recording';
  duration: number | undefined;
  startedAt: Date | undefined;
  endedAt: Date | undefined;
  mode: RecordingEntity['mode'] = 'composite';
  format = '';
  sizeInBytes: number | undefined;
  reason: string | undefined;
  readonly #request: MediaRequest;

  constructor(entity: RecordingEntity, request: MediaRequest) {
    this.id = entity.id;
    this.#request = request;
    this.update(entity);
  }

  /** @internal Applies the server's latest view of this recording. */
  update(e: RecordingEntity): void {
    this.roomId = e.room_id;
    this.roomSessionId = e.room_session_id;
    this.state = e.state;
    this.duration = e.duration ?? undefined;
    this.startedAt = date(e.started_at);
    this.endedAt = date(e.ended_at);
    this.mode = e.mode;
    this.format = e.format;
    this.sizeInBytes = e.size_in_bytes ?? undefined;
    this.reason = e.reason;
  }

  async pause(): Promise<void> {
    await this.#request('room.recording.pause', { recordingId: this.id });
  }
  async resume(): Promise<void> {
    await this.#request('room.recording.resume', { recordingId: this.id });
  }
  async stop(): Promise<void> {
    await this.#request('room.recording.stop', { recordingId: this.id });
  }
}

export class RoomSessionStream {
  readonly id: string;
  roomId = '';
  roomSessionId = '';
  state: StreamEntity['state'] = 'streaming';
  url = '';
  duration: number | undefined;
  startedAt: Date | undefined;
  endedAt: Date | undefined;
  reason: string | undefined;
  readonly #request: MediaRequest;

  constructor(entity: StreamEntity, request: MediaRequest) {
    this.id = entity.id;
    this.#request = request;
    this.update(entity);
  }

  /** @internal */
  update(e: StreamEntity): void {
    this.roomId = e.room_id;
    this.roomSessionId = e.room_session_id;
    this.state = e.state;
    this.url = e.url;
    this.duration = e.duration ?? undefined;
    this.startedAt = date(e.started_at);
    this.endedAt = date(e.ended_at);
    this.reason = e.reason;
  }

  async stop(): Promise<void> {
    await this.#request('room.stream.stop', { streamId: this.id });
  }
}

export class RoomSessionPlayback {
  readonly id: string;
  roomId = '';
  roomSessionId = '';
  url = '';
  state: PlaybackEntity['state'] = 'playing';
  /** Current position in ms. */
  position = 0;
  seekable = false;
  volume = 0;
  startedAt: Date | undefined;
  endedAt: Date | undefined;
  reason: string | undefined;
  readonly #request: MediaRequest;

  constructor(entity: PlaybackEntity, request: MediaRequest) {
    this.id = entity.id;
    this.#request = request;
    this.update(entity);
  }

  get hasEnded(): boolean {
    return this.state === 'completed';
  }

  /** @internal */
  update(e: PlaybackEntity): void {
    this.roomId = e.room_id;
    this.roomSessionId = e.room_session_id;
    this.url = e.url;
    this.state = e.state;
    this.position = e.position;
    this.seekable = e.seekable;
    this.volume = e.volume;
    this.startedAt = date(e.started_at);
    this.endedAt = date(e.ended_at);
    this.reason = e.reason;
  }

  async pause(): Promise<void> {
    await this.#request('room.playback.pause', { playbackId: this.id });
  }
  async resume(): Promise<void> {
    await this.#request('room.playback.resume', { playbackId: this.id });
  }
  async stop(): Promise<void> {
    await this.#request('room.playback.stop', { playbackId: this.id });
  }
  /** −50..50 (dB). */
  async setVolume(volume: number): Promise<void> {
    await this.#request('room.playback.setVolume', { playbackId: this.id, volume });
    this.volume = volume;
  }
  /** Absolute position in ms. */
  async seek(timecode: number): Promise<void> {
    this.position = (await this.#request('room.playback.seek', { playbackId: this.id, position: timecode })).position;
  }
  async forward(offset = 5000): Promise<void> {
    this.position = (await this.#request('room.playback.seek', { playbackId: this.id, delta: offset })).position;
  }
  async rewind(offset = 5000): Promise<void> {
    this.position = (await this.#request('room.playback.seek', { playbackId: this.id, delta: -offset })).position;
  }
}
