import { describe, expect, it } from 'vitest';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import type { ChimePage } from './support/chimePage.js';
import { aliceToBob, udpRecvTuple } from './support/publisherToViewer.js';
import { canShapeLoopback, LoopbackShaper } from './support/linkShaper.js';

// The layer policy on received media: a subscriber gets the simulcast layer that fits the size it
// shows a tile at, and the layer its bandwidth allows, without the video freezing.

/** What the subscriber's tile element decodes now: frame width, frames decoded so far, colour. */
const probe = (p: ChimePage) => p.eval<{ width: number; frames: number; colour: { r: number; g: number; b: number } | null }>(
  `(() => { const v = document.getElementById('layer-tile'); return { width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames, colour: t.colourOf('layer-tile') }; })()`,
);

const resize = (p: ChimePage, w: number, h: number) => p.eval(`(() => { const v = document.getElementById('layer-tile'); v.style.width = '${w}px'; v.style.height = '${h}px'; })()`);

/** Waits until the decoded width satisfies `ok`; returns it and how long that took. */
async function widthBecomes(p: ChimePage, what: string, ok: (w: number) => boolean, timeoutMs = 25_000): Promise<{ width: number; ms: number }> {
  const start = Date.now();
  const width = await waitFor(what, async () => {
    const { width } = await probe(p);
    return ok(width) ? width : undefined;
  }, timeoutMs, 100);
  return { width, ms: Date.now() - start };
}

interface Inbound { packetsReceived: number; packetsLost: number; nackCount: number; framesDecoded: number; freezeCount: number; totalFreezesDuration: number; concealedSamples: number; totalSamplesReceived: number; frameWidth: number }
/** The subscriber's inbound-rtp counters for its one remote audio and one remote video. */
const inbound = (p: ChimePage) => p.eval<{ audio: Inbound | null; video: Inbound | null }>(`(async () => {
  const out = { audio: null, video: null };
  const report = await t.session.audioVideo.getRTCPeerConnectionStats();
  // mediasoup-client's probe receiver (the server's bandwidth probes, mid "probator") is a video inbound-rtp too.
  report.forEach((s) => { if (s.type === 'inbound-rtp' && s.mid !== 'probator' && s.trackIdentifier !== 'probator') out[s.kind] = s; });
  const pick = (s) => s && { packetsReceived: s.packetsReceived ?? 0, packetsLost: s.packetsLost ?? 0, nackCount: s.nackCount ?? 0, framesDecoded: s.framesDecoded ?? 0,
    freezeCount: s.freezeCount ?? 0, totalFreezesDuration: s.totalFreezesDuration ?? 0, concealedSamples: s.concealedSamples ?? 0, totalSamplesReceived: s.totalSamplesReceived ?? 0, frameWidth: s.frameWidth ?? 0 };
  return { audio: pick(out.audio), video: pick(out.video) };
})()`);

/** Frames each of the publisher's simulcast encodings has encoded so far, by rid. */
const framesEncoded = (p: ChimePage) => p.eval<Record<string, number>>(`(async () => {
  const out = {};
  const report = await t.session.audioVideo.getRTCPeerConnectionStats();
  report.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid) out[s.rid] = s.framesEncoded ?? 0; });
  return out;
})()`);

/** Which of the publisher's encodings produce frames now (more than 2 frames in a 1.5 s window). */
async function encodingsRunning(p: ChimePage): Promise<Record<string, boolean>> {
  const a = await framesEncoded(p);
  await new Promise((r) => setTimeout(r, 1500));
  const b = await framesEncoded(p);
  return Object.fromEntries(Object.keys(b).sort().map((rid) => [rid, b[rid]! - (a[rid] ?? 0) > 2]));
}

const delta = (a: Inbound, b: Inbound) => Object.fromEntries(Object.keys(b).map((k) => [k, (b as any)[k] - (a as any)[k]])) as unknown as Inbound;

/** How long the shrunk link is watched, in seconds. */
const WINDOW_S = 16;

describe('simulcast layer policy', () => {
  // UDP only: the shaper limits one UDP flow, and Chromium on a busy machine sometimes keeps an
  // ICE-TCP pair it nominated first (seen in CI), which no UDP shaping would touch.
  const env = useServerAndBrowser({ rtc: { tcp: false } });

  it('forwards the layer that fits the tile size, stops encodings no tile needs (dynacast), and follows a bandwidth cap without freezing', async () => {
    const { meeting, alice, bob } = await aliceToBob(env, 'layers', { textured: false, tileId: 'layer-tile' });
    const room = env.server.rooms.get((meeting as any).Meeting.MeetingId)!;
    // A big tile first: alice's encoder ramps up to all three layers and bob gets the top one.
    const top = await widthBecomes(bob, 'bob decodes the top layer (1280 wide)', (w) => w >= 1280, 40_000);
    console.log(`[layers] top layer ${top.width}px after ${top.ms} ms`);

    expect(await encodingsRunning(alice), 'a big tile: alice encodes all three layers').toEqual({ r0: true, r1: true, r2: true });

    // Shown at 160x90: the server switches to the lowest layer (320x180).
    await resize(bob, 160, 90);
    const low = await widthBecomes(bob, 'bob decodes the low layer (<= 320 wide)', (w) => w > 0 && w <= 320);
    console.log(`[layers] 160x90 tile -> ${low.width}px in ${low.ms} ms`);
    expectColour((await probe(bob)).colour, [224, 0, 0], 'low layer shows alice');

    // Dynacast: nobody needs more than the lowest layer, so alice stops encoding the other two.
    const producerId = [...room.member(alice.attendeeId)!.peer.producers.values()].find((p) => p.kind === 'video')!.id;
    const thinned = Date.now();
    await waitFor('the server asks alice for the lowest layer only', async () => (room.producerDemand(producerId).maxSpatialLayer === 0 ? true : undefined), 10_000, 100);
    const running = await waitFor('alice stops encoding r1 and r2', async () => {
      const r = await encodingsRunning(alice);
      return r.r0 && !r.r1 && !r.r2 ? r : undefined;
    }, 15_000, 0);
    console.log(`[dynacast] 160x90 tile: alice encodes ${JSON.stringify(running)} (${Date.now() - thinned} ms after bob's low layer)`);
    expectColour((await probe(bob)).colour, [224, 0, 0], 'bob still gets alice on the lowest layer');

    // Back to 1280x720: alice restarts the top encodings and bob climbs again.
    await resize(bob, 1280, 720);
    const back = await widthBecomes(bob, 'bob decodes >= 640 wide again', (w) => w >= 640);
    console.log(`[layers] 1280x720 tile -> ${back.width}px in ${back.ms} ms`);
    expect(room.producerDemand(producerId), 'every layer is wanted again').toEqual({ wanted: true, maxSpatialLayer: null });

    // Bob pauses the tile (Chime's pauseVideoTile): nobody receives alice's video, so she stops encoding it at all.
    const tileId = await bob.eval<number>(`t.session.audioVideo.getAllRemoteVideoTiles().find((s) => s.boundAttendeeId === '${alice.attendeeId}').tileId`);
    await bob.eval(`t.session.audioVideo.pauseVideoTile(${tileId})`);
    const paused = Date.now();
    const stopped = await waitFor('alice stops encoding every layer', async () => {
      const r = await encodingsRunning(alice);
      return !r.r0 && !r.r1 && !r.r2 ? r : undefined;
    }, 15_000, 0);
    console.log(`[dynacast] tile paused: alice encodes ${JSON.stringify(stopped)} (${Date.now() - paused} ms after pauseVideoTile)`);
    await bob.eval(`t.session.audioVideo.unpauseVideoTile(${tileId})`);
    const resumed = Date.now();
    await widthBecomes(bob, 'unpaused: bob decodes the top layer again', (w) => w >= 1280, 30_000);
    expect(await encodingsRunning(alice), 'unpaused: alice encodes all three layers again').toEqual({ r0: true, r1: true, r2: true });
    console.log(`[dynacast] tile unpaused: top layer again after ${Date.now() - resumed} ms`);

    // The operator's cap on what the server sends bob (setMaxOutgoingBitrate on his transport):
    // what is sent stays under it and frames keep decoding. Which layer fits is the content's
    // call: layers are priced at what they carry, and this flat red picture costs little even at
    // 1280 (the textured bottleneck test below shows the drop).
    const peer = room.member(bob.attendeeId)!.peer;
    await widthBecomes(bob, 'bob back on the top layer', (w) => w >= 1280, 30_000);
    await peer.setMaxReceiveBitrate(120_000);
    await new Promise((r) => setTimeout(r, 3000));
    const f0 = (await probe(bob)).frames;
    await new Promise((r) => setTimeout(r, 3000));
    const f1 = (await probe(bob)).frames;
    const sent = (await peer.transportStats()).recv!.sendBitrate;
    console.log(`[layers] 120 kbps cap: ${f1 - f0} frames decoded in 3 s at ${(await probe(bob)).width}px; server sends ${Math.round(sent / 1000)} kbps (estimate ${peer.layers.availableBitrate} bps)`);
    expect(f1 - f0, 'frames keep coming under the cap').toBeGreaterThan(15);
    expect(sent, 'the server keeps to the cap').toBeLessThan(120_000 * 1.3);
    expectColour((await probe(bob)).colour, [224, 0, 0], 'capped video shows alice');

    await peer.setMaxReceiveBitrate(0);
    const lifted = await widthBecomes(bob, 'cap lifted: bob decodes >= 640', (w) => w >= 640, 40_000);
    console.log(`[layers] cap lifted -> ${lifted.width}px in ${lifted.ms} ms (estimate ${peer.layers.availableBitrate} bps)`);
  }, 180_000);

  // A real bottleneck: tc shapes the one UDP flow from the server to bob's browser on loopback.
  // Alice's video is textured, so each layer costs what a camera's would (150k / 500k / 1.2M).
  it.skipIf(!canShapeLoopback())('drops a layer when the subscriber\'s link shrinks, keeps audio and video flowing, and climbs back when it recovers', async () => {
    const { meeting, bob } = await aliceToBob(env, 'layers-link', { textured: true, tileId: 'layer-tile' });
    const room = env.server.rooms.get(meeting.Meeting.MeetingId)!;
    const peer = room.member(bob.attendeeId)!.peer;
    const top = await widthBecomes(bob, 'bob decodes the top layer (1280 wide)', (w) => w >= 1280, 40_000);
    const flow = await udpRecvTuple(peer);
    const sendBps = async () => (await peer.transportStats()).recv?.sendBitrate ?? 0;
    await new Promise((r) => setTimeout(r, 3000));
    console.log(`[link] top layer after ${top.ms} ms; server sends bob ${Math.round((await sendBps()) / 1000)} kbps`);

    // A timeline of what the policy and the worker did, printed with the window's figures.
    const t0 = Date.now();
    const trace: string[] = [];
    const at = () => ((Date.now() - t0) / 1000).toFixed(1);
    peer.layers.on('applied', (id, c) => {
      if (peer.consumers.get(id)?.kind === 'video') trace.push(`${at()}s pref S${c.spatialLayer}T${c.temporalLayer} fits S${c.fitsLayer} est ${Math.round((peer.layers.availableBitrate ?? 0) / 1000)}k`);
    });
    for (const c of peer.consumers.values()) {
      if (c.kind === 'video') c.on('layerschange', (l) => trace.push(`${at()}s fwd ${l ? `S${l.spatialLayer}T${l.temporalLayer}` : 'none'}`));
    }
    const shaper = new LoopbackShaper();
    try {
      // 700 kbit/s with a 150 ms queue: the middle layer (500k) and audio fit, the top (1.2M) does not.
      shaper.shape(flow, { rateKbps: 700, queueMs: 150 });
      const dropped = await widthBecomes(bob, 'shrunk link: bob drops below the top layer', (w) => w > 0 && w < 1280, 30_000);
      console.log(`[link] 700 kbit/s -> ${dropped.width}px in ${dropped.ms} ms (estimate ${peer.layers.availableBitrate} bps)`);
      // Let the estimate settle on the lower layer, then watch 16 s of it: long enough that one
      // probe for the layer above (and the stall it can cost on this tight link) is a part of the
      // window, not most of it.
      await new Promise((r) => setTimeout(r, 10_000));
      const a = await inbound(bob);
      const q0 = shaper.counters();
      await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
      const b = await inbound(bob);
      const q1 = shaper.counters();
      const v = delta(a.video!, b.video!);
      const au = delta(a.audio!, b.audio!);
      const audioConcealed = au.concealedSamples / Math.max(1, au.totalSamplesReceived);
      console.log(`[link] shrunk, ${WINDOW_S} s: ${b.video!.frameWidth}px, ${(v.framesDecoded / WINDOW_S).toFixed(1)} fps decoded, ${v.freezeCount} freezes (${v.totalFreezesDuration.toFixed(2)} s), video lost ${v.packetsLost} / nacks ${v.nackCount}; audio ${au.packetsReceived} pkts, lost ${au.packetsLost}, concealed ${(100 * audioConcealed).toFixed(2)}%; bottleneck dropped ${q1.dropped - q0.dropped} of ${q1.sent - q0.sent + q1.dropped - q0.dropped}; server sends ${Math.round((await sendBps()) / 1000)} kbps`);
      console.log(`[link] timeline: ${trace.join(' | ')}`);
      // Which layer it settles on is the worker's estimate's call (GoogCC on a 150 ms queue now and then
      // believes in twice the link for a few seconds, and the top layer at a thinned rate then fits);
      // what must hold is that the picture keeps moving and audio is untouched.
      // Not frozen; the frame rate may be thinned (the worker drops temporal layers before spatial ones).
      expect(v.framesDecoded / WINDOW_S, 'video keeps decoding (fps)').toBeGreaterThan(3);
      // A probe for the higher layer on this tight link can cost a stall (0.5-1.6 s measured here,
      // 3.5 s once in CI): frozen for a quarter of the window or more fails.
      expect(v.totalFreezesDuration, 'frozen for under a quarter of the window').toBeLessThan(WINDOW_S / 4);
      expect(au.packetsReceived, 'audio keeps flowing (50 packets/s)').toBeGreaterThan(WINDOW_S * 45);
      expect(audioConcealed, 'audio wins under congestion: almost nothing concealed').toBeLessThan(0.02);
      expectColour((await probe(bob)).colour, [224, 0, 0], 'the lower layer shows alice');

      // The link recovers: the estimate grows and bob climbs back to the top layer, first at a
      // thinned frame rate (the worker's allocator raises spatial layers before temporal ones),
      // then at full rate.
      shaper.change({ rateKbps: 100_000, queueMs: 150 });
      const back = await widthBecomes(bob, 'link recovered: bob climbs back to the top layer', (w) => w >= 1280, 60_000);
      console.log(`[link] recovered -> ${back.width}px in ${back.ms} ms (estimate ${peer.layers.availableBitrate} bps)`);
      const start = Date.now();
      const fps = await waitFor('top layer at >= 10 fps', async () => {
        const f0 = (await inbound(bob)).video!;
        await new Promise((r) => setTimeout(r, 2000));
        const f1 = (await inbound(bob)).video!;
        const rate = (f1.framesDecoded - f0.framesDecoded) / 2;
        return f1.frameWidth >= 1280 && rate >= 10 ? rate : undefined;
      }, 60_000, 0);
      console.log(`[link] top layer at ${fps} fps ${Date.now() - start + back.ms} ms after recovery (estimate ${peer.layers.availableBitrate} bps)`);
    } finally {
      shaper.close();
    }
  }, 240_000);
});
