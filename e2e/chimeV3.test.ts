import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api } from './support/testServer.js';
import { createChimeMeeting } from './support/chimePage.js';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';

// A small app written for amazon-chime-sdk-js 3.x (e2e/pages/chime/v3app.js: startAudioInput,
// startVideoInput, startLocalVideoTile, bindVideoElement from videoTileDidUpdate, a roster from
// realtimeSubscribeToAttendeeIdPresence) run by three Chromium pages against a live server, with
// only its import changed. Each sends its own colour and tone; each checks what it receives.
interface Party { name: string; colour: string; rgb: [number, number, number]; frequency: number; page?: Page; attendeeId?: string }
const parties: Party[] = [
  { name: 'alice', colour: '#e00000', rgb: [224, 0, 0], frequency: 440 },
  { name: 'bob', colour: '#00c000', rgb: [0, 192, 0], frequency: 660 },
  { name: 'carol', colour: '#0000e0', rgb: [0, 0, 224], frequency: 990 },
];
const [alice, bob, carol] = parties as [Party, Party, Party];

interface Tile { tileId: number; attendeeId: string; local: boolean; active: boolean | null; boundHere: boolean; colour: { r: number; g: number; b: number; width: number; height: number } | null; frames: number; transform: string }
interface Tone { frequency: number; dB: number }

const tiles = (p: Party) => p.page!.evaluate(() => (window as any).t.tiles() as Tile[]);
const tones = (p: Party) => p.page!.evaluate(() => (window as any).t.audioOut() as { playing: boolean; tones: Tone[] });
const roster = (p: Party) => p.page!.evaluate(() => (window as any).t.roster() as { text: string; entries: Array<{ id: string; name: string; muted: boolean | null }> });
const app = <T>(p: Party, fn: string) => p.page!.evaluate(`(async () => { const app = window.t.app; return ${fn}; })()`) as Promise<T>;
const hears = (out: { tones: Tone[] }, f: number) => out.tones.some((t) => Math.abs(t.frequency - f) < 25 && t.dB > -70);

/** The tile showing `attendee`'s camera on `p`, once it decodes frames of a bright colour. */
async function decodingTile(p: Party, attendee: Party, what: string): Promise<Tile> {
  return waitFor(what, async () => {
    const tile = (await tiles(p)).find((t) => t.attendeeId === attendee.attendeeId && t.active && t.colour && t.frames > 0);
    return tile && Math.max(tile.colour!.r, tile.colour!.g, tile.colour!.b) > 100 ? tile : undefined;
  }, 30_000);
}

describe('a Chime SDK 3.x app runs against Parley with only its import changed', () => {
  const env = useServerAndBrowser();
  let meetingId: string;

  it('three pages join (startAudioInput, startVideoInput, bindAudioElement, start, startLocalVideoTile)', async () => {
    const meeting = await createChimeMeeting(env.server, 'chime-v3');
    meetingId = meeting.Meeting.MeetingId;
    for (const p of parties) {
      const attendee = await api<any>(env.server, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: p.name });
      expect(attendee.status).toBeLessThan(300);
      p.page = await (await env.browser.newContext()).newPage();
      p.page.on('pageerror', (err) => console.error(`[${p.name}] page error`, err));
      await p.page.goto(`${env.server.url}/e2e/chime/v3app.html`);
      await p.page.waitForFunction(() => (window as any).ready === true);
      p.attendeeId = await p.page.evaluate(([m, a, media]) => (window as any).t.join(m, a, media), [meeting, attendee.body, { colour: p.colour, frequency: p.frequency }] as const);
      expect(p.attendeeId).toBe(attendee.body.Attendee.AttendeeId);
    }
  });

  it('each shows its own local tile (mirrored) and the other two remote tiles, decoding frames of the right colour', async () => {
    for (const p of parties) {
      const own = await decodingTile(p, p, `${p.name} shows its own camera`);
      expect(own.local).toBe(true);
      expect(own.transform).toBe('rotateY(180deg)');
      expect(own.boundHere).toBe(true);
      expectColour(own.colour, p.rgb, `${p.name}'s local tile`);
      for (const o of parties.filter((x) => x !== p)) {
        const first = await decodingTile(p, o, `${p.name} decodes ${o.name}'s video`);
        expect(first.local).toBe(false);
        expect(first.transform).toBe('');
        expect(first.boundHere).toBe(true);
        expectColour(first.colour, o.rgb, `${p.name} sees ${o.name}`);
        // Frames keep decoding (a layer switch in the first seconds may hold them briefly for a keyframe).
        const start = await waitFor(`${p.name} keeps decoding ${o.name}`, async () => {
          const t = (await tiles(p)).find((x) => x.tileId === first.tileId);
          return t && t.frames - first.frames > 5 ? t : undefined;
        }, 10_000);
        const t0 = Date.now();
        await new Promise((r) => setTimeout(r, 2000));
        const later = (await tiles(p)).find((t) => t.tileId === first.tileId)!;
        const fps = ((later.frames - start.frames) * 1000) / (Date.now() - t0);
        expectColour(later.colour, o.rgb, `${p.name} still sees ${o.name}`);
        console.log(`[chimeV3] ${p.name} <- ${o.name}: rgb(${later.colour!.r},${later.colour!.g},${later.colour!.b}) ${later.colour!.width}x${later.colour!.height}, ${fps.toFixed(1)} frames/s decoded`);
      }
      expect((await tiles(p)).filter((t) => !t.local)).toHaveLength(2);
    }
  });

  it('the roster names everyone (from the presence callback\'s externalUserId) and each hears the other two tones', async () => {
    for (const p of parties) {
      const r = await waitFor(`${p.name}'s roster has all three`, async () => {
        const got = await roster(p);
        return got.entries.length === 3 ? got : undefined;
      }, 10_000);
      expect(r.text).toBe('alice, bob, carol');
      expect(Object.fromEntries(r.entries.map((e) => [e.id, e.name]))).toEqual(Object.fromEntries(parties.map((x) => [x.attendeeId, x.name])));
      const out = await waitFor(`${p.name} hears both others`, async () => {
        const o = await tones(p);
        return o.playing && parties.filter((x) => x !== p).every((x) => hears(o, x.frequency)) ? o : undefined;
      }, 20_000);
      expect(out.tones).toHaveLength(2);
      // metricsDidReceive hands over a ClientMetricReport with Chime's getObservableMetrics().
      const metrics = await waitFor(`${p.name} gets metrics`, async () => {
        const m = await app<Record<string, number> | undefined>(p, 'app.metrics');
        return m && m.videoUpstreamBitrate! > 0 ? m : undefined;
      }, 10_000);
      expect(metrics.videoPacketSentPerSecond).toBeGreaterThan(0);
      expect(await app<number>(p, 'app.statsEntries')).toBeGreaterThan(0);
      console.log(`[chimeV3] ${p.name} metrics: ${JSON.stringify(metrics)}`);
    }
  });

  it('mute: the others see bob muted in the roster and stop hearing his tone; unmute brings it back', async () => {
    const t0 = Date.now();
    await app(bob, 'app.mute()');
    expect(await app<boolean>(bob, 'app.meetingSession.audioVideo.realtimeIsLocalAudioMuted()')).toBe(true);
    await Promise.all([alice, carol].map(async (p) => {
      let shown = 0;
      await waitFor(`${p.name} sees bob muted and no longer hears him`, async () => {
        const r = await roster(p);
        const o = await tones(p);
        if (!shown && r.text.includes('bob (muted)')) shown = Date.now() - t0;
        return r.text.includes('bob (muted)') && !hears(o, bob.frequency) && hears(o, p === alice ? carol.frequency : alice.frequency) ? true : undefined;
      }, 15_000);
      console.log(`[chimeV3] ${p.name}: bob shown muted after ${shown} ms, his tone below -70 dB after ${Date.now() - t0} ms`);
    }));
    const t1 = Date.now();
    expect(await app<boolean>(bob, 'app.unmute()')).toBe(true);
    await Promise.all([alice, carol].map(async (p) => {
      await waitFor(`${p.name} hears bob again`, async () => {
        const r = await roster(p);
        return !r.text.includes('(muted)') && hears(await tones(p), bob.frequency) ? true : undefined;
      }, 15_000);
      console.log(`[chimeV3] ${p.name}: bob unmuted and heard after ${Date.now() - t1} ms`);
    }));
  });

  it('camera off (stopLocalVideoTile + stopVideoInput) removes carol\'s tile for the others; camera on gives them a new tile in blue', async () => {
    const before = new Map<Party, number>();
    for (const p of [alice, bob]) before.set(p, (await decodingTile(p, carol, `${p.name} has carol's tile`)).tileId);
    await app(carol, 'app.cameraOff()');
    expect(await app<boolean>(carol, 'app.meetingSession.audioVideo.hasStartedLocalVideoTile()')).toBe(false);
    expect(await app<boolean>(carol, 'app.meetingSession.audioVideo.getLocalVideoTile().state().active')).toBe(false);
    expect(await carol.page!.evaluate(() => (window as any).t.cameraTrackState()), 'stopVideoInput stops the track it was given (as Chime)').toBe('ended');
    for (const p of [alice, bob]) {
      await waitFor(`${p.name} loses carol's tile`, async () => ((await tiles(p)).some((t) => t.attendeeId === carol.attendeeId) ? undefined : true), 15_000);
      const log = await app<Array<{ tileId: number; removed?: boolean }>>(p, 'app.tileLog');
      expect(log.some((e) => e.tileId === before.get(p) && e.removed)).toBe(true);
    }
    await carol.page!.evaluate(() => (window as any).t.cameraOn());
    for (const p of [alice, bob]) {
      const again = await decodingTile(p, carol, `${p.name} gets carol's video back`);
      expect(again.tileId, 'a restarted video is a new tile').not.toBe(before.get(p));
      expectColour(again.colour, carol.rgb, `${p.name} sees carol again`);
    }
    expectColour((await decodingTile(carol, carol, 'carol shows her camera again')).colour, carol.rgb, 'carol\'s local tile');
  });

  it('binding an element another tile holds (Chime 3.x): that tile gets no update and keeps it, the element shows the new tile', async () => {
    // bob binds carol's tile to the element alice's tile holds. The app's videoTileDidUpdate then
    // binds carol back to her own element, as a Chime app does; alice's tile must hear nothing.
    const result = await bob.page!.evaluate(([aliceId, carolId]) => {
      const { app } = (window as any).t;
      const av = app.meetingSession.audioVideo;
      const tileOf = (id: string) => av.getAllRemoteVideoTiles().find((t: any) => t.state().boundAttendeeId === id);
      const aliceTile = tileOf(aliceId);
      const carolTile = tileOf(carolId);
      const aliceElement = app.tileElements.get(aliceTile.id());
      const mark = app.tileLog.length;
      av.bindVideoElement(carolTile.id(), aliceElement);
      const updates: number[] = app.tileLog.slice(mark).map((e: any) => e.tileId);
      const aliceKeeps = aliceTile.state().boundVideoElement === aliceElement;
      const showsCarol = aliceElement.srcObject === carolTile.state().boundVideoStream;
      // Give alice's tile its element back: unbinding sends an update, and the app binds it again.
      av.unbindVideoElement(aliceTile.id(), false);
      return { updates, aliceTileId: aliceTile.id(), carolTileId: carolTile.id(), aliceKeeps, showsCarol };
    }, [alice.attendeeId!, carol.attendeeId!] as const);
    expect(result.updates.length).toBeGreaterThan(0);
    expect(result.updates.every((id) => id === result.carolTileId), `only carol's tile is updated: ${JSON.stringify(result)}`).toBe(true);
    expect(result.aliceKeeps, 'alice\'s tile keeps its element').toBe(true);
    expect(result.showsCarol, 'the element shows the tile bound last').toBe(true);
    expectColour((await decodingTile(bob, alice, 'bob shows alice in her element again')).colour, alice.rgb, 'bob sees alice after rebinding');
    expectColour((await decodingTile(bob, carol, 'bob shows carol in her element')).colour, carol.rgb, 'bob sees carol after rebinding');
  });

  it('data messages: realtimeSendDataMessage reaches the others\' topic subscribers with Chime\'s fields, not the sender; over ~100/s they come back throttled', async () => {
    for (const p of [alice, bob, carol]) {
      await app(p, `(() => { window.__dm = []; for (const topic of ['chat', 'burst']) app.meetingSession.audioVideo.realtimeSubscribeToReceiveDataMessage(topic, (m) => window.__dm.push({ topic: m.topic, sender: m.senderAttendeeId, ext: m.senderExternalUserId, ts: m.timestampMs, throttled: m.throttled, text: m.text(), at: Date.now() })); })()`);
    }
    await app(alice, `(() => { const av = app.meetingSession.audioVideo;
      av.realtimeSendDataMessage('chat', 'hello');
      av.realtimeSendDataMessage('chat', { n: 2, sentAt: Date.now() });
      av.realtimeSendDataMessage('chat', new TextEncoder().encode('bytes')); })()`);
    type Got = { topic: string; sender: string; ext: string; ts: number; throttled: boolean; text: string; at: number };
    const received = (p: Party) => app<Got[]>(p, 'window.__dm');
    for (const p of [bob, carol]) {
      const got = await waitFor(`${p.name} gets alice's three messages`, async () => ((await received(p)).length >= 3 ? received(p) : undefined), 5000);
      expect(got.map((m) => m.text)).toEqual(['hello', expect.stringMatching(/^\{"n":2,"sentAt":\d+\}$/), 'bytes']);
      expect(got.every((m) => m.sender === alice.attendeeId && m.ext === 'alice' && m.topic === 'chat' && !m.throttled && m.ts > 0)).toBe(true);
    }
    expect(await received(alice), 'the sender does not get its own').toEqual([]);

    // Latency, sender's clock to receiver's callback (same machine).
    await app(alice, `(async () => { for (let i = 0; i < 20; i++) { app.meetingSession.audioVideo.realtimeSendDataMessage('chat', JSON.stringify({ i, sentAt: Date.now() })); await new Promise((r) => setTimeout(r, 20)); } })()`);
    const timed = await waitFor('bob gets the 20 timed messages', async () => {
      const got = (await received(bob)).filter((m) => m.text.startsWith('{"i":'));
      return got.length >= 20 ? got : undefined;
    }, 5000);
    const lat = timed.map((m) => m.at - (JSON.parse(m.text) as { sentAt: number }).sentAt).sort((a, b) => a - b);
    console.log(`[chimeV3] data message latency sender -> receiver callback: p50 ${lat[10]} ms, max ${lat[19]} ms`);
    expect(lat[10]).toBeLessThan(100);

    // A burst over the rate: the server delivers about 100 and hands the rest back flagged throttled.
    await app(alice, `(() => { for (let i = 0; i < 300; i++) app.meetingSession.audioVideo.realtimeSendDataMessage('burst', String(i)); })()`);
    const back = await waitFor('alice gets throttled messages back', async () => {
      const got = (await received(alice)).filter((m) => m.topic === 'burst');
      return got.length >= 150 ? got : undefined;
    }, 5000);
    expect(back.every((m) => m.throttled && m.sender === alice.attendeeId)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const delivered = (await received(bob)).filter((m) => m.topic === 'burst');
    console.log(`[chimeV3] burst of 300: ${delivered.length} delivered, ${back.length} came back throttled`);
    expect(delivered.length + back.length).toBe(300);
    expect(delivered.length).toBeGreaterThanOrEqual(100);
    expect(delivered.length).toBeLessThan(150);

    // Chime's checks: not thrown, reported to the fatal-error subscribers.
    const errors = await app<string[]>(alice, `(() => { const errs = []; const av = app.meetingSession.audioVideo;
      av.realtimeSubscribeToFatalError((e) => errs.push(e.message));
      av.realtimeSendDataMessage('no spaces allowed', 'x'); av.realtimeSendDataMessage('chat', 'x'.repeat(2049));
      return errs; })()`);
    expect(errors).toEqual(['Invalid topic', 'Data size has to be less than 2048 bytes']);
    // The app's own fatal-error log got them too; they were ours.
    expect(await app<string[]>(alice, 'app.fatalErrors.splice(0).map((e) => e.message ?? String(e))')).toEqual(errors);
  });

  it('reports the simulcast layer the 320x180 tiles decode (640x360 cameras: the server picks it, this test only records it)', async () => {
    const above = await waitFor('bob decodes carol above the bottom layer', async () => {
      const t = (await tiles(bob)).find((x) => x.attendeeId === carol.attendeeId && x.colour);
      return t && t.colour!.width > 160 ? t.colour : undefined;
    }, 15_000).catch(() => null);
    const now = (await tiles(bob)).find((x) => x.attendeeId === carol.attendeeId)?.colour;
    console.log(`[chimeV3] bob decodes carol at ${now?.width}x${now?.height}${above ? '' : ' (no layer above 160 px wide within 15 s)'}`);
    expect(now?.width).toBeGreaterThan(0);
  });

  it('leave: alice stops with Left and is told nobody left; the others see her leave (not dropped) and her tile go', async () => {
    const presenceBefore = (await app<unknown[]>(alice, 'app.presenceLog')).length;
    await app(alice, 'app.leave()');
    await waitFor('alice stops', async () => ((await app<number | null>(alice, 'app.stopStatus')) === 1 ? true : undefined), 10_000);
    const after = await app<Array<{ present: boolean }>>(alice, 'app.presenceLog');
    expect(after.slice(presenceBefore), 'stop() reports no presence changes (as Chime)').toEqual([]);
    expect(await app<unknown[]>(alice, 'app.fatalErrors')).toEqual([]);
    expect(await tiles(alice)).toEqual([]);
    for (const p of [bob, carol]) {
      const gone = await waitFor(`${p.name} sees alice leave`, async () => {
        const log = await app<Array<{ attendeeId: string; present: boolean; externalUserId: string; dropped: boolean }>>(p, 'app.presenceLog');
        return log.find((e) => e.attendeeId === alice.attendeeId && !e.present);
      }, 10_000);
      expect(gone).toMatchObject({ externalUserId: 'alice', dropped: false });
      expect((await roster(p)).text).toBe('bob, carol');
      await waitFor(`${p.name} drops alice's tile`, async () => ((await tiles(p)).some((t) => t.attendeeId === alice.attendeeId) ? undefined : true), 10_000);
      // Those still here keep receiving each other.
      const other = p === bob ? carol : bob;
      expectColour((await decodingTile(p, other, `${p.name} still sees ${other.name}`)).colour, other.rgb, `${p.name} still sees ${other.name}`);
      await waitFor(`${p.name} hears ${other.name}, not alice`, async () => {
        const o = await tones(p);
        return hears(o, other.frequency) && !hears(o, alice.frequency) ? true : undefined;
      }, 10_000);
    }
  });
});
