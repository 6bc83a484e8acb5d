import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import type { ChimePage } from './support/chimePage.js';
import { aliceToBob, udpRecvTuple } from './support/publisherToViewer.js';
import { canDropOnLoopback, LossyLink, type LossCounters } from './support/lossyLink.js';

// Loss recovery: random loss on the one UDP flow from the server to bob's browser (nftables on
// `lo`), at a few levels. Video recovers through NACK and RTX (bob asks, the server's consumer
// resends from its buffer). Opus has no NACK, and its in-band FEC does not help on this leg:
// alice's encoder adds FEC for the loss it hears of, and the server reports alice's own leg
// (no loss), not bob's. So bob's audio conceals what is lost (the log shows the FEC packets).

/** What bob's tile element shows now: decoded width and the colour of its centre. */
const probe = (p: ChimePage) => p.eval<{ width: number; colour: { r: number; g: number; b: number } | null }>(
  `(() => { const v = document.getElementById('loss-tile'); return { width: v.videoWidth, colour: t.colourOf('loss-tile') }; })()`,
);

/**
 * Bob's inbound-rtp counters (Chromium) for his one remote video and one remote audio. Chromium
 * counts a packet RTX recovered in packetsReceived but still in packetsLost (lost on the media
 * SSRC), so what stayed lost is packetsLost - retransmittedPacketsReceived. mediasoup-client's
 * "probator" receiver (SSRC 1234, the server's bandwidth probes) is a video inbound-rtp too: skipped.
 */
interface VideoIn { packetsReceived: number; packetsLost: number; nackCount: number; retransmittedPacketsReceived: number; pliCount: number; framesDecoded: number; framesDropped: number; keyFramesDecoded: number; freezeCount: number; totalFreezesDuration: number; frameWidth: number }
interface AudioIn { packetsReceived: number; packetsLost: number; concealedSamples: number; totalSamplesReceived: number; fecPacketsReceived: number }
const inbound = (p: ChimePage) => p.eval<{ video: VideoIn; audio: AudioIn; rtxStat: boolean }>(`(async () => {
  const found = {};
  const report = await t.session.audioVideo.getRTCPeerConnectionStats();
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.mid === 'probator' || s.trackIdentifier === 'probator') return;
    if (!found[s.kind] || s.packetsReceived > found[s.kind].packetsReceived) found[s.kind] = s;
  });
  const v = found.video ?? {}, a = found.audio ?? {};
  const n = (x) => (typeof x === 'number' ? x : 0);
  return {
    rtxStat: typeof v.retransmittedPacketsReceived === 'number',
    video: { packetsReceived: n(v.packetsReceived), packetsLost: n(v.packetsLost), nackCount: n(v.nackCount), retransmittedPacketsReceived: n(v.retransmittedPacketsReceived),
      pliCount: n(v.pliCount), framesDecoded: n(v.framesDecoded), framesDropped: n(v.framesDropped), keyFramesDecoded: n(v.keyFramesDecoded), freezeCount: n(v.freezeCount),
      totalFreezesDuration: n(v.totalFreezesDuration), frameWidth: n(v.frameWidth) },
    audio: { packetsReceived: n(a.packetsReceived), packetsLost: n(a.packetsLost), concealedSamples: n(a.concealedSamples), totalSamplesReceived: n(a.totalSamplesReceived), fecPacketsReceived: n(a.fecPacketsReceived) },
  };
})()`);

/** The server's figures for what it sends bob: each consumer's outbound stream (mediasoup). */
type ServerOut = Pick<types.ConsumerStat, 'packetCount' | 'nackCount' | 'nackPacketCount' | 'packetsRetransmitted' | 'packetsRepaired' | 'pliCount'>;
async function serverOut(peer: { consumers: Map<string, types.Consumer> }): Promise<Record<'audio' | 'video', ServerOut>> {
  const zero = (): ServerOut => ({ packetCount: 0, nackCount: 0, nackPacketCount: 0, packetsRetransmitted: 0, packetsRepaired: 0, pliCount: 0 });
  const out = { audio: zero(), video: zero() };
  for (const consumer of peer.consumers.values()) {
    for (const s of await consumer.getStats()) {
      if (s.type !== 'outbound-rtp') continue;
      const sum = out[consumer.kind];
      for (const k of Object.keys(sum) as Array<keyof ServerOut>) sum[k] += s[k] ?? 0;
    }
  }
  return out;
}

/** What the server lost of alice's video on the way in (all simulcast streams): should stay 0 on loopback. */
async function upstreamLost(peer: { producers: Map<string, types.Producer> }): Promise<number> {
  let lost = 0;
  for (const producer of peer.producers.values()) {
    if (producer.kind !== 'video') continue;
    for (const s of await producer.getStats()) lost += s.packetsLost ?? 0;
  }
  return lost;
}

interface Snapshot { at: number; bob: Awaited<ReturnType<typeof inbound>>; server: Record<'audio' | 'video', ServerOut>; upstreamLost: number; link: LossCounters; layerChanges: number }

/** Field by field b - a, for objects of counters. */
function minus<T extends object>(b: T, a: T): T {
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, (v as number) - ((a as Record<string, number>)[k] ?? 0)])) as T;
}

/**
 * What one loss level did over its window a..b. Residual loss is counted at `tail`, taken a
 * second after the loss was switched off, so a repair still in flight at b is not residual.
 */
function figures(level: number, a: Snapshot, b: Snapshot, tail: Snapshot) {
  const seconds = (b.at - a.at) / 1000;
  const video = minus(b.bob.video, a.bob.video);
  const audio = minus(b.bob.audio, a.bob.audio);
  const server = minus(b.server.video, a.server.video);
  const link = minus(b.link, a.link);
  // Sequence numbers bob missed that the server had no packet to resend for: mediasoup's
  // SimulcastConsumer skips one on purpose when it switches layers after a cut frame (so the
  // browser drops that frame; mediasoup issue #408). Not media the link took.
  const late = { video: minus(tail.bob.video, a.bob.video), server: minus(tail.server.video, a.server.video) };
  const skipped = Math.max(0, late.video.packetsLost - late.server.packetsRepaired);
  return {
    level,
    seconds,
    link,
    linkLoss: link.dropped / Math.max(1, link.matched),
    video,
    skipped,
    /** Video packets the link took that no retransmission brought back. */
    residual: Math.max(0, late.video.packetsLost - skipped - late.video.retransmittedPacketsReceived),
    server,
    upstreamLost: b.upstreamLost - a.upstreamLost,
    layerChanges: b.layerChanges - a.layerChanges,
    fps: video.framesDecoded / seconds,
    width: b.bob.video.frameWidth,
    audio,
    audioLoss: audio.packetsLost / Math.max(1, audio.packetsLost + audio.packetsReceived),
    concealed: audio.concealedSamples / Math.max(1, audio.totalSamplesReceived),
  };
}
type Figures = ReturnType<typeof figures>;

const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;

function summary(f: Figures): string {
  const v = f.video;
  return `[loss] ${pct(f.level, 0)} set: link dropped ${f.link.dropped}/${f.link.matched} (${pct(f.linkLoss)}) in ${f.seconds.toFixed(1)} s | ` +
    `video ${f.width}px ${f.fps.toFixed(1)} fps: lost ${v.packetsLost} of ${f.server.packetCount} sent (${pct(v.packetsLost / Math.max(1, f.server.packetCount))}), ` +
    `${v.nackCount} NACKs -> server got ${f.server.nackCount} for ${f.server.nackPacketCount} pkts, resent ${f.server.packetsRetransmitted} (${f.server.packetsRepaired} distinct), ` +
    `bob got ${v.retransmittedPacketsReceived} RTX, residual ${f.residual} (${pct(f.residual / Math.max(1, f.server.packetCount), 2)}), ` +
    `PLI ${v.pliCount}, keyframes ${v.keyFramesDecoded}, frames dropped ${v.framesDropped}, freezes ${v.freezeCount} (${v.totalFreezesDuration.toFixed(2)} s), ` +
    `${f.layerChanges} layer changes (${f.skipped} seq skipped), upstream lost ${f.upstreamLost} | ` +
    `audio lost ${f.audio.packetsLost}/${f.audio.packetsLost + f.audio.packetsReceived} (${pct(f.audioLoss)}), concealed ${pct(f.concealed)}, Opus FEC packets ${f.audio.fecPacketsReceived}`;
}

const LEVELS = [0, 0.02, 0.05, 0.1];
/**
 * Seconds watched at each level (after 2 s at that level first); then 1 s without loss lets the
 * last repairs land before residual loss is counted.
 */
const WINDOW_S = 8;

describe('loss recovery', () => {
  const env = useServerAndBrowser();

  it.skipIf(!canDropOnLoopback())('video recovers random loss on the subscriber\'s link with NACK and RTX; audio conceals it', async () => {
    // Textured, so each simulcast layer costs what a camera's would (~130 video packets/s on the top one).
    const { meeting, alice, bob } = await aliceToBob(env, 'loss', { textured: true, tileId: 'loss-tile' });
    const started = Date.now();
    await waitFor('bob decodes alice at >= 640 wide', async () => ((await probe(bob)).width >= 640 ? true : undefined), 40_000);
    console.log(`[loss] bob decodes ${(await probe(bob)).width}px after ${Date.now() - started} ms`);

    const room = env.server.rooms.get(meeting.Meeting.MeetingId)!;
    const peer = room.member(bob.attendeeId)!.peer;
    const alicePeer = room.member(alice.attendeeId)!.peer;
    // Layer changes explain sequence numbers the server skips (see figures()).
    let layerChanges = 0;
    for (const c of peer.consumers.values()) if (c.kind === 'video') c.on('layerschange', () => layerChanges++);
    const flow = await udpRecvTuple(peer);
    const link = new LossyLink();
    const snapshot = async (): Promise<Snapshot> => {
      const [bobStats, server, upstream] = await Promise.all([inbound(bob), serverOut(peer), upstreamLost(alicePeer)]);
      return { at: Date.now(), bob: bobStats, server, upstreamLost: upstream, link: link.counters(), layerChanges };
    };

    const results: Figures[] = [];
    const colours: Array<{ r: number; g: number; b: number } | null> = [];
    let rtxStat = false;
    try {
      link.drop(flow, 0);
      for (const level of LEVELS) {
        link.change(level);
        await new Promise((r) => setTimeout(r, 2000));
        const a = await snapshot();
        await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
        const b = await snapshot();
        colours.push((await probe(bob)).colour); // what bob shows under this loss
        link.change(0);
        await new Promise((r) => setTimeout(r, 1000));
        const tail = await snapshot();
        rtxStat = tail.bob.rtxStat; // absent until the first RTX arrives
        const f = figures(level, a, b, tail);
        results.push(f);
        console.log(summary(f));
      }
    } finally {
      link.close();
    }

    // Assertions after all levels, so every run prints the whole table. Margins: see the figures
    // of repeated runs in the commit message; statistical ones are pooled over the lossy windows
    // (a 2% window at the lowest layer holds only ~150 video packets).
    expect(rtxStat, 'Chromium reports retransmittedPacketsReceived').toBe(true);
    for (const [i, f] of results.entries()) {
      const at = `at ${pct(f.level, 0)} loss`;
      expectColour(colours[i]!, [224, 0, 0], `${at}: bob still sees alice`);
      // Not frozen (the frame rate depends on the CPU: 5.5-10 fps measured at every level).
      expect(f.fps, `${at}: video keeps decoding (fps)`).toBeGreaterThan(3);
      expect(f.video.totalFreezesDuration, `${at}: frozen for under a third of the window`).toBeLessThan(WINDOW_S / 3);
      expect(f.audio.packetsReceived, `${at}: audio keeps flowing (50 packets/s)`).toBeGreaterThan(WINDOW_S * 50 * (1 - f.level) * 0.7);
      if (f.level === 0) {
        expect(f.link.dropped, 'no loss set: nothing dropped').toBe(0);
        // A loaded machine alone conceals a little (up to 3.6% measured with no loss).
        expect(f.concealed, 'no loss: audio barely concealed').toBeLessThan(0.1);
        continue;
      }
      expect(f.link.dropped, `${at}: the link drops packets`).toBeGreaterThan(0);
      // Recovered: what the link took and no retransmission brought back is a small part of it.
      expect(f.residual, `${at}: residual video loss is a small part of the induced loss`).toBeLessThanOrEqual(Math.ceil(f.server.packetsRepaired * 0.25) + 3);
      // Opus has no NACK: NetEq conceals what is lost (about the loss itself); most audio is real.
      expect(f.concealed, `${at}: audio concealment stays bounded`).toBeLessThan(0.3);
    }
    const lossy = results.filter((x) => x.level > 0);
    const sum = (pick: (f: Figures) => number) => lossy.reduce((n, f) => n + pick(f), 0);
    const expectedDrops = sum((f) => f.level * f.link.matched);
    const linkLoss = sum((f) => f.link.dropped) / sum((f) => f.link.matched);
    const videoDropped = sum((f) => f.linkLoss * f.server.packetCount);
    const audioLost = sum((f) => f.audio.packetsLost);
    const audioAll = sum((f) => f.audio.packetsLost + f.audio.packetsReceived);
    console.log(`[loss] lossy windows: link dropped ${sum((f) => f.link.dropped)} (${expectedDrops.toFixed(0)} expected) | video: ~${videoDropped.toFixed(0)} dropped, ` +
      `bob lost ${sum((f) => f.video.packetsLost)}, server resent ${sum((f) => f.server.packetsRepaired)} distinct, residual ${sum((f) => f.residual)}, PLI ${sum((f) => f.video.pliCount)} | ` +
      `audio lost ${audioLost}/${audioAll} (${pct(audioLost / audioAll)}) vs link ${pct(linkLoss)}`);
    // The link dropped what was set (binomial: thousands of packets, margins of 5+ standard deviations).
    expect(sum((f) => f.link.dropped), 'the link drops about what was set').toBeGreaterThan(expectedDrops * 0.6);
    expect(sum((f) => f.link.dropped), 'the link drops about what was set').toBeLessThan(expectedDrops * 1.5);
    // Video lost packets (so recovery was exercised), bob NACKed them, the server resent them.
    expect(sum((f) => f.video.packetsLost), 'video lost packets to recover').toBeGreaterThanOrEqual(10);
    expect(sum((f) => f.video.nackCount), 'bob sends NACKs').toBeGreaterThan(0);
    expect(sum((f) => f.server.packetsRepaired), 'the server resent (about) every video packet the link took').toBeGreaterThan(videoDropped * 0.5 - 3);
    expect(sum((f) => f.residual), 'residual video loss is a small part of the induced loss').toBeLessThanOrEqual(sum((f) => f.server.packetsRepaired) * 0.2 + 3);
    // Nothing so broken that bob needs a new keyframe (what a failed repair costs).
    expect(sum((f) => f.video.pliCount), 'no keyframe requests').toBeLessThanOrEqual(3);
    // Audio is not repaired: its loss follows the link's.
    expect(audioLost / audioAll, 'audio loss follows the link (no NACK for Opus)').toBeGreaterThan(linkLoss * 0.4);
    expect(audioLost / audioAll, 'audio loss follows the link (no NACK for Opus)').toBeLessThan(linkLoss * 2);
  }, 180_000);
});
