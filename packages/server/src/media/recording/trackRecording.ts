import { join } from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from '../../logger.js';
import type { PlainSink } from '../../sfu/plainEndpoints.js';
import { producerTag } from '../../sfu/sfuPeer.js';
import type { SfuRoom } from '../../sfu/sfuRoom.js';
import { TrackRecorder, recorderTrackSpec } from '../trackRecording/trackRecorder.js';

/** What a tracks-mode recording follows in the room. */
export interface TrackRoom {
  readonly sfu: SfuRoom;
  producers(): types.Producer[];
}

interface Track {
  producer: types.Producer;
  sink: PlainSink;
  recorder: TrackRecorder;
}

/**
 * A recording in "tracks" mode (LiveKit's track egress): every producer in the room written as
 * it was sent, without decoding, one Matroska file per track (<attendee>-<source>-<n>.mkv/.mka),
 * named after who sent it. Tracks that appear during the recording get files of their own; each
 * file's time 0 is the wall-clock time in its recorder's `started` event.
 */
export class TrackRecording {
  readonly #room: TrackRoom;
  readonly #folder: string;
  readonly #log: Logger;
  readonly #tracks = new Map<string, Track>();
  readonly #files: string[] = [];
  #syncing: Promise<void> = Promise.resolve();
  #paused = false;
  #stopped = false;

  constructor(room: TrackRoom, folder: string, logger: Logger) {
    this.#room = room;
    this.#folder = folder;
    this.#log = logger;
  }

  get files(): string[] {
    return [...this.#files];
  }

  /** Records every producer not recorded yet (call on each room change). */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.then(async () => {
      for (const producer of this.#room.producers()) {
        if (this.#stopped || producer.closed || this.#tracks.has(producer.id)) continue;
        await this.#add(producer).catch((err: unknown) => this.#log.warn({ err, producerId: producer.id }, 'track recording could not start for a track'));
      }
    });
    return this.#syncing;
  }

  /** Paused: the consumers stop, so nothing reaches the files (the gap stays in their timelines). */
  async setPaused(paused: boolean): Promise<void> {
    this.#paused = paused;
    await Promise.all([...this.#tracks.values()].map(async (t) => {
      if (paused) await t.sink.pause();
      else {
        await t.sink.resume();
        await t.sink.requestKeyFrame();
      }
    }));
  }

  /** Finalises every file; returns the total duration recorded (the longest track, ms). */
  async stop(): Promise<number> {
    this.#stopped = true;
    await this.#syncing;
    const results = await Promise.all([...this.#tracks.values()].map(async (t) => {
      t.sink.close();
      return t.recorder.stop().catch(() => undefined);
    }));
    this.#tracks.clear();
    return Math.max(0, ...results.map((r) => r?.durationMs ?? 0));
  }

  async #add(producer: types.Producer): Promise<void> {
    const tag = producerTag(producer);
    const sink = await this.#room.sfu.createPlainSink(producer, { rtcpMux: false });
    const n = this.#files.filter((f) => f.includes(`${tag.attendeeId}-${tag.source}-`)).length + 1;
    const path = join(this.#folder, `${safe(tag.attendeeId)}-${tag.source}-${n}.${producer.kind === 'audio' ? 'mka' : 'mkv'}`);
    let recorder: TrackRecorder;
    try {
      recorder = await TrackRecorder.start({ path, logger: this.#log.child({ producerId: producer.id }), ...recorderTrackSpec(sink.consumer.rtpParameters) });
    } catch (err) {
      sink.close();
      throw err;
    }
    const track: Track = { producer, sink, recorder };
    this.#tracks.set(producer.id, track);
    this.#files.push(path);
    recorder.on('keyFrameNeeded', () => void sink.requestKeyFrame().catch(() => undefined));
    // The sender stopped this track: its file is complete.
    sink.consumer.observer.once('close', () => {
      if (this.#tracks.get(producer.id) !== track) return;
      this.#tracks.delete(producer.id);
      void recorder.stop().catch(() => undefined);
    });
    await sink.start({ ip: '127.0.0.1', port: recorder.port, rtcpPort: recorder.rtcpPort });
    if (this.#paused) await sink.pause();
    this.#log.debug({ path, attendeeId: tag.attendeeId, source: tag.source }, 'track recording started');
  }
}

/** Attendee ids are UUIDs (or playback-<uuid>, or <uuid>#content): keep file names plain. */
function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
