import type { types } from 'mediasoup';
import { ErrorCode, TypedEmitter } from '@parley/protocol';
import { ParleyError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { EngineProcess, engineScript } from '../engine/engineProcess.js';

/**
 * URL playback into the SFU: one engine process (player_engine.py) decodes a file, http(s) or
 * rtmp(s) URL and sends VP8 + Opus RTP, paced in real time, to 127.0.0.1 ports where mediasoup
 * PlainTransports (comedia) listen. Both kinds leave from ONE local UDP socket: give each kind its
 * own transport, or one transport and the same port for both (its producers are told apart by
 * ssrc). The engine reads RTCP coming back on that socket and answers PLI/FIR with a keyframe.
 */
export type PlayerState = 'ready' | 'playing' | 'paused' | 'completed' | 'failed' | 'stopped';
export type PlayerKind = 'audio' | 'video';

export interface PlayerOpenOptions {
  /** Absolute path, file://, http(s):// or rtmp(s)://. */
  url: string;
  /** Where video RTP goes (127.0.0.1). Without it no video is sent even if the source has some. */
  videoPort?: number;
  audioPort?: number;
  videoSsrc?: number;
  audioSsrc?: number;
  videoPt?: number;
  audioPt?: number;
  logger: Logger;
  /** How long opening may take before it fails (default 8000 ms). */
  openTimeoutMs?: number;
}

export interface PlayerInfo {
  /** null for live sources (and sources that do not say). */
  durationMs: number | null;
  seekable: boolean;
  hasAudio: boolean;
  hasVideo: boolean;
  /** Size of the video sent (source size fitted into 1280x720), null without video. */
  width: number | null;
  height: number | null;
  /** The kinds actually sent: create a producer for each of these only. */
  sending: PlayerKind[];
  /** The UDP port our RTP leaves from (what a comedia transport will learn). */
  localPort: number;
}

export type PlayerEvents = {
  /** About every second while playing. */
  position: [positionMs: number];
  /** End of stream: state is now 'completed'. */
  ended: [];
  /** The source failed while playing (network gone, corrupt data): state is 'failed', nothing is sent. */
  error: [err: ParleyError];
  /** The engine process ended; expected = true after stop(). */
  exit: [info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
};

export const PLAYER_VIDEO_PT = 101;
export const PLAYER_AUDIO_PT = 100;
/** SignalWire's playback volume range (dB of gain; 0 = unchanged). */
export const PLAYER_VOLUME_MIN = -50;
export const PLAYER_VOLUME_MAX = 50;

const script = engineScript(import.meta.url, 'player_engine.py');

export class Player extends TypedEmitter<PlayerEvents> {
  readonly info: PlayerInfo;
  readonly url: string;
  readonly videoSsrc: number;
  readonly audioSsrc: number;
  readonly videoPt: number;
  readonly audioPt: number;
  readonly #engine: EngineProcess;
  #state: PlayerState = 'ready';
  #volume = 0;
  // Position = #posMs at #posAt, advancing with the wall clock while playing (between engine reports).
  #posMs = 0;
  #posAt = Date.now();

  private constructor(engine: EngineProcess, opts: Required<Pick<PlayerOpenOptions, 'videoSsrc' | 'audioSsrc' | 'videoPt' | 'audioPt'>> & { url: string; info: PlayerInfo; logger: Logger }) {
    super();
    this.#engine = engine;
    this.url = opts.url;
    this.info = opts.info;
    this.videoSsrc = opts.videoSsrc;
    this.audioSsrc = opts.audioSsrc;
    this.videoPt = opts.videoPt;
    this.audioPt = opts.audioPt;
    const log = opts.logger;
    this.onListenerError = (event, err) => log.error({ err, event }, 'player listener threw');
    engine.on('event', (e) => {
      if (e.event === 'position' && typeof e.position_ms === 'number') {
        this.#setPosition(e.position_ms);
        this.emit('position', e.position_ms);
      } else if (e.event === 'ended') {
        this.#state = 'completed';
        if (this.info.durationMs !== null) this.#setPosition(this.info.durationMs);
        this.emit('ended');
      } else if (e.event === 'error') {
        this.#state = 'failed';
        const message = typeof e.message === 'string' ? e.message : 'playback failed';
        log.warn({ url: this.url, message }, 'playback failed');
        this.emit('error', new ParleyError(ErrorCode.MediaError, message));
      }
    });
    engine.on('exit', (info) => {
      if (this.#state !== 'completed') this.#state = info.expected ? 'stopped' : 'failed';
      this.emit('exit', info);
    });
  }

  /** Opens the URL (nothing is sent yet). Rejects with invalid_params / media_error and leaves nothing running. */
  static async open(options: PlayerOpenOptions): Promise<Player> {
    const logger = options.logger.child({ sub: 'player' });
    const videoSsrc = options.videoSsrc ?? randomSsrc();
    const audioSsrc = options.audioSsrc ?? randomSsrc();
    const videoPt = options.videoPt ?? PLAYER_VIDEO_PT;
    const audioPt = options.audioPt ?? PLAYER_AUDIO_PT;
    if (typeof options.url !== 'string' || options.url.length === 0 || options.url.length > 4096) {
      throw new ParleyError(ErrorCode.InvalidParams, 'url must be a non-empty string (at most 4096 characters)');
    }
    if (options.videoPort === undefined && options.audioPort === undefined) {
      throw new ParleyError(ErrorCode.InvalidParams, 'give videoPort, audioPort or both');
    }
    const openTimeoutMs = options.openTimeoutMs ?? 8000;
    const engine = await EngineProcess.start({ script, logger });
    try {
      const r = await engine.request<RawInfo>(
        'open',
        {
          url: options.url,
          timeout_ms: openTimeoutMs,
          ...(options.videoPort !== undefined ? { video: { port: options.videoPort, ssrc: videoSsrc, pt: videoPt } } : {}),
          ...(options.audioPort !== undefined ? { audio: { port: options.audioPort, ssrc: audioSsrc, pt: audioPt } } : {}),
        },
        openTimeoutMs + 5000,
      );
      const info: PlayerInfo = {
        durationMs: r.duration_ms,
        seekable: r.seekable,
        hasAudio: r.has_audio,
        hasVideo: r.has_video,
        width: r.width,
        height: r.height,
        sending: r.sending,
        localPort: r.local_port,
      };
      logger.info({ url: options.url, ...info }, 'playback opened');
      return new Player(engine, { url: options.url, info, logger, videoSsrc, audioSsrc, videoPt, audioPt });
    } catch (err) {
      await engine.stop(1000);
      throw err;
    }
  }

  get state(): PlayerState {
    return this.#state;
  }

  get volume(): number {
    return this.#volume;
  }

  /** Current position in ms (the engine reports each second; in between it is extrapolated). */
  get position(): number {
    const p = this.#state === 'playing' ? this.#posMs + (Date.now() - this.#posAt) : this.#posMs;
    return this.info.durationMs !== null ? Math.min(p, this.info.durationMs) : p;
  }

  /** Starts sending (from the start, or from where seek() put it). Also resumes. */
  async play(): Promise<void> {
    this.#need('play', ['ready', 'paused', 'playing']);
    const r = await this.#engine.request<{ position_ms: number }>('play');
    this.#state = 'playing';
    this.#setPosition(r.position_ms);
  }

  /** Stops sending RTP; resume() continues from the same position. */
  async pause(): Promise<void> {
    this.#need('pause', ['playing', 'paused']);
    const r = await this.#engine.request<{ position_ms: number }>('pause');
    this.#state = 'paused';
    this.#setPosition(r.position_ms);
  }

  async resume(): Promise<void> {
    await this.play();
  }

  /** Absolute seek; forward/rewind are seek(position ± ms). Works before play() too (seekPosition). */
  async seek(positionMs: number): Promise<number> {
    this.#need('seek', ['ready', 'playing', 'paused']);
    if (!Number.isFinite(positionMs)) throw new ParleyError(ErrorCode.InvalidParams, 'position must be a number of ms');
    if (!this.info.seekable) throw new ParleyError(ErrorCode.NotAvailable, 'this playback is not seekable');
    const max = this.info.durationMs ?? Infinity;
    const target = Math.round(Math.max(0, Math.min(positionMs, max)));
    const r = await this.#engine.request<{ position_ms: number }>('seek', { position_ms: target });
    this.#setPosition(r.position_ms);
    return r.position_ms;
  }

  /** Gain in dB, clamped to −50..50; returns the value applied. */
  async setVolume(volume: number): Promise<number> {
    this.#need('setVolume', ['ready', 'playing', 'paused', 'completed']);
    if (!Number.isFinite(volume)) throw new ParleyError(ErrorCode.InvalidParams, 'volume must be a number');
    const r = await this.#engine.request<{ volume: number }>('set_volume', { volume });
    this.#volume = r.volume;
    return r.volume;
  }

  /** Forces a VP8 keyframe (the engine already answers PLI/FIR arriving on its socket). */
  async requestKeyFrame(): Promise<void> {
    if (!this.#engine.alive) return;
    await this.#engine.request('keyframe');
  }

  /** Ends the engine; safe to repeat. */
  async stop(): Promise<void> {
    if (this.#state !== 'completed' && this.#state !== 'failed') this.#state = 'stopped';
    await this.#engine.stop(2000);
  }

  /** For tests: signal the engine process. */
  kill(signal: NodeJS.Signals): void {
    this.#engine.kill(signal);
  }

  get pid(): number | undefined {
    return this.#engine.pid;
  }

  #need(op: string, states: PlayerState[]): void {
    if (!states.includes(this.#state)) throw new ParleyError(ErrorCode.BadRequest, `cannot ${op} a playback that is ${this.#state}`);
  }

  #setPosition(ms: number): void {
    this.#posMs = ms;
    this.#posAt = Date.now();
  }
}

interface RawInfo {
  duration_ms: number | null;
  seekable: boolean;
  has_audio: boolean;
  has_video: boolean;
  width: number | null;
  height: number | null;
  sending: PlayerKind[];
  local_port: number;
}

/** What `transport.produce({ kind, rtpParameters })` needs for what a Player sends. */
export function playerRtpParameters(kind: PlayerKind, player: Pick<Player, 'videoSsrc' | 'audioSsrc' | 'videoPt' | 'audioPt'>): types.RtpParameters {
  if (kind === 'video') {
    return {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: player.videoPt,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        },
      ],
      encodings: [{ ssrc: player.videoSsrc }],
      rtcp: { cname: `playback-${player.videoSsrc}`, reducedSize: true },
    };
  }
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: player.audioPt, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 1 } }],
    encodings: [{ ssrc: player.audioSsrc }],
    rtcp: { cname: `playback-${player.videoSsrc}`, reducedSize: true },
  };
}

function randomSsrc(): number {
  return 1 + Math.floor(Math.random() * 0xfffffffe);
}
