import { describe, expect, it } from 'vitest';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { createChimeMeeting, openChimePage, type ChimePage } from './support/chimePage.js';

// The layer policy on received media: a subscriber gets the simulcast layer that fits the size it
// shows a tile at, and the layer its bandwidth allows, without the video freezing.

interface Recorded { name: string; args: any[] }
const named = async (p: ChimePage, name: string) => (await p.eval<Recorded[]>('t.events')).filter((e) => e.name === name);

async function join(env: Parameters<typeof openChimePage>[0], meeting: unknown, name: string, media: { colour?: string; frequency: number; width?: number; height?: number }): Promise<ChimePage> {
  const p = await openChimePage(env, meeting, name);
  await p.eval(`t.record()`);
  await p.page.evaluate((m) => (window as any).t.chooseSynthetic(m), media);
  await p.eval(`t.session.audioVideo.bindAudioElement(document.getElementById('audio')); t.session.audioVideo.start()`);
  await waitFor(`${name} started`, async () => ((await named(p, 'audioVideoDidStart')).length ? true : undefined), 15_000);
  return p;
}

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

describe('simulcast layer policy', () => {
  const env = useServerAndBrowser();

  it('forwards the layer that fits the tile size, and follows a bandwidth cap without freezing', async () => {
    const meeting = await createChimeMeeting(env.server, 'layers');
    const alice = await join(env, meeting, 'alice', { colour: '#e00000', frequency: 440, width: 1280, height: 720 });
    const bob = await join(env, meeting, 'bob', { frequency: 660 });
    await alice.eval(`t.session.audioVideo.startLocalVideoTile()`);
    const tile = await waitFor('bob gets alice\'s tile', async () => {
      const tiles = await bob.eval<Array<{ tileId: number; boundAttendeeId: string; active: boolean }>>(
        `t.session.audioVideo.getAllRemoteVideoTiles().map((s) => ({ tileId: s.tileId, boundAttendeeId: s.boundAttendeeId, active: s.active }))`,
      );
      return tiles.find((t) => t.boundAttendeeId === alice.attendeeId && t.active);
    }, 15_000);

    // A big tile first: alice's encoder ramps up to all three layers and bob gets the top one.
    await bob.page.evaluate((tileId) => {
      const v = document.createElement('video');
      v.id = 'layer-tile';
      v.style.display = 'block';
      v.style.width = '1280px';
      v.style.height = '720px';
      document.body.append(v);
      (window as any).t.session.audioVideo.bindVideoElement(tileId, v);
    }, tile.tileId);
    const top = await widthBecomes(bob, 'bob decodes the top layer (1280 wide)', (w) => w >= 1280, 40_000);
    console.log(`[layers] top layer ${top.width}px after ${top.ms} ms`);

    // Shown at 160x90: the server switches to the lowest layer (320x180).
    await resize(bob, 160, 90);
    const low = await widthBecomes(bob, 'bob decodes the low layer (<= 320 wide)', (w) => w > 0 && w <= 320);
    console.log(`[layers] 160x90 tile -> ${low.width}px in ${low.ms} ms`);
    expectColour((await probe(bob)).colour, [224, 0, 0], 'low layer shows alice');

    // Back to 1280x720: it climbs again.
    await resize(bob, 1280, 720);
    const back = await widthBecomes(bob, 'bob decodes >= 640 wide again', (w) => w >= 640);
    console.log(`[layers] 1280x720 tile -> ${back.width}px in ${back.ms} ms`);

    // A bandwidth cap on bob's downlink: the layer drops (the big tile still wants the top one)
    // and frames keep decoding. Lifted, it stays on a decoding layer (>= 640); climbing back to
    // the top after a cap is not asserted: the sampled estimate stays app-limited (see layerPolicy.ts).
    const room = env.server.rooms.get((meeting as any).Meeting.MeetingId)!;
    const peer = room.member(bob.attendeeId)!.peer;
    await widthBecomes(bob, 'bob back on the top layer', (w) => w >= 1280, 30_000);
    await peer.setMaxReceiveBitrate(120_000);
    const capped = await widthBecomes(bob, 'capped: bob drops to a lower layer', (w) => w > 0 && w < 1280, 30_000);
    console.log(`[layers] 120 kbps cap -> ${capped.width}px in ${capped.ms} ms (estimate ${peer.layers.availableBitrate} bps)`);
    const f0 = (await probe(bob)).frames;
    await new Promise((r) => setTimeout(r, 3000));
    const f1 = (await probe(bob)).frames;
    console.log(`[layers] capped: ${f1 - f0} frames decoded in 3 s at ${(await probe(bob)).width}px`);
    expect(f1 - f0, 'frames keep coming under the cap').toBeGreaterThan(15);
    expectColour((await probe(bob)).colour, [224, 0, 0], 'capped video shows alice');

    await peer.setMaxReceiveBitrate(0);
    const lifted = await widthBecomes(bob, 'cap lifted: bob decodes >= 640', (w) => w >= 640, 40_000);
    console.log(`[layers] cap lifted -> ${lifted.width}px in ${lifted.ms} ms (estimate ${peer.layers.availableBitrate} bps)`);
  }, 180_000);
});
