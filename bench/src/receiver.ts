import { isRtcp, payloadKey, rtpPayloadBounds } from './rtp.js';
import type { SendLog } from './sender.js';

/** Everything the subscribers of one scenario received, shared so a measurement window can be reset. */
export class ReceiveTally {
  packets = 0;
  /** Missing sequence numbers seen as gaps (loss between the SFU and the subscriber, or upstream). */
  lost = 0;
  lostVideo = 0;
  latencies: number[] = [];
  /** Simulcast: packets received per layer of the publisher's (matched by payload), lowest first. */
  layerPackets: number[] = [];
  /** Record one latency sample in this many packets (keeps memory flat at high rates). */
  sampleEvery = 1;
  #n = 0;

  reset(): void {
    this.packets = 0;
    this.lost = 0;
    this.lostVideo = 0;
    this.latencies = [];
    this.layerPackets = [];
  }

  addLatency(ms: number): void {
    if (++this.#n % this.sampleEvery === 0) this.latencies.push(ms);
  }
}

/** One received RTP stream: counts packets and gaps, measures latency against the sender's log. */
export class StreamReceiver {
  readonly #tally: ReceiveTally;
  readonly #log: SendLog | undefined;
  readonly kind: 'audio' | 'video';
  #lastSeq = -1;
  firstFrameAt: number | undefined;
  firstPacketAt: number | undefined;
  received = 0;

  constructor(kind: 'audio' | 'video', tally: ReceiveTally, log: SendLog | undefined) {
    this.kind = kind;
    this.#tally = tally;
    this.#log = log;
  }

  handle(buf: Buffer): void {
    if (buf.length < 12 || isRtcp(buf)) return;
    const now = performance.now();
    const seq = buf.readUInt16BE(2);
    if (this.#lastSeq >= 0) {
      const delta = (seq - this.#lastSeq) & 0xffff;
      if (delta === 0 || delta > 0x8000) return; // duplicate or reordered (late): not counted twice
      if (delta > 1) {
        this.#tally.lost += delta - 1;
        if (this.kind === 'video') this.#tally.lostVideo += delta - 1;
      }
    }
    this.#lastSeq = seq;
    this.received++;
    this.firstPacketAt ??= now;
    this.#tally.packets++;
    if (this.firstFrameAt === undefined && this.kind === 'video' && ((buf[1] ?? 0) & 0x80)) this.firstFrameAt = now;
    if (this.#log) {
      const { start, end } = rtpPayloadBounds(buf);
      const key = payloadKey(buf, start, end);
      const sentAt = this.#log.times.get(key);
      if (sentAt !== undefined && now - sentAt < 5000) this.#tally.addLatency(now - sentAt);
      const layer = this.#log.layers.size ? this.#log.layers.get(key) : undefined;
      if (layer !== undefined) this.#tally.layerPackets[layer] = (this.#tally.layerPackets[layer] ?? 0) + 1;
    }
  }
}
