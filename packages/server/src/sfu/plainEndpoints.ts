import type { types } from 'mediasoup';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';

/**
 * Endpoints of a room's media that are not members: they need no WebRtcTransport, count toward
 * no limit and appear in no member list (LiveKit keeps egress and ingress beside the room too).
 * Both speak plain RTP over loopback to a local media engine process.
 */

/** The codec, payload type and SSRC a PlainSink sends, for the engine that receives it. */
export interface PlainSinkFormat {
  kind: 'audio' | 'video';
  /** "VP8", "H264" or "opus". */
  codec: string;
  payloadType: number;
  clockRate: number;
  ssrc: number;
}

/**
 * A consumer of one producer sent as plain RTP to ip:port (the compositor's or a recorder's
 * socket). Created paused and unconnected: the engine binds its socket for the format it is
 * told, then connect() and resume(), so the first keyframe is not lost.
 */
export class PlainSink {
  readonly transport: types.PlainTransport;
  readonly consumer: types.Consumer;

  private constructor(transport: types.PlainTransport, consumer: types.Consumer) {
    this.transport = transport;
    this.consumer = consumer;
    // The producer closing closes the consumer; take the transport down with it.
    consumer.observer.once('close', () => transport.close());
  }

  /** rtcpMux false: RTCP to a port of its own (a receiver that reads RTP only from its RTP port). */
  static async create(router: types.Router, producer: types.Producer, options: { rtcpMux?: boolean } = {}): Promise<PlainSink> {
    const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: options.rtcpMux ?? true, comedia: false, appData: { plainSink: producer.id } });
    try {
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: withoutRtx(router.rtpCapabilities, producer), paused: true });
      return new PlainSink(transport, consumer);
    } catch (err) {
      transport.close();
      throw new ParleyError(ErrorCode.MediaError, `could not send ${producer.kind} to the media engine: ${(err as Error).message}`, { cause: err });
    }
  }

  get format(): PlainSinkFormat {
    const codec = this.consumer.rtpParameters.codecs[0]!;
    return {
      kind: this.consumer.kind,
      codec: codec.mimeType.split('/')[1]!,
      payloadType: codec.payloadType,
      clockRate: codec.clockRate,
      ssrc: this.consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0,
    };
  }

  get closed(): boolean {
    return this.consumer.closed;
  }

  /** Starts sending to the engine's socket. */
  async start(target: { ip: string; port: number; rtcpPort?: number | undefined }): Promise<void> {
    if (this.consumer.closed) return;
    await this.transport.connect({ ip: target.ip, port: target.port, ...(target.rtcpPort ? { rtcpPort: target.rtcpPort } : {}) });
    await this.consumer.resume();
    await this.requestKeyFrame();
  }

  /** A PLI to the publisher (the engine's decoder needs a keyframe). */
  async pause(): Promise<void> {
    if (!this.consumer.closed) await this.consumer.pause();
  }

  async resume(): Promise<void> {
    if (!this.consumer.closed) await this.consumer.resume();
  }

  async requestKeyFrame(): Promise<void> {
    if (!this.consumer.closed && this.consumer.kind === 'video') await this.consumer.requestKeyFrame();
  }

  /** For a simulcast producer: the layer that fits where it is drawn. */
  async setSpatialLayer(spatialLayer: number): Promise<void> {
    if (this.consumer.closed || this.consumer.type !== 'simulcast') return;
    await this.consumer.setPreferredLayers({ spatialLayer });
  }

  close(): void {
    this.consumer.close();
    this.transport.close();
  }
}

/**
 * A producer fed by plain RTP from a local process (a playback): open() binds the socket the
 * engine sends to (`port`; the transport learns the engine's address from its first packet,
 * comedia), produce() once the engine said what it sends.
 */
export class PlainSource {
  readonly transport: types.PlainTransport;
  #producer: types.Producer | undefined;

  private constructor(transport: types.PlainTransport) {
    this.transport = transport;
  }

  static async open(router: types.Router, kind: 'audio' | 'video'): Promise<PlainSource> {
    const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: true, appData: { plainSource: kind } });
    return new PlainSource(transport);
  }

  get port(): number {
    return this.transport.tuple.localPort;
  }

  get producer(): types.Producer | undefined {
    return this.#producer;
  }

  async produce(kind: 'audio' | 'video', rtpParameters: types.RtpParameters, appData: Record<string, unknown>): Promise<types.Producer> {
    try {
      const producer = await this.transport.produce({ kind, rtpParameters, appData });
      producer.observer.once('close', () => this.transport.close());
      this.#producer = producer;
      return producer;
    } catch (err) {
      this.transport.close();
      throw new ParleyError(ErrorCode.MediaError, `could not take ${kind} from the media engine: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): void {
    this.#producer?.close();
    this.transport.close();
  }
}

/**
 * The router's capabilities for this kind minus RTX: the engine does not NACK, so retransmissions would only
 * arrive as packets of an unknown payload type. Keeps the producer's own codec first.
 */
function withoutRtx(caps: types.RtpCapabilities, producer: types.Producer): types.RtpCapabilities {
  const mime = producer.rtpParameters.codecs[0]?.mimeType.toLowerCase();
  const codecs = (caps.codecs ?? []).filter((c) => c.kind === producer.kind && !c.mimeType.toLowerCase().endsWith('/rtx'));
  codecs.sort((a, b) => Number(b.mimeType.toLowerCase() === mime) - Number(a.mimeType.toLowerCase() === mime));
  // No header extensions either: plain RTP as a depayloader expects it.
  return { codecs, headerExtensions: [] };
}
