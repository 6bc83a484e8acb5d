import type { types } from 'mediasoup';
import { ErrorCode, TypedEmitter, type MediaKind, type MediaSource, type TransportInfo, type TransportStats } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import { layerBitrates } from './layerBitrates.js';
import { LayerPolicy } from './layerPolicy.js';
import type { SfuRoom } from './sfuRoom.js';

export type Direction = 'send' | 'recv';

export type SfuPeerEvents = {
  /** A consumer ended because its producer or transport closed. */
  consumerClosed: [consumerId: string];
  consumerPaused: [consumerId: string];
  consumerResumed: [consumerId: string];
};

/** What a producer carries, kept in its appData so room logic can map media back to people. */
export interface ProducerTag {
  attendeeId: string;
  source: MediaSource;
  /** The size the publisher captures at (its top simulcast layer), when it said. */
  width?: number;
  height?: number;
}

/** The tag SfuPeer.produce put on a producer. */
export function producerTag(producer: types.Producer): ProducerTag {
  return producer.appData as unknown as ProducerTag;
}

/**
 * One participant's media on the SFU: at most one send and one receive WebRtcTransport, its
 * producers and its consumers. Owns them: close() closes them all. Safe to call close twice.
 */
export class SfuPeer extends TypedEmitter<SfuPeerEvents> {
  readonly #room: SfuRoom;
  readonly peerId: string;
  readonly #transports = new Map<Direction, types.WebRtcTransport>();
  readonly producers = new Map<string, types.Producer>();
  readonly consumers = new Map<string, types.Consumer>();
  rtpCapabilities: types.RtpCapabilities | undefined;
  /** Chooses the simulcast layer of each video this peer receives (render size, bandwidth). */
  readonly layers: LayerPolicy;
  #closed = false;

  constructor(room: SfuRoom, peerId: string, onError: (err: unknown) => void = () => undefined) {
    super();
    this.#room = room;
    this.peerId = peerId;
    this.layers = new LayerPolicy({
      availableBitrate: () => this.#availableOutgoingBitrate(),
      layerBitrates,
      onError,
    });
  }

  async #availableOutgoingBitrate(): Promise<number | null> {
    const transport = this.#transports.get('recv');
    if (!transport || transport.closed) return null;
    const [s] = await transport.getStats();
    return s?.availableOutgoingBitrate ?? null;
  }

  /** Caps what the server sends this peer (bits per second; 0 lifts the cap). For tests and operators. */
  async setMaxReceiveBitrate(bps: number): Promise<void> {
    const transport = this.#transports.get('recv');
    if (!transport) throw new ParleyError(ErrorCode.TransportNotFound, 'no recv transport');
    await mediaCall(() => transport.setMaxOutgoingBitrate(bps));
  }

  /** Creates the transport for a direction, replacing any earlier one (a client reconnecting). */
  async createTransport(direction: Direction): Promise<TransportInfo> {
    this.#assertOpen();
    this.#transports.get(direction)?.close();
    const transport = await mediaCall(() => this.#room.createWebRtcTransport(direction, { peerId: this.peerId, direction }));
    if (this.#closed) {
      transport.close();
      throw new ParleyError(ErrorCode.NotJoined, 'participant left');
    }
    this.#transports.set(direction, transport);
    transport.observer.once('close', () => {
      if (this.#transports.get(direction) === transport) this.#transports.delete(direction);
    });
    return {
      id: transport.id,
      iceParameters: { ...transport.iceParameters },
      iceCandidates: transport.iceCandidates.map((c) => ({ ...c })),
      dtlsParameters: { ...transport.dtlsParameters },
    };
  }

  async connectTransport(transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    const transport = this.#transport(transportId);
    await mediaCall(() => transport.connect({ dtlsParameters: dtlsParameters as unknown as types.DtlsParameters }));
  }

  async restartIce(transportId: string): Promise<Record<string, unknown>> {
    const iceParameters = await mediaCall(() => this.#transport(transportId).restartIce());
    return { ...iceParameters };
  }

  async produce(transportId: string, kind: MediaKind, rtpParameters: Record<string, unknown>, paused: boolean, tag: ProducerTag): Promise<types.Producer> {
    const transport = this.#transport(transportId, 'send');
    const producer = await mediaCall(() =>
      transport.produce({ kind, rtpParameters: rtpParameters as unknown as types.RtpParameters, paused, appData: { ...tag } }),
    );
    this.producers.set(producer.id, producer);
    producer.observer.once('close', () => this.producers.delete(producer.id));
    if (kind === 'audio') await this.#room.observeAudio(producer);
    return producer;
  }

  /**
   * Creates a paused consumer of another peer's producer on this peer's receive transport, or
   * returns undefined when this peer cannot receive it (no transport or codec yet).
   * The client resumes it once its track is ready, so no keyframe is wasted.
   */
  async consume(producer: types.Producer): Promise<types.Consumer | undefined> {
    const transport = this.#transports.get('recv');
    if (this.#closed || !transport || !this.rtpCapabilities) return undefined;
    if (!(await this.#room.prepareConsume(producer, transport, this.rtpCapabilities))) return undefined;
    if (this.#closed || producer.closed) return undefined;
    const consumer = await mediaCall(() =>
      transport.consume({ producerId: producer.id, rtpCapabilities: this.rtpCapabilities!, paused: true, appData: { ...producer.appData } }),
    );
    this.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      this.consumers.delete(consumer.id);
      // A dead worker takes every consumer with it: the client reconnects and keeps its tiles.
      if (!this.#closed && !this.#room.workerDied) this.emit('consumerClosed', consumer.id);
    });
    consumer.on('producerpause', () => this.emit('consumerPaused', consumer.id));
    consumer.on('producerresume', () => this.emit('consumerResumed', consumer.id));
    this.layers.handleConsumer(consumer, producer);
    return consumer;
  }

  /** The worker's figures for each transport (null when that direction has none). */
  async transportStats(): Promise<Record<Direction, TransportStats | null>> {
    const one = async (direction: Direction): Promise<TransportStats | null> => {
      const transport = this.#transports.get(direction);
      if (!transport) return null;
      const [s] = await mediaCall(() => transport.getStats());
      if (!s) return null;
      return {
        availableOutgoingBitrate: s.availableOutgoingBitrate ?? null,
        recvBitrate: s.recvBitrate,
        sendBitrate: s.sendBitrate,
        availableIncomingBitrate: s.availableIncomingBitrate ?? null,
      };
    };
    const [send, recv] = await Promise.all([one('send'), one('recv')]);
    return { send, recv };
  }

  /** The address pair ICE chose for a direction (undefined before it connects). */
  iceTuple(direction: Direction): types.TransportTuple | undefined {
    return this.#transports.get(direction)?.iceSelectedTuple;
  }

  hasReceiveTransport(): boolean {
    return this.#transports.has('recv');
  }

  producer(producerId: string): types.Producer {
    const producer = this.producers.get(producerId);
    if (!producer) throw new ParleyError(ErrorCode.ProducerNotFound, `no producer ${producerId} of yours`);
    return producer;
  }

  consumer(consumerId: string): types.Consumer {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw new ParleyError(ErrorCode.ConsumerNotFound, `no consumer ${consumerId} of yours`);
    return consumer;
  }

  #transport(transportId: string, direction?: Direction): types.WebRtcTransport {
    this.#assertOpen();
    for (const [dir, transport] of this.#transports) {
      if (transport.id !== transportId) continue;
      if (direction && dir !== direction) throw new ParleyError(ErrorCode.InvalidParams, `transport ${transportId} is not a ${direction} transport`);
      return transport;
    }
    throw new ParleyError(ErrorCode.TransportNotFound, `no transport ${transportId} of yours`);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ParleyError(ErrorCode.NotJoined, 'participant left');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.layers.close();
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.removeAllListeners();
  }
}

/** mediasoup rejects bad parameters with TypeError/Error: report them as media_error, not 500. */
async function mediaCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ParleyError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ParleyError(ErrorCode.MediaError, `media request rejected: ${message.slice(0, 300)}`, { cause: err });
  }
}
