import { ErrorCode, TypedEmitter } from '@parley/protocol';
import { ParleyError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { EngineProcess, engineScript, type EngineEvent } from '../engine/engineProcess.js';

/**
 * A room's server-side compositor: one GStreamer process (compositor_engine.py) that composes
 * video inputs into a picture, mixes audio inputs, encodes once (H.264 + AAC) and feeds every
 * output, all changed live. Inputs are RTP on loopback UDP ports (from mediasoup PlainTransport
 * consumers); outputs are files (fragmented MP4 or Matroska), RTMP(S) streams and JPEG previews.
 *
 * Wire (snake_case; see engineProcess.ts for the framing):
 *   add_input {input, kind: "video"|"audio", codec: "VP8"|"H264"|"opus", pt, clockRate} -> {port}
 *   remove_input {input}
 *   set_layout {cells: [{input, x, y, width, height, zorder?}]}   (pixels; video not in cells is hidden;
 *                                                                    a cell letterboxes its input)
 *   set_volume {input, volume}                                     (audio, linear gain 0..10)
 *   add_output {output, type: "file", path, container: "mp4"|"mkv"|"webm"} (webm: VP8 + Opus, encoded from the raw composite for that output only)
 *   add_output {output, type: "rtmp", url}                         (rtmp:// or rtmps://host[:port]/app/stream)
 *   add_output {output, type: "preview", path, interval_ms, width}
 *   pause_output {output} / resume_output {output}                 (file outputs)
 *   remove_output {output} -> {bytes, duration_ms}
 *   stats {} -> {inputs: {id: {kind, first_frame}}, outputs: {id: {type, started, failed, bytes, duration_ms}}}
 * Events: input_first_frame {input}, keyframe_needed {input}, input_failed {input, reason},
 *   output_started {output}, output_failed {output, reason}, composite_failed {reason} (the process then exits).
 */
export type InputKind = 'video' | 'audio';
export type InputCodec = 'VP8' | 'H264' | 'opus';

export interface CompositorInput {
  kind: InputKind;
  codec: InputCodec;
  /** RTP payload type of the stream the consumer sends. */
  pt: number;
  /** RTP clock rate (default 90000 for video, 48000 for audio). */
  clockRate?: number;
}

export interface LayoutCell {
  inputId: string;
  x: number;
  y: number;
  width: number;
  height: number;
  zorder?: number;
}

export type CompositorOutput =
  | { type: 'file'; path: string; container: 'mp4' | 'mkv' | 'webm' }
  | { type: 'rtmp'; url: string }
  | { type: 'preview'; path: string; intervalMs: number; width: number };

export interface CompositorOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** kbit/s (default 2500). */
  videoBitrate?: number;
  /** bit/s (default 128000). */
  audioBitrate?: number;
  /** false: no H.264/AAC encoders, preview outputs only (default true). */
  encode?: boolean;
  logger: Logger;
}

export interface OutputResult {
  bytes: number;
  durationMs: number;
}

export interface CompositorStats {
  inputs: Record<string, { kind: InputKind; firstFrame: boolean }>;
  outputs: Record<string, { type: CompositorOutput['type']; started: boolean; failed: boolean; bytes: number; durationMs: number }>;
}

export type CompositorEvents = {
  inputFirstFrame: [inputId: string];
  /** Ask mediasoup for a keyframe (PLI) for this input. */
  keyframeNeeded: [inputId: string];
  /** The input's branch failed and was removed. */
  inputFailed: [inputId: string, reason: string];
  /** A file has its first frame, an RTMP server accepted the stream and data flows, a preview was written. */
  outputStarted: [outputId: string];
  /** The output stopped on its own (server refused or went away, disk error); the others go on. */
  outputFailed: [outputId: string, reason: string];
  exit: [info: { expected: boolean; code: number | null; signal: NodeJS.Signals | null }];
};

const SCRIPT = engineScript(import.meta.url, 'compositor_engine.py');

export class Compositor extends TypedEmitter<CompositorEvents> {
  readonly #engine: EngineProcess;
  readonly #log: Logger;

  private constructor(engine: EngineProcess, logger: Logger) {
    super();
    this.#engine = engine;
    this.#log = logger;
    this.onListenerError = (event, err) => logger.error({ err, event }, 'compositor listener threw');
    engine.on('event', (e) => this.#onEvent(e));
    engine.on('exit', (info) => this.emit('exit', info));
  }

  static async start(options: CompositorOptions): Promise<Compositor> {
    const { width = 1280, height = 720, fps = 30, videoBitrate = 2500, audioBitrate = 128_000 } = options;
    for (const [name, v, lo, hi] of [
      ['width', width, 16, 3840],
      ['height', height, 16, 2160],
      ['fps', fps, 1, 60],
      ['videoBitrate', videoBitrate, 100, 50_000],
      ['audioBitrate', audioBitrate, 16_000, 512_000],
    ] as const) {
      if (!Number.isInteger(v) || v < lo || v > hi) throw new ParleyError(ErrorCode.InvalidParams, `${name} must be an integer ${lo}..${hi}`);
    }
    if (width % 2 || height % 2) throw new ParleyError(ErrorCode.InvalidParams, 'width and height must be even');
    const logger = options.logger.child({ sub: 'compositor' });
    const config = { width, height, fps, video_bitrate: videoBitrate, audio_bitrate: audioBitrate, encode: options.encode !== false };
    const engine = await EngineProcess.start({ script: SCRIPT, args: [JSON.stringify(config)], logger, startTimeoutMs: 30_000 });
    logger.info({ pid: engine.pid, width, height, fps }, 'compositor started');
    return new Compositor(engine, logger);
  }

  get pid(): number | undefined {
    return this.#engine.pid;
  }

  get alive(): boolean {
    return this.#engine.alive;
  }

  /** Binds a loopback UDP port for the input's RTP and returns it. */
  async addInput(inputId: string, input: CompositorInput): Promise<{ port: number }> {
    const r = await this.#engine.request<{ port: number }>('add_input', {
      input: inputId,
      kind: input.kind,
      codec: input.codec,
      pt: input.pt,
      ...(input.clockRate !== undefined ? { clockRate: input.clockRate } : {}),
    });
    return { port: r.port };
  }

  async removeInput(inputId: string): Promise<void> {
    await this.#engine.request('remove_input', { input: inputId });
  }

  /** Places video inputs (pixels, in the composite); video inputs not listed are hidden. */
  async setLayout(cells: LayoutCell[]): Promise<void> {
    await this.#engine.request('set_layout', {
      cells: cells.map((c) => ({ input: c.inputId, x: c.x, y: c.y, width: c.width, height: c.height, ...(c.zorder !== undefined ? { zorder: c.zorder } : {}) })),
    });
  }

  /** Linear gain of an audio input (1 = unchanged, 0 = silent). */
  async setVolume(inputId: string, volume: number): Promise<void> {
    await this.#engine.request('set_volume', { input: inputId, volume });
  }

  async addOutput(outputId: string, output: CompositorOutput): Promise<void> {
    const args: Record<string, unknown> =
      output.type === 'preview'
        ? { type: 'preview', path: output.path, interval_ms: output.intervalMs, width: output.width }
        : { ...output };
    await this.#engine.request('add_output', { output: outputId, ...args });
  }

  async pauseOutput(outputId: string): Promise<void> {
    await this.#engine.request('pause_output', { output: outputId });
  }

  async resumeOutput(outputId: string): Promise<void> {
    await this.#engine.request('resume_output', { output: outputId });
  }

  /** Finalises the output (EOS through it alone) and says what it wrote. */
  async removeOutput(outputId: string): Promise<OutputResult> {
    const r = await this.#engine.request<{ bytes: number; duration_ms: number }>('remove_output', { output: outputId }, 15_000);
    return { bytes: r.bytes, durationMs: r.duration_ms };
  }

  async stats(): Promise<CompositorStats> {
    type Wire = {
      inputs: Record<string, { kind: InputKind; first_frame: boolean }>;
      outputs: Record<string, { type: CompositorOutput['type']; started: boolean; failed: boolean; bytes: number; duration_ms: number }>;
    };
    const r = await this.#engine.request<Wire>('stats');
    return {
      inputs: Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, { kind: v.kind, firstFrame: v.first_frame }])),
      outputs: Object.fromEntries(
        Object.entries(r.outputs).map(([k, v]) => [k, { type: v.type, started: v.started, failed: v.failed, bytes: v.bytes, durationMs: v.duration_ms }]),
      ),
    };
  }

  /** Finalises every output (files get their EOS) and ends the process. Safe to repeat. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.#engine.stop(timeoutMs);
  }

  /** For tests and the supervisor. */
  kill(signal: NodeJS.Signals): void {
    this.#engine.kill(signal);
  }

  #onEvent(e: EngineEvent): void {
    const str = (k: string): string => (typeof e[k] === 'string' ? (e[k] as string) : '');
    switch (e.event) {
      case 'input_first_frame':
        this.emit('inputFirstFrame', str('input'));
        break;
      case 'keyframe_needed':
        this.emit('keyframeNeeded', str('input'));
        break;
      case 'input_failed':
        this.#log.warn({ input: str('input'), reason: str('reason') }, 'compositor input failed');
        this.emit('inputFailed', str('input'), str('reason'));
        break;
      case 'output_started':
        this.emit('outputStarted', str('output'));
        break;
      case 'output_failed':
        this.#log.warn({ output: str('output'), reason: str('reason') }, 'compositor output failed');
        this.emit('outputFailed', str('output'), str('reason'));
        break;
      case 'composite_failed':
        this.#log.error({ reason: str('reason') }, 'composite failed');
        break;
      default:
        this.#log.debug({ event: e }, 'unknown compositor event');
    }
  }
}
