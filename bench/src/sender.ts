import { buildRtp, buildSenderReport, payloadKey } from './rtp.js';
import type { MediaClip } from './media.js';

export interface RtpOutput {
  /** Returns false when the transport is not open yet (the packet is dropped). */
  send(packet: Buffer): boolean;
}

/** Send times of recent payloads of one stream, so receivers can measure one-way latency. */
export class SendLog {
  readonly times = new Map<number, number>();
  /** Simulcast only (one log shared by the layers): which layer sent each payload, lowest = 0. */
  readonly layers = new Map<number, number>();
}

/**
 * Replays a pre-encoded clip in real time on one RTP stream, looping. Timestamps follow the wall
 * clock; a keyframe request makes the video jump to the next keyframe of the clip at once, as an
 * encoder would produce one, so a joining subscriber does not wait for the next GOP.
 */
export class ClipSender {
  readonly #clip: MediaClip;
  readonly #out: RtpOutput;
  readonly #pt: number;
  readonly ssrc: number;
  readonly #clockRate: number;
  readonly log: SendLog;
  readonly #layer: number | undefined;
  #seq = Math.floor(Math.random() * 30000);
  #idx = 0;
  /** performance.now() at which the current loop's position 0 was (or would have been) due. */
  #loopStart: number;
  #startedAt: number;
  #keyframeWanted = false;
  #octets = 0;
  #nextReportAt = 0;
  sent = 0;

  /** `layer`: one simulcast encoding, logging into the log its sibling layers share. */
  constructor(clip: MediaClip, out: RtpOutput, pt: number, ssrc: number, clockRate: number, startAt: number, layer?: { log: SendLog; index: number }) {
    this.log = layer?.log ?? new SendLog();
    this.#layer = layer?.index;
    this.#clip = clip;
    this.#out = out;
    this.#pt = pt;
    this.ssrc = ssrc;
    this.#clockRate = clockRate;
    this.#loopStart = startAt;
    this.#startedAt = startAt;
  }

  requestKeyframe(): void {
    this.#keyframeWanted = true;
  }

  /** Sends every packet due by now. */
  tick(now: number): void {
    const packets = this.#clip.packets;
    // mediasoup switches a simulcast consumer between layers only once it has a sender report of
    // each (it maps their timestamps through them); libdatachannel sends none by itself. Default
    // single-layer runs send none either, as before, so their figures stay comparable.
    if (this.#layer !== undefined && now >= this.#nextReportAt) {
      this.#nextReportAt = now + 1000;
      const rtpTs = Math.round(((now - this.#startedAt) * this.#clockRate) / 1000);
      this.#out.send(buildSenderReport(this.ssrc, performance.timeOrigin + now, rtpTs, this.sent, this.#octets));
    }
    if (this.#keyframeWanted) {
      this.#keyframeWanted = false;
      this.#jumpToKeyframe(now);
    }
    for (;;) {
      const p = packets[this.#idx];
      if (!p) return;
      const due = this.#loopStart + p.atMs;
      if (due > now) return;
      const ts = Math.round(((due - this.#startedAt) * this.#clockRate) / 1000);
      const pkt = buildRtp(this.#pt, this.#seq, ts, this.ssrc, p.marker, p.payload);
      if (this.#out.send(pkt)) {
        this.#seq = (this.#seq + 1) & 0xffff;
        this.sent++;
        this.#octets += p.payload.length;
        const key = payloadKey(pkt, 12, pkt.length);
        this.log.times.set(key, now);
        if (this.#layer !== undefined) this.log.layers.set(key, this.#layer);
      }
      if (++this.#idx >= packets.length) {
        this.#idx = 0;
        this.#loopStart += this.#clip.durationMs;
      }
    }
  }

  #jumpToKeyframe(now: number): void {
    const packets = this.#clip.packets;
    const cur = packets[this.#idx];
    if (cur?.keyframe && cur.payload[0] === 0x90) return; // already at a keyframe start
    let i = this.#idx;
    for (let n = 0; n < packets.length; n++) {
      if (++i >= packets.length) i = 0;
      const p = packets[i];
      if (p?.keyframe && p.payload[0] === 0x90) break;
    }
    const target = packets[i];
    if (!target) return;
    this.#idx = i;
    // Due now: shift the clip so its keyframe is due at `now` (time only moves forward).
    this.#loopStart = now - target.atMs;
  }
}
