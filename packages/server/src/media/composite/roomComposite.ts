import type { types } from 'mediasoup';
import { TypedEmitter, type LayoutEntity } from '@parley/protocol';
import type { Logger } from '../../logger.js';
import type { PlainSink } from '../../sfu/plainEndpoints.js';
import { producerTag } from '../../sfu/sfuPeer.js';
import type { SfuRoom } from '../../sfu/sfuRoom.js';
import { Compositor, type LayoutCell } from '../compositor/compositor.js';

/** What the composite follows in its room; getters so it never holds the room's internals. */
export interface CompositeRoom {
  readonly sfu: SfuRoom;
  /** Every producer in the room (members' and sources'). */
  producers(): types.Producer[];
  /** The room's layout as members see it. */
  layout(): LayoutEntity;
  /** The video to draw for a layout cell's member: camera, screen, or a playback's. */
  videoOf(memberId: string): types.Producer | undefined;
}

export interface RoomCompositeOptions {
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps?: number | undefined;
  /** Mix the room's audio (false for a picture-only composite, the preview). */
  audio?: boolean;
  /** Run the H.264/AAC encoders (false: previews only). */
  encode?: boolean;
  logger: Logger;
}

export type RoomCompositeEvents = {
  outputStarted: [outputId: string];
  outputFailed: [outputId: string, reason: string];
  /** The engine died (or would not start again): every output of it is gone. */
  failed: [reason: string];
};

interface Input {
  producer: types.Producer;
  sink: PlainSink;
  /** Size of the cell it was last drawn in (simulcast layer choice). */
  layer: number | undefined;
}

/** Renders reconcile at most this often; room events come in bursts (a join is several). */
const SYNC_DEBOUNCE_MS = 50;

/**
 * The room's picture and mix: one compositor engine fed by plain-RTP consumers of the room's
 * producers, laid out as the room's layout says. It follows the room live (joins, leaves,
 * layout and position changes, mutes) by reconciling the engine's inputs and cells with the
 * room after every change; the outputs (files, streams, previews) are never restarted.
 */
export class RoomComposite extends TypedEmitter<RoomCompositeEvents> {
  readonly engine: Compositor;
  readonly #room: CompositeRoom;
  readonly #options: RoomCompositeOptions;
  readonly #log: Logger;
  /** By producer id; the engine's input id is the producer id. */
  readonly #inputs = new Map<string, Input>();
  #syncing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(engine: Compositor, room: CompositeRoom, options: RoomCompositeOptions) {
    super();
    this.engine = engine;
    this.#room = room;
    this.#options = options;
    this.#log = options.logger;
    this.onListenerError = (event, err) => this.#log.error({ err, event }, 'composite listener threw');
    engine.on('keyframeNeeded', (inputId) => {
      this.#inputs.get(inputId)?.sink.requestKeyFrame().catch(() => undefined);
    });
    engine.on('outputStarted', (id) => this.emit('outputStarted', id));
    engine.on('outputFailed', (id, reason) => this.emit('outputFailed', id, reason));
    engine.on('exit', ({ expected, signal, code }) => {
      if (expected || this.#closed) return;
      this.#close();
      this.emit('failed', `the media engine stopped (${signal ?? `exit code ${code}`})`);
    });
  }

  static async start(room: CompositeRoom, options: RoomCompositeOptions): Promise<RoomComposite> {
    const engine = await Compositor.start({
      width: options.width, height: options.height, fps: options.fps, logger: options.logger, encode: options.encode !== false,
      ...(options.videoBitrateKbps ? { videoBitrate: options.videoBitrateKbps } : {}),
    });
    const composite = new RoomComposite(engine, room, options);
    await composite.sync();
    return composite;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Schedules a reconcile with the room (call after any room change). */
  changed(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.sync();
    }, SYNC_DEBOUNCE_MS);
  }

  /** Brings inputs and layout in line with the room now; resolves when the engine has them. */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#reconcile()).catch((err: unknown) => {
      if (!this.#closed) this.#log.warn({ err }, 'composite could not follow the room');
    });
    return this.#syncing;
  }

  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#close();
    await this.engine.stop();
  }

  async #reconcile(): Promise<void> {
    if (this.#closed) return;
    const { width: W, height: H } = this.#options;
    const layout = this.#room.layout();
    const cells: Array<LayoutCell & { producer: types.Producer }> = [];
    for (const layer of [...layout.layers].sort((a, b) => a.z_index - b.z_index || a.layer_index - b.layer_index)) {
      if (!layer.visible || !layer.member_id) continue;
      const producer = this.#room.videoOf(layer.member_id);
      if (!producer || producer.closed || producer.paused) continue;
      cells.push({
        producer, inputId: producer.id,
        x: Math.round((layer.x / 100) * W), y: Math.round((layer.y / 100) * H),
        width: Math.round((layer.width / 100) * W), height: Math.round((layer.height / 100) * H),
        zorder: layer.z_index + 1,
      });
    }
    const wanted = new Map<string, types.Producer>();
    if (this.#options.audio !== false) for (const p of this.#room.producers()) if (p.kind === 'audio' && !p.closed) wanted.set(p.id, p);
    for (const c of cells) wanted.set(c.producer.id, c.producer);

    for (const [id, input] of this.#inputs) {
      if (wanted.has(id) && !input.sink.closed) continue;
      this.#inputs.delete(id);
      input.sink.close();
      await this.engine.removeInput(id).catch(() => undefined);
    }
    for (const producer of wanted.values()) {
      if (this.#inputs.has(producer.id)) continue;
      await this.#addInput(producer);
    }
    await this.engine.setLayout(cells.filter((c) => this.#inputs.has(c.inputId)).map(({ producer: _p, ...cell }) => cell));
    for (const c of cells) {
      const input = this.#inputs.get(c.inputId);
      if (!input) continue;
      const layer = layerFor(input.producer, c.width);
      if (input.layer === layer) continue;
      input.layer = layer;
      await input.sink.setSpatialLayer(layer).catch(() => undefined);
    }
  }

  async #addInput(producer: types.Producer): Promise<void> {
    const sink = await this.#room.sfu.createPlainSink(producer);
    if (this.#closed) {
      sink.close();
      return;
    }
    const f = sink.format;
    try {
      const { port } = await this.engine.addInput(producer.id, { kind: f.kind, codec: codecOf(f.codec), pt: f.payloadType, clockRate: f.clockRate });
      this.#inputs.set(producer.id, { producer, sink, layer: undefined });
      sink.consumer.observer.once('close', () => this.changed());
      await sink.start({ ip: '127.0.0.1', port });
      this.#log.debug({ producerId: producer.id, attendeeId: producerTag(producer).attendeeId, kind: f.kind, codec: f.codec, port }, 'composite input added');
    } catch (err) {
      sink.close();
      this.#inputs.delete(producer.id);
      throw err;
    }
  }

  #close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const input of this.#inputs.values()) input.sink.close();
    this.#inputs.clear();
  }
}

/**
 * The lowest simulcast layer at least as wide as the cell (layers halve in width from the top,
 * which is as wide as the publisher said it captures); the top one when none is.
 */
function layerFor(producer: types.Producer, cellWidth: number): number {
  const layers = producer.rtpParameters.encodings?.length ?? 1;
  const top = producerTag(producer).width ?? 640;
  for (let i = 0; i < layers - 1; i++) if (top / 2 ** (layers - 1 - i) >= cellWidth * 0.9) return i;
  return layers - 1;
}

/** mediasoup's codec name as the engine spells it. */
function codecOf(name: string): 'VP8' | 'H264' | 'opus' {
  const n = name.toLowerCase();
  return n === 'opus' ? 'opus' : n === 'h264' ? 'H264' : 'VP8';
}
