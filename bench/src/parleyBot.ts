import nodeDataChannel from 'node-datachannel';
import type { BenchMedia } from './media.js';
import type { Pacer } from './pacer.js';
import { ReceiveTally, StreamReceiver } from './receiver.js';
import { rtcpKeyframeSsrcs } from './rtp.js';
import { dtlsFromSdp, mediasoupSdp, type SdpMedia, type TransportInfo } from './sdp.js';
import { ClipSender, SendLog } from './sender.js';
import { SignalClient } from './signalClient.js';

const { PeerConnection, Video, Audio } = nodeDataChannel;
type PC = InstanceType<typeof PeerConnection>;
type Track = ReturnType<PC['addTrack']>;

interface RouterCodec { kind: string; mimeType: string; preferredPayloadType: number; clockRate: number; channels?: number; parameters?: Record<string, unknown> }
interface ConsumerInfo { consumerId: string; producerId: string; attendeeId: string; kind: 'audio' | 'video'; rtpParameters: { mid: string; codecs: Array<{ mimeType: string; payloadType: number; clockRate: number; channels?: number; parameters?: Record<string, unknown> }>; encodings: Array<{ ssrc: number }>; rtcp?: { cname?: string } } }

/** Send logs by producer id, filled as publishers produce, so subscribers can time what they receive. */
export type SendLogs = Map<string, SendLog>;

export interface Viewport { width: number; height: number }

let ssrcSeed = 0x1000_0000;

/**
 * A synthetic participant on Parley's real path: signaling WebSocket, WebRtcTransports on the
 * worker's WebRtcServer, ICE + DTLS + SRTP through libdatachannel. It replays pre-encoded media
 * and counts (never decodes) what it receives.
 */
export class ParleyBot {
  readonly signal: SignalClient;
  readonly attendeeId: string;
  readonly #codecs: RouterCodec[];
  readonly #pcs: PC[] = [];
  readonly #senders: ClipSender[] = [];
  readonly receivers: StreamReceiver[] = [];
  /** Received tracks must stay referenced: node-datachannel stops delivering to a collected Track. */
  readonly #tracks: unknown[] = [];
  #pacer: Pacer | undefined;
  readonly startedAt: number;
  joinedAt = 0;

  private constructor(signal: SignalClient, attendeeId: string, codecs: RouterCodec[], startedAt: number) {
    this.signal = signal;
    this.attendeeId = attendeeId;
    this.#codecs = codecs;
    this.startedAt = startedAt;
  }

  static async join(signalingUrl: string, token: string): Promise<ParleyBot> {
    const startedAt = performance.now();
    const signal = await SignalClient.connect(signalingUrl);
    const res = await signal.request<{ attendeeId: string; routerRtpCapabilities: { codecs: RouterCodec[] } }>('join', { protocol: 1, token });
    const bot = new ParleyBot(signal, res.attendeeId, res.routerRtpCapabilities.codecs, startedAt);
    bot.joinedAt = performance.now();
    return bot;
  }

  #codec(mimeType: string): RouterCodec {
    const c = this.#codecs.find((x) => x.mimeType.toLowerCase() === mimeType.toLowerCase());
    if (!c) throw new Error(`router has no ${mimeType}`);
    return c;
  }

  /** Publishes audio and/or video replayed from the shared clip (video as 3-layer simulcast when `what.simulcast` and `media.simulcast` are set). Resolves when media flows. */
  async publish(media: BenchMedia, pacer: Pacer, logs: SendLogs, what: { audio: boolean; video: boolean; simulcast?: boolean }): Promise<void> {
    this.#pacer = pacer;
    const t = await this.signal.request<TransportInfo>('createTransport', { direction: 'send' });
    const pc = newPc(`pub-${this.attendeeId}`);
    this.#pcs.push(pc);
    const vp8 = this.#codec('video/VP8');
    const opus = this.#codec('audio/opus');
    const kinds: Array<'video' | 'audio'> = [];
    if (what.video) kinds.push('video');
    if (what.audio) kinds.push('audio');
    const plan = kinds.map((kind, i) => {
      const mid = String(i);
      // Simulcast: one SSRC per layer on the one video track (mediasoup takes SSRC-based simulcast, no rid needed).
      const simulcast = what.simulcast ? media.simulcast : undefined;
      const clips = kind === 'video' ? simulcast?.map((l) => l.clip) ?? [media.video] : [media.audio];
      const ssrcs = clips.map(() => ssrcSeed++);
      const codec = kind === 'video' ? vp8 : opus;
      const desc = kind === 'video' ? new Video(mid, 'SendOnly') : new Audio(mid, 'SendOnly');
      if (desc instanceof Video) desc.addVP8Codec(codec.preferredPayloadType);
      else desc.addOpusCodec(codec.preferredPayloadType);
      // Every SSRC declared, so libdatachannel routes the worker's PLIs for each layer back to this track.
      for (const ssrc of ssrcs) desc.addSSRC(ssrc, `bot-${this.attendeeId}`, 'stream', `${kind}-track`);
      const track = pc.addTrack(desc);
      return { kind, mid, ssrcs, clips, codec, track };
    });
    const offer = await localDescription(pc, () => pc.setLocalDescription());
    await this.signal.request('connectTransport', { transportId: t.id, dtlsParameters: dtlsFromSdp(offer) });
    const answerMedias: SdpMedia[] = [];
    for (const p of plan) {
      const layered = p.clips.length > 1;
      const log = new SendLog();
      // One start for all layers: their keyframes line up, as a browser's simulcast encoder's do.
      const startAt = performance.now() - Math.random() * 1000;
      const senders = p.clips.map((clip, i) => new ClipSender(clip, trackOutput(p.track), p.codec.preferredPayloadType, p.ssrcs[i]!, p.codec.clockRate, startAt, layered ? { log, index: i } : undefined));
      p.track.onMessage((msg) => {
        for (const ssrc of rtcpKeyframeSsrcs(msg)) senders.find((x) => x.ssrc === ssrc)?.requestKeyframe();
      });
      const layers = p.kind === 'video' && layered ? media.simulcast ?? [] : [];
      const top = layers.at(-1);
      const { producerId } = await this.signal.request<{ producerId: string }>('produce', {
        transportId: t.id,
        kind: p.kind,
        source: p.kind === 'video' ? 'camera' : 'microphone',
        rtpParameters: {
          mid: p.mid,
          codecs: [{ mimeType: p.codec.mimeType, payloadType: p.codec.preferredPayloadType, clockRate: p.codec.clockRate, ...(p.codec.channels ? { channels: p.codec.channels } : {}),
            rtcpFeedback: p.kind === 'video' ? [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] : [] }],
          headerExtensions: [],
          encodings: layers.length
            ? layers.map((l, i) => ({ ssrc: p.ssrcs[i]!, maxBitrate: l.bitrate, scaleResolutionDownBy: top!.width / l.width }))
            : [{ ssrc: p.ssrcs[0]! }],
          rtcp: { cname: `bot-${this.attendeeId}`, reducedSize: true },
        },
        ...(top ? { width: top.width, height: top.height } : {}),
      });
      logs.set(producerId, senders[0]!.log);
      this.#senders.push(...senders);
      answerMedias.push({ mid: p.mid, kind: p.kind, direction: 'recvonly', pt: p.codec.preferredPayloadType, codec: p.kind === 'video' ? 'VP8' : 'opus', clockRate: p.codec.clockRate,
        ...(p.kind === 'audio' ? { channels: 2, fmtp: 'minptime=10;useinbandfec=1' } : {}), rtcpFb: p.kind === 'video' ? ['nack', 'nack pli', 'ccm fir'] : [] });
    }
    pc.setRemoteDescription(mediasoupSdp(t, answerMedias, 'answer'), 'answer');
    await Promise.all(plan.map((p) => trackOpen(p.track)));
    for (const s of this.#senders) pacer.add(s);
  }

  /**
   * Receives everything published in the room so far. Resolves when all tracks are open; each
   * receiver records its first complete video frame.
   */
  async subscribe(tally: ReceiveTally, logs: SendLogs, viewport?: Viewport): Promise<void> {
    const consumers: ConsumerInfo[] = [];
    this.signal.on('newConsumer', (c) => consumers.push(c as unknown as ConsumerInfo));
    const t = await this.signal.request<TransportInfo>('createTransport', { direction: 'recv' });
    const vp8 = this.#codec('video/VP8');
    const opus = this.#codec('audio/opus');
    await this.signal.request('setRtpCapabilities', {
      rtpCapabilities: {
        codecs: [
          { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: opus.preferredPayloadType, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] },
          { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: vp8.preferredPayloadType, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] },
        ],
        headerExtensions: [],
      },
    });
    if (consumers.length === 0) return;
    const pc = newPc(`sub-${this.attendeeId}`);
    this.#pcs.push(pc);
    const byMid = new Map(consumers.map((c) => [c.rtpParameters.mid, c]));
    const opened: Array<Promise<void>> = [];
    pc.onTrack((track) => {
      const c = byMid.get(track.mid());
      if (!c) return;
      const rx = new StreamReceiver(c.kind, tally, logs.get(c.producerId));
      this.receivers.push(rx);
      this.#tracks.push(track);
      track.onMessage((msg) => rx.handle(msg));
      opened.push(trackOpen(track));
    });
    const medias: SdpMedia[] = consumers.map((c) => {
      const codec = c.rtpParameters.codecs[0]!;
      return { mid: c.rtpParameters.mid, kind: c.kind, direction: 'sendonly', pt: codec.payloadType, codec: codec.mimeType.split('/')[1]!, clockRate: codec.clockRate,
        ...(codec.channels ? { channels: codec.channels } : {}), rtcpFb: c.kind === 'video' ? ['nack', 'nack pli', 'ccm fir'] : [],
        ssrc: c.rtpParameters.encodings[0]!.ssrc, cname: c.rtpParameters.rtcp?.cname ?? 'parley' };
    });
    const answer = await localDescription(pc, () => pc.setRemoteDescription(mediasoupSdp(t, medias, 'offer'), 'offer'));
    await this.signal.request('connectTransport', { transportId: t.id, dtlsParameters: dtlsFromSdp(answer) });
    for (const c of consumers) await this.signal.request('resumeConsumer', { consumerId: c.consumerId });
    if (viewport) for (const c of consumers) if (c.kind === 'video') await this.signal.request('setConsumerPreferences', { consumerId: c.consumerId, ...viewport });
    await Promise.all(opened);
  }


  close(): void {
    for (const s of this.#senders) this.#pacer?.remove(s);
    for (const pc of this.#pcs) pc.close();
    this.signal.close();
  }
}

export function newPc(name: string, bindAddress = '127.0.0.1'): PC {
  return new PeerConnection(name, { iceServers: [], bindAddress, enableIceUdpMux: false });
}

/** Runs `trigger` and resolves with the local description it makes (offer or answer). */
export function localDescription(pc: PC, trigger: () => void): Promise<string> {
  return new Promise((resolve) => {
    let done = false;
    pc.onLocalDescription((sdp) => {
      if (!done) resolve(sdp);
      done = true;
    });
    trigger();
    const now = pc.localDescription();
    if (!done && now?.sdp) {
      done = true;
      resolve(now.sdp);
    }
  });
}

export function trackOpen(track: Track): Promise<void> {
  if (track.isOpen()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`track ${track.mid()} did not open in 20 s`)), 20_000);
    track.onOpen(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function trackOutput(track: Track): { send(packet: Buffer): boolean } {
  return {
    send: (packet) => {
      if (!track.isOpen()) return false;
      try {
        return track.sendMessageBinary(packet);
      } catch {
        return false;
      }
    },
  };
}
