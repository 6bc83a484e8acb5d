import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { TransportInfo } from '../sdp.js';
import { SignalClient } from '../signalClient.js';
import { DATAGRAM_SHAPES, DatagramFuzzer, stunBindingRequest, type DatagramShape, type IceTarget } from './datagrams.js';

export interface UdpFuzzResult {
  sent: number;
  byShape: Record<DatagramShape, number>;
  /** Datagrams the server sent back (STUN responses, DTLS flights). */
  replies: number;
  /** Whether the fuzz transport's own ICE check was answered before the fuzz started. */
  iceConnected: boolean;
  seconds: number;
}

/**
 * Sends fuzzed datagrams at a WebRtcServer's UDP port from a few sockets. One socket is a member's
 * real ICE candidate: it passes a STUN check on a transport of its own (joined over signaling, DTLS
 * role set), so its DTLS and RTP/RTCP garbage gets past the port's demultiplexer into a transport;
 * the other sockets are unknown 5-tuples, whose datagrams the server must drop.
 */
export class UdpFuzzTarget {
  readonly #signal: SignalClient;
  readonly #ice: IceTarget;
  readonly #host: string;
  readonly #port: number;
  readonly #sockets: Socket[];
  replies = 0;

  private constructor(signal: SignalClient, ice: IceTarget, host: string, port: number, sockets: Socket[]) {
    this.#signal = signal;
    this.#ice = ice;
    this.#host = host;
    this.#port = port;
    this.#sockets = sockets;
    for (const s of sockets) s.on('message', () => this.replies++);
  }

  /** Joins with `token`, creates a send transport and binds the sockets (on 127.0.0.1, ephemeral ports). */
  static async open(signalingUrl: string, token: string, extraSockets = 3): Promise<UdpFuzzTarget> {
    const signal = await SignalClient.connect(signalingUrl);
    await signal.request('join', { protocol: 1, token });
    const t = await signal.request<TransportInfo>('createTransport', { direction: 'send' });
    // The DTLS role has to be set before the transport's DTLS runs; the fingerprint is never checked by a handshake that completes.
    await signal.request('connectTransport', { transportId: t.id, dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: Array.from(randomBytes(32), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':') }] } });
    const udp = t.iceCandidates.find((c) => c.protocol === 'udp');
    if (!udp) throw new Error('the transport has no UDP candidate');
    const sockets = await Promise.all(Array.from({ length: 1 + extraSockets }, () => new Promise<Socket>((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve(s));
    })));
    const ice = { serverUfrag: t.iceParameters.usernameFragment, serverPassword: t.iceParameters.password, clientUfrag: randomBytes(4).toString('hex') };
    return new UdpFuzzTarget(signal, ice, udp.ip ?? udp.address ?? '127.0.0.1', udp.port, sockets);
  }

  /** Sends a valid ICE check from the member's socket; true once the server answers one. */
  async connectIce(timeoutMs = 3000): Promise<boolean> {
    const before = this.replies;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.#send(0, stunBindingRequest(this.#ice));
      await new Promise((r) => setTimeout(r, 100));
      if (this.replies > before) return true;
    }
    return false;
  }

  #send(socket: number, data: Buffer): void {
    this.#sockets[socket]!.send(data, this.#port, this.#host);
  }

  /**
   * Sends `count` datagrams at about `perSecond`, in bursts every 10 ms, alternating the member's
   * socket (half of them) with the unknown ones; `onProgress` after each second.
   */
  async run(count: number, perSecond: number, seed: number, onProgress?: (sent: number) => void | Promise<void>): Promise<UdpFuzzResult> {
    const gen = new DatagramFuzzer(seed, this.#ice);
    const byShape = Object.fromEntries(DATAGRAM_SHAPES.map((s) => [s, 0])) as Record<DatagramShape, number>;
    const iceConnected = await this.connectIce();
    const started = performance.now();
    let sent = 0;
    let lastProgress = started;
    const perBurst = Math.max(1, Math.round(perSecond / 100));
    while (sent < count) {
      for (let i = 0; i < perBurst && sent < count; i++, sent++) {
        const { shape, data } = gen.next();
        byShape[shape]++;
        this.#send(sent % 2 === 0 ? 0 : 1 + (sent % (this.#sockets.length - 1)), data);
      }
      // Keep the member's tuple the transport's selected one whatever the fuzz did to it.
      if (sent % (perBurst * 50) < perBurst) this.#send(0, stunBindingRequest(this.#ice));
      const due = started + (sent / perSecond) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      if (performance.now() - lastProgress >= 1000) {
        lastProgress = performance.now();
        await onProgress?.(sent);
      }
    }
    return { sent, byShape, replies: this.replies, iceConnected, seconds: (performance.now() - started) / 1000 };
  }

  close(): void {
    for (const s of this.#sockets) s.close();
    this.#signal.close();
  }
}
