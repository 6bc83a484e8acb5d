import { randomUUID } from 'node:crypto';
import { ErrorCode, type RecordingEntity } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RecordingRecord, RecordingStore } from '../store/types.js';

/** Chime's MediaPipelineStatus values that a Parley capture pipeline goes through. */
export const PipelineStatus = {
  Initializing: 'Initializing',
  InProgress: 'InProgress',
  Stopping: 'Stopping',
  Stopped: 'Stopped',
  Failed: 'Failed',
} as const;
export type PipelineStatus = (typeof PipelineStatus)[keyof typeof PipelineStatus];

/** The recordings of a live room session, as a pipeline uses them (RoomMedia.recordings). */
export interface PipelineRoom {
  readonly roomSessionId: string;
  start(params: { mode: 'composite' | 'tracks'; format?: 'mp4' | 'mkv' }): Promise<RecordingEntity>;
  stop(recordingId: string): Promise<void>;
}

export interface CapturePipelinesDeps {
  recordingStore: RecordingStore;
  /** Whether the meeting exists (deleted meetings end their pipelines). */
  meetingExists(meetingId: string): boolean;
  /** The meeting's live room session, or undefined while nobody is in the meeting. */
  roomOf(meetingId: string): PipelineRoom | undefined;
  /** Throws when this server cannot record at all (MediaServices.assertAvailable). */
  assertAvailable(): void;
  logger: Logger;
}

/** What the caller asked for, kept as given and shown back by Get (the Chime fields). */
export type PipelineRequest = Readonly<Record<string, unknown>>;

export interface CapturePipeline {
  readonly id: string;
  readonly meetingId: string;
  readonly mode: 'composite' | 'tracks';
  readonly request: PipelineRequest;
  readonly createdAt: number;
  updatedAt: number;
  status: PipelineStatus;
  /** The room session it records (set when the recording is asked for). */
  roomSessionId: string | undefined;
  /** Its recording (a row of the recording store), once started. */
  recordingId: string | undefined;
  /** Why it stopped or failed, when not by Delete. */
  reason: string | null;
}

/** Ended pipelines kept for Get/List before the oldest are forgotten (their recordings stay). */
const KEEP_ENDED = 1000;

/**
 * Media capture pipelines (the Chime SDK Media Pipelines API's recording of a meeting) on top of
 * the room's recordings: a pipeline is one recording of its meeting. Created before anyone joined,
 * it waits (Initializing) and starts recording when the room starts; it ends (Stopped) when the
 * room ends, on delete, or when its meeting is deleted; Failed when the recording failed.
 * In memory; the recordings themselves are persisted rows. Fed by handle* calls (the http layer
 * wires RoomManager's events), so this class never sees the rooms layer.
 */
export class CapturePipelines {
  readonly #deps: CapturePipelinesDeps;
  readonly #log: Logger;
  readonly #pipelines = new Map<string, CapturePipeline>();
  readonly #byRecording = new Map<string, CapturePipeline>();
  readonly #byToken = new Map<string, string>();

  constructor(deps: CapturePipelinesDeps) {
    this.#deps = deps;
    this.#log = deps.logger;
  }

  create(params: { meetingId: string; mode: 'composite' | 'tracks'; request: PipelineRequest; clientRequestToken?: string | undefined }): CapturePipeline {
    const token = params.clientRequestToken;
    const earlier = token === undefined ? undefined : this.#pipelines.get(this.#byToken.get(token) ?? '');
    if (earlier) return this.#refresh(earlier);
    if (!this.#deps.meetingExists(params.meetingId)) {
      throw new ParleyError(ErrorCode.MeetingNotFound, `The meeting ${params.meetingId.slice(0, 64)} does not exist.`);
    }
    this.#deps.assertAvailable();
    const now = Date.now();
    const pipeline: CapturePipeline = {
      id: randomUUID(), meetingId: params.meetingId, mode: params.mode, request: params.request,
      createdAt: now, updatedAt: now, status: PipelineStatus.Initializing, roomSessionId: undefined, recordingId: undefined, reason: null,
    };
    this.#pipelines.set(pipeline.id, pipeline);
    if (token !== undefined) this.#byToken.set(token, pipeline.id);
    this.#log.info({ pipelineId: pipeline.id, meetingId: pipeline.meetingId, mode: pipeline.mode }, 'capture pipeline created');
    const room = this.#deps.roomOf(params.meetingId);
    if (room) this.#start(pipeline, room);
    this.#forgetOld();
    return pipeline;
  }

  get(id: string): CapturePipeline {
    const pipeline = this.#pipelines.get(id);
    if (!pipeline) throw new ParleyError(ErrorCode.NotFound, `No media pipeline ${id.slice(0, 64)}.`);
    return this.#refresh(pipeline);
  }

  /** Oldest first; `after` is the id the previous page ended with. */
  list(limit: number, after?: string): { pipelines: CapturePipeline[]; more: boolean } {
    const all = [...this.#pipelines.values()];
    let from = 0;
    if (after !== undefined) {
      const at = all.findIndex((p) => p.id === after);
      if (at < 0) throw new ParleyError(ErrorCode.BadRequest, 'NextToken: is not valid');
      from = at + 1;
    }
    const page = all.slice(from, from + limit).map((p) => this.#refresh(p));
    return { pipelines: page, more: from + limit < all.length };
  }

  /** Stops the pipeline's recording; the pipeline shows Stopping, then Stopped. Repeatable. */
  delete(id: string): void {
    const pipeline = this.get(id);
    if (ended(pipeline)) return;
    this.#log.info({ pipelineId: id }, 'capture pipeline deleted');
    if (pipeline.roomSessionId === undefined) return this.#end(pipeline, PipelineStatus.Stopped, null);
    this.#set(pipeline, PipelineStatus.Stopping);
    // Still starting: the start's completion stops it.
    if (pipeline.recordingId !== undefined) this.#stopRecording(pipeline, pipeline.recordingId);
  }

  /** A room session of the meeting started: its waiting pipelines start recording. */
  handleRoomStarted(meetingId: string, room: PipelineRoom): void {
    for (const pipeline of this.#pipelines.values()) {
      if (pipeline.meetingId === meetingId && pipeline.status === PipelineStatus.Initializing && pipeline.roomSessionId === undefined) this.#start(pipeline, room);
    }
  }

  /** The room session ended: its recordings finish (handleRecordingEnded settles each pipeline). */
  handleRoomEnded(roomSessionId: string): void {
    for (const pipeline of this.#pipelines.values()) {
      if (pipeline.roomSessionId !== roomSessionId || ended(pipeline)) continue;
      if (pipeline.recordingId !== undefined && this.#settle(pipeline)) continue;
      this.#set(pipeline, PipelineStatus.Stopping);
    }
  }

  handleRecordingEnded(recordingId: string): void {
    const pipeline = this.#byRecording.get(recordingId);
    if (pipeline) this.#settle(pipeline);
  }

  #start(pipeline: CapturePipeline, room: PipelineRoom): void {
    pipeline.roomSessionId = room.roomSessionId;
    this.#touch(pipeline);
    room.start(pipeline.mode === 'composite' ? { mode: 'composite', format: 'mp4' } : { mode: 'tracks' }).then(
      (recording) => {
        pipeline.recordingId = recording.id;
        this.#byRecording.set(recording.id, pipeline);
        this.#log.info({ pipelineId: pipeline.id, recordingId: recording.id }, 'capture pipeline recording');
        if (this.#settle(pipeline)) return;
        if (pipeline.status === PipelineStatus.Initializing) this.#set(pipeline, PipelineStatus.InProgress);
        // Deleted, or the room ended, while the recording started.
        else if (pipeline.status === PipelineStatus.Stopping) this.#stopRecording(pipeline, recording.id, room);
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (pipeline.status === PipelineStatus.Stopping) return this.#end(pipeline, PipelineStatus.Stopped, null);
        this.#log.warn({ err, pipelineId: pipeline.id }, 'capture pipeline could not start its recording');
        this.#end(pipeline, PipelineStatus.Failed, `failed: ${message}`);
      },
    );
  }

  #stopRecording(pipeline: CapturePipeline, recordingId: string, room = this.#deps.roomOf(pipeline.meetingId)): void {
    if (!room || room.roomSessionId !== pipeline.roomSessionId) {
      // The room session is gone: its recordings were ended with it.
      if (!this.#settle(pipeline)) this.#end(pipeline, PipelineStatus.Stopped, null);
      return;
    }
    room.stop(recordingId).then(
      () => this.#settle(pipeline),
      (err: unknown) => {
        if (this.#settle(pipeline)) return;
        this.#log.warn({ err, pipelineId: pipeline.id }, 'capture pipeline recording did not stop');
        this.#end(pipeline, PipelineStatus.Failed, `failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  /** Ends the pipeline when its recording has ended; true if so. */
  #settle(pipeline: CapturePipeline): boolean {
    if (ended(pipeline)) return true;
    const row: RecordingRecord | undefined = pipeline.recordingId === undefined ? undefined : this.#deps.recordingStore.getRecording(pipeline.recordingId);
    if (row?.state !== 'completed') return false;
    const failed = row.reason?.startsWith('failed') ?? false;
    this.#end(pipeline, failed ? PipelineStatus.Failed : PipelineStatus.Stopped, row.reason);
    return true;
  }

  /** Reads see a recording's end even if its event was missed, and a deleted meeting. */
  #refresh(pipeline: CapturePipeline): CapturePipeline {
    if (pipeline.recordingId !== undefined) this.#settle(pipeline);
    else if (pipeline.status === PipelineStatus.Initializing && pipeline.roomSessionId === undefined && !this.#deps.meetingExists(pipeline.meetingId)) {
      this.#end(pipeline, PipelineStatus.Stopped, 'the meeting was deleted');
    }
    return pipeline;
  }

  #end(pipeline: CapturePipeline, status: 'Stopped' | 'Failed', reason: string | null): void {
    pipeline.reason = reason;
    this.#set(pipeline, status);
    this.#log.info({ pipelineId: pipeline.id, status, reason }, 'capture pipeline ended');
  }

  #set(pipeline: CapturePipeline, status: PipelineStatus): void {
    if (pipeline.status === status) return;
    pipeline.status = status;
    this.#touch(pipeline);
  }

  #touch(pipeline: CapturePipeline): void {
    pipeline.updatedAt = Date.now();
  }

  #forgetOld(): void {
    const done = [...this.#pipelines.values()].filter(ended);
    for (const pipeline of done.slice(0, Math.max(0, done.length - KEEP_ENDED))) {
      this.#pipelines.delete(pipeline.id);
      if (pipeline.recordingId !== undefined) this.#byRecording.delete(pipeline.recordingId);
      for (const [token, id] of this.#byToken) if (id === pipeline.id) this.#byToken.delete(token);
    }
  }
}

function ended(pipeline: CapturePipeline): boolean {
  return pipeline.status === PipelineStatus.Stopped || pipeline.status === PipelineStatus.Failed;
}
