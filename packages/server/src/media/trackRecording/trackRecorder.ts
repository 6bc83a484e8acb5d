import type { types } from 'mediasoup';
import { ErrorCode, TypedEmitter } from '@parley/protocol';
import { ParleyError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { EngineProcess, engineScript } from '../engine/engineProcess.js';

/**
 * Per-track recording: ONE track (a member's Opus audio, or VP8/H.264 video), as a mediasoup consumer
 * sends it, written to Matroska (.mkv/.mka) or WebM (.webm) without decoding (track_recorder_engine.py).
 * The file plays even if the process is killed mid-way; stop() finalises it (duration, cues).
 * One track per recorder, like LiveKit's track egress: matroskamux waits for every track before it
 * writes, so a muted camera would stall the audio in a shared file. A member = two recorders.
 *
 * Wiring (per track):
 *   const t = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: false });
 *   const c = await t.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: true });
 *   const rec = await TrackRecorder.start({ path, ...recorderTrackSpec(c.rtpParameters), logger });
 *   await t.connect({ ip: '127.0.0.1', port: rec.port, rtcpPort: rec.rtcpPort });
 *   await c.resume(); await c.requestKeyFrame(); rec.on('keyFrameNeeded', () => void c.requestKeyFrame());
 */
export type RecorderVideoCodec = 'VP8' | 'H264';

export interface RecorderAudioSpec {
  payloadType: number;
  clockRate?: number;
}
export interface RecorderVideoSpec {
  codec: RecorderVideoCodec;
  payloadType: number;
}

interface TrackRecorderBase {
  /** Absolute path ending in .mkv, .mka or .webm (WebM cannot hold H.264); its directory must exist. */
  path: string;
  logger: Logger;
}
/** Exactly one of audio / video. */
export type TrackRecorderOptions = TrackRecorderBase & ({ audio: RecorderAudioSpec; video?: never } | { video: RecorderVideoSpec; audio?: never });

export interface TrackRecordingResult {
  path: string;
  bytes: number;
  durationMs: number;
}

export type TrackRecorderEvents = {
  /** The first media reached the file: its time 0 is this wall-clock time (Date.now() ms). Aligns a member's files. */
  started: [wallclockMs: number];
  /** The first video keyframe reached the file (the picture starts here). */
  firstKeyFrame: [];
  /** Loss broke the video: ask mediasoup for a keyframe (consumer.requestKeyFrame()). */
  keyFrameNeeded: [kind: 'audio' | 'video'];
  error: [err: ParleyError];
  /** The engine process ended; expected = true after stop(). A crash leaves the file as it was (playable). */
  exit: [info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
};

const script = engineScript(import.meta.url, 'track_recorder_engine.py');

export class TrackRecorder extends TypedEmitter<TrackRecorderEvents> {
  readonly path: string;
  readonly kind: 'audio' | 'video';
  /** Where the consumer's transport must send RTP (127.0.0.1). */
  readonly port: number;
  /** Where mediasoup may send RTCP (connect's rtcpPort with rtcpMux: false); it is drained. */
  readonly rtcpPort: number;
  readonly #engine: EngineProcess;
  #result: TrackRecordingResult | undefined;
  #startedAt: number | null = null;

  private constructor(engine: EngineProcess, path: string, ports: RawPorts, logger: Logger) {
    super();
    this.#engine = engine;
    this.path = path;
    this.kind = ports.video_port !== undefined ? 'video' : 'audio';
    this.port = ports.video_port ?? ports.audio_port ?? 0;
    this.rtcpPort = ports.rtcp_port;
    this.onListenerError = (event, err) => logger.error({ err, event }, 'track recorder listener threw');
    engine.on('event', (e) => {
      if (e.event === 'started' && typeof e.wallclock_ms === 'number') {
        this.#startedAt = e.wallclock_ms;
        this.emit('started', e.wallclock_ms);
      } else if (e.event === 'first_keyframe') this.emit('firstKeyFrame');
      else if (e.event === 'keyframe_needed') this.emit('keyFrameNeeded', e.kind === 'audio' ? 'audio' : 'video');
      else if (e.event === 'error') {
        const message = typeof e.message === 'string' ? e.message : 'recording failed';
        logger.error({ path, message }, 'track recording failed');
        this.emit('error', new ParleyError(ErrorCode.MediaError, message));
      }
    });
    engine.on('exit', (info) => this.emit('exit', info));
  }

  /** Binds the UDP ports and opens the file; resolves once RTP can be sent. */
  static async start(options: TrackRecorderOptions): Promise<TrackRecorder> {
    const logger = options.logger.child({ sub: 'trackRecorder' });
    if (!options.audio === !options.video) throw new ParleyError(ErrorCode.InvalidParams, 'give exactly one of audio, video (one track per recorder)');
    if (!/\.(mkv|mka|webm)$/i.test(options.path)) throw new ParleyError(ErrorCode.InvalidParams, 'path must end in .mkv, .mka or .webm');
    const engine = await EngineProcess.start({ script, logger });
    try {
      const ports = await engine.request<RawPorts>('start', {
        path: options.path,
        ...(options.audio ? { audio: { pt: options.audio.payloadType, clock_rate: options.audio.clockRate ?? 48000 } } : {}),
        ...(options.video ? { video: { codec: options.video.codec, pt: options.video.payloadType } } : {}),
      });
      logger.info({ path: options.path, ports }, 'track recording started');
      return new TrackRecorder(engine, options.path, ports, logger);
    } catch (err) {
      await engine.stop(1000);
      throw err;
    }
  }

  /** Wall-clock ms of the file's time 0, null until media arrived. */
  get startedAt(): number | null {
    return this.#startedAt;
  }

  get pid(): number | undefined {
    return this.#engine.pid;
  }

  /** Bytes on disk and duration so far. */
  async status(): Promise<{ bytes: number; durationMs: number }> {
    const r = await this.#engine.request<RawResult>('status');
    return { bytes: r.bytes, durationMs: r.duration_ms };
  }

  /** Finalises the file and ends the engine; safe to repeat (returns the same result). */
  async stop(): Promise<TrackRecordingResult> {
    if (this.#result) return this.#result;
    if (!this.#engine.alive) throw new ParleyError(ErrorCode.MediaError, 'the track recorder is not running (the file holds what was written)');
    const r = await this.#engine.request<RawResult>('stop', {}, 8000);
    this.#result = { path: this.path, bytes: r.bytes, durationMs: r.duration_ms };
    await this.#engine.stop(2000);
    return this.#result;
  }

  /** For tests: signal the engine process. */
  kill(signal: NodeJS.Signals): void {
    this.#engine.kill(signal);
  }
}

interface RawPorts {
  audio_port?: number;
  video_port?: number;
  rtcp_port: number;
}
interface RawResult {
  bytes: number;
  duration_ms: number;
}

/** The `audio` or `video` option for what a consumer sends (its first codec: Opus, VP8 or H.264). */
export function recorderTrackSpec(rtp: types.RtpParameters): { audio: RecorderAudioSpec } | { video: RecorderVideoSpec } {
  const codec = rtp.codecs[0];
  if (!codec) throw new ParleyError(ErrorCode.InvalidParams, 'rtpParameters has no codec');
  const mime = codec.mimeType.toLowerCase();
  if (mime === 'audio/opus') return { audio: { payloadType: codec.payloadType, clockRate: codec.clockRate } };
  if (mime === 'video/vp8') return { video: { codec: 'VP8', payloadType: codec.payloadType } };
  if (mime === 'video/h264') return { video: { codec: 'H264', payloadType: codec.payloadType } };
  throw new ParleyError(ErrorCode.InvalidParams, `cannot record ${codec.mimeType} without re-encoding`);
}
