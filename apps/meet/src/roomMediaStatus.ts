import type { ParleyEngine } from '@parley/client';

export interface MediaStatus {
  /** A recording of the room runs (or is paused). */
  recording: boolean;
  /** An RTMP stream of the room runs. */
  streaming: boolean;
  /** The running recording's id, when known from an event (a host needs it to stop). */
  recordingId: string | undefined;
  /** The running stream's id and destination, when known from an event. */
  streamId: string | undefined;
  streamUrl: string | undefined;
}

export type MediaChange =
  | { kind: 'state' }
  | { kind: 'recordingStarted'; id: string }
  | { kind: 'recordingEnded'; id: string; reason: string | undefined }
  | { kind: 'streamStarted'; id: string }
  | { kind: 'streamEnded'; id: string; reason: string | undefined };

/**
 * Whether the room is being recorded or streamed, as the server says: read at join with a
 * `room.subscribe` request over the engine's signaling connection (the room.updated flags
 * arrive only on change), then kept by the room events every member receives
 * (recording.started/updated/ended, stream.started/ended, room.updated). Never by local guesses,
 * so a participant who joins while a recording runs sees it, and everyone sees the same.
 * Re-attach after a reconnect: the Chime face makes a new engine for each connection.
 */
export class RoomMediaStatus {
  readonly #onChange: (status: MediaStatus, change: MediaChange) => void;
  readonly #recordings = new Map<string, string>();
  readonly #streams = new Map<string, string>();
  /** Recordings already reported ended (recording.updated with state completed, then recording.ended). */
  readonly #ended = new Set<string>();
  /** Every recording and stream seen running (room.updated may clear the flags before the ended event). */
  readonly #seen = new Set<string>();
  #flags = { recording: false, streaming: false };
  #detach: (() => void) | undefined;
  #generation = 0;

  constructor(onChange: (status: MediaStatus, change: MediaChange) => void) {
    this.#onChange = onChange;
  }

  get status(): MediaStatus {
    const recordingId = [...this.#recordings.keys()].at(-1);
    const [streamId, streamUrl] = [...this.#streams.entries()].at(-1) ?? [undefined, undefined];
    return {
      recording: this.#flags.recording || this.#recordings.size > 0,
      streaming: this.#flags.streaming || this.#streams.size > 0,
      recordingId,
      streamId,
      streamUrl,
    };
  }

  /** Listens to `engine`'s room events and reads the room's current state. */
  async attach(engine: ParleyEngine): Promise<void> {
    this.detach();
    const generation = ++this.#generation;
    const signal = engine.signal;
    const onRecording = (data: { recording: { id: string; state: string; reason?: string | undefined } }, ended: boolean) => {
      const r = data.recording;
      if (ended || r.state === 'completed') {
        const wasRunning = this.#seen.has(r.id) || this.#flags.recording;
        const first = !this.#ended.has(r.id);
        this.#ended.add(r.id);
        this.#recordings.delete(r.id);
        if (this.#recordings.size === 0) this.#flags.recording = false;
        this.#emit(first && wasRunning ? { kind: 'recordingEnded', id: r.id, reason: r.reason } : { kind: 'state' });
      } else if (!this.#ended.has(r.id)) {
        const known = this.#recordings.has(r.id);
        this.#recordings.set(r.id, r.state);
        this.#seen.add(r.id);
        this.#flags.recording = true;
        this.#emit(known ? { kind: 'state' } : { kind: 'recordingStarted', id: r.id });
      }
    };
    const onStarted = (data: { stream: { id: string; url: string } }) => {
      this.#streams.set(data.stream.id, data.stream.url);
      this.#seen.add(data.stream.id);
      this.#flags.streaming = true;
      this.#emit({ kind: 'streamStarted', id: data.stream.id });
    };
    const onStreamEnded = (data: { stream: { id: string; reason?: string | undefined } }) => {
      // A stream that never started (the RTMP server refused it) also ends: that is no news to
      // the room, and the host already saw the refusal. It ended a live one if it was known, or
      // if the room was live with no stream known (joined while it ran).
      const wasLive = this.#seen.has(data.stream.id) || (this.#flags.streaming && this.#streams.size === 0);
      this.#streams.delete(data.stream.id);
      if (this.#streams.size === 0) this.#flags.streaming = false;
      this.#emit(wasLive ? { kind: 'streamEnded', id: data.stream.id, reason: data.stream.reason } : { kind: 'state' });
    };
    const onRecStarted = (data: Parameters<typeof onRecording>[0]) => onRecording(data, false);
    const onRecEnded = (data: Parameters<typeof onRecording>[0]) => onRecording(data, true);
    const onRoom = (data: { room_session: { recording: boolean; streaming: boolean } }) => this.#setFlags(data.room_session);
    signal.on('recording.started', onRecStarted);
    signal.on('recording.updated', onRecStarted);
    signal.on('recording.ended', onRecEnded);
    signal.on('stream.started', onStarted);
    signal.on('stream.ended', onStreamEnded);
    signal.on('room.updated', onRoom);
    this.#detach = () => {
      signal.off('recording.started', onRecStarted);
      signal.off('recording.updated', onRecStarted);
      signal.off('recording.ended', onRecEnded);
      signal.off('stream.started', onStarted);
      signal.off('stream.ended', onStreamEnded);
      signal.off('room.updated', onRoom);
    };
    try {
      const state = await signal.request('room.subscribe', {});
      if (generation === this.#generation) this.#setFlags(state);
    } catch {
      // An older server or a closing connection: the events still tell what changes.
    }
  }

  detach(): void {
    this.#detach?.();
    this.#detach = undefined;
  }

  #setFlags(flags: { recording: boolean; streaming: boolean }): void {
    this.#flags = { recording: flags.recording, streaming: flags.streaming };
    // What the server says is the truth: ids it no longer runs are forgotten.
    if (!flags.recording) this.#recordings.clear();
    if (!flags.streaming) this.#streams.clear();
    this.#emit({ kind: 'state' });
  }

  #emit(change: MediaChange): void {
    this.#onChange(this.status, change);
  }
}
