import { describe, expect, it } from 'vitest';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { createChimeMeeting, openChimePage, type ChimePage } from './support/chimePage.js';
import { events, joinStarted as join, named, remoteTiles } from './support/chimeSession.js';

// The MeetingSession behaviours the README states but its snippets do not show: callback order,
// the server's video limit, new tiles on restart, reconnecting, giving up, leaving on unload.

describe('meeting session lifecycle and tiles', () => {
  const env = useServerAndBrowser({ limits: { maxVideoTiles: 1 } });

  it('connecting -> start in order; the video limit drives videoAvailabilityDidChange and videoSendDidBecomeUnavailable; a restarted camera is a new tile', async () => {
    const meeting = await createChimeMeeting(env.server, 'limits');
    const a = await join(env, meeting, 'alice', { colour: '#e00000', frequency: 440 });
    const b = await join(env, meeting, 'bob', { colour: '#00c000', frequency: 660 });
    const order = (await events(a)).map((e) => e.name).filter((n) => n.startsWith('audioVideoDid'));
    expect(order.slice(0, 2)).toEqual(['audioVideoDidStartConnecting', 'audioVideoDidStart']);
    expect((await named(a, 'audioVideoDidStartConnecting'))[0]!.args).toEqual([false]);
    expect((await named(b, 'videoAvailabilityDidChange')).at(-1)!.args[0].canStartLocalVideo).toBe(true);

    // alice takes the meeting's only camera slot: bob is told he can no longer start video.
    await a.eval(`t.session.audioVideo.startLocalVideoTile()`);
    await waitFor('bob sees no free video slot', async () => {
      const last = (await named(b, 'videoAvailabilityDidChange')).at(-1);
      return last?.args[0].canStartLocalVideo === false && last.args[0].remoteVideoAvailable === true ? true : undefined;
    }, 10_000);
    expect((await named(a, 'videoAvailabilityDidChange')).at(-1)!.args[0].canStartLocalVideo, 'alice already sends, so she can').toBe(true);
    const first = await waitFor('bob gets alice\'s tile', async () => (await remoteTiles(b)).find((t) => t.boundAttendeeId === a.attendeeId && t.active), 10_000);

    // bob tries anyway: the server refuses, the SDK says so and his local tile is not active.
    await b.eval(`t.session.audioVideo.startLocalVideoTile()`);
    await waitFor('bob hears videoSendDidBecomeUnavailable', async () => ((await named(b, 'videoSendDidBecomeUnavailable')).length ? true : undefined), 10_000);
    expect(await b.eval(`t.session.audioVideo.getLocalVideoTile().active`)).toBe(false);
    expect(await b.eval(`t.session.audioVideo.hasStartedLocalVideoTile()`)).toBe(false);

    // alice stops: the tile goes away for bob and the slot frees up.
    await a.eval(`t.session.audioVideo.stopLocalVideoTile()`);
    await waitFor('bob sees alice\'s tile removed', async () => ((await named(b, 'videoTileWasRemoved')).some((e) => e.args[0] === first.tileId) ? true : undefined), 10_000);
    await waitFor('bob may start video again', async () => ((await named(b, 'videoAvailabilityDidChange')).at(-1)?.args[0].canStartLocalVideo === true ? true : undefined), 10_000);

    // alice restarts: a new tile id, with her video.
    await a.eval(`t.session.audioVideo.startLocalVideoTile()`);
    const second = await waitFor('bob gets a new tile for alice', async () => (await remoteTiles(b)).find((t) => t.boundAttendeeId === a.attendeeId && t.active), 10_000);
    expect(second.tileId).not.toBe(first.tileId);
    await b.page.evaluate((id) => (window as any).t.session.audioVideo.bindVideoElement(id, (window as any).t.video('alice')), second.tileId);
    const colour = await waitFor('bob decodes alice', async () => {
      const c = await b.eval<{ r: number; g: number; b: number; width: number } | null>(`t.colourOf('alice')`);
      return c && c.width > 0 && c.r > 150 ? c : undefined;
    }, 15_000);
    expectColour(colour, [224, 0, 0], 'bob sees alice');
  });
});

describe('reconnecting', () => {
  const env = useServerAndBrowser();

  it('a dropped connection reconnects: connecting(true) then start, tiles and mute state restored, media flows again', async () => {
    const meeting = await createChimeMeeting(env.server, 'reconnect');
    const a = await join(env, meeting, 'alice', { colour: '#e00000', frequency: 440 });
    const b = await join(env, meeting, 'bob', { colour: '#00c000', frequency: 660 });
    await a.eval(`t.session.audioVideo.startLocalVideoTile()`);
    await b.eval(`t.session.audioVideo.startLocalVideoTile()`);
    await a.eval(`t.session.audioVideo.realtimeMuteLocalAudio()`);
    const before = await waitFor('alice has bob\'s tile', async () => (await remoteTiles(a)).find((t) => t.boundAttendeeId === b.attendeeId && t.active), 15_000);
    await a.page.evaluate((id) => (window as any).t.session.audioVideo.bindVideoElement(id, (window as any).t.video('bob')), before.tileId);
    await waitFor('bob sees alice muted', async () => ((await b.eval<any>(`t.volumeState('${a.attendeeId}')`)).muted === true ? true : undefined), 10_000);

    // The signaling connection drops under alice.
    const t0 = Date.now();
    await a.eval(`t.sockets.filter((s) => s.readyState === 1).forEach((s) => s.close())`);
    await waitFor('alice is reconnecting', async () => ((await named(a, 'audioVideoDidStartConnecting')).some((e) => e.args[0] === true) ? true : undefined), 10_000);
    await waitFor('alice started again', async () => ((await named(a, 'audioVideoDidStart')).length === 2 ? true : undefined), 20_000);
    console.log(`[reconnect] signaling drop to audioVideoDidStart: ${Date.now() - t0} ms`);
    expect((await named(a, 'audioVideoDidStop')).length).toBe(0);
    expect((await named(a, 'videoTileWasRemoved')).length, 'no tile of alice went away').toBe(0);

    // Same tile for bob, bound to the same element, showing bob again; alice is still muted.
    const colour = await waitFor('alice decodes bob again in the same tile', async () => {
      const tile = (await remoteTiles(a)).find((t) => t.boundAttendeeId === b.attendeeId);
      const c = await a.eval<{ r: number; g: number; b: number; width: number } | null>(`t.colourOf('bob')`);
      return tile?.tileId === before.tileId && tile.active && c && c.width > 0 && c.g > 150 ? c : undefined;
    }, 20_000);
    expectColour(colour, [0, 192, 0], 'alice sees bob after reconnecting');
    expect(await a.eval(`t.session.audioVideo.realtimeIsLocalAudioMuted()`)).toBe(true);
    await waitFor('bob still sees alice muted, and her camera again', async () => {
      const v = await b.eval<any>(`t.volumeState('${a.attendeeId}')`);
      const tile = (await remoteTiles(b)).find((t) => t.boundAttendeeId === a.attendeeId && t.active);
      return v.muted === true && tile ? true : undefined;
    }, 20_000);
    // alice hears bob's tone again through her audio element.
    await waitFor('alice hears bob again', async () => {
      const o = await a.eval<{ tones: Array<{ frequency: number; dB: number }> }>('t.audioOut()');
      return o.tones.some((t) => Math.abs(t.frequency - 660) < 25 && t.dB > -70) ? true : undefined;
    }, 15_000);
  });

  it('gives up after reconnectTimeoutMs when the server stays away, with a failure status', async () => {
    const { startTestServer } = await import('./support/testServer.js');
    const server = await startTestServer();
    try {
      const meeting = await createChimeMeeting(server, 'give-up');
      const a = await join({ server, browser: env.browser }, meeting, 'alice', { frequency: 440 }, `t.session.configuration.reconnectTimeoutMs = 3000`);
      // The server vanishes (a crash or a network cut, not a shutdown that ends sessions): the
      // connection drops and nothing answers any more.
      await a.eval(`window.signalingUnreachable = true; t.sockets.filter((s) => s.readyState === 1).forEach((s) => s.close())`);
      const stop = await waitFor('alice gives up', async () => (await named(a, 'audioVideoDidStop'))[0], 20_000);
      const connecting = (await named(a, 'audioVideoDidStartConnecting')).find((e) => e.args[0] === true)!;
      expect(connecting).toBeDefined();
      expect(stop.t - connecting.t).toBeGreaterThanOrEqual(2500);
      expect(stop.t - connecting.t).toBeLessThan(10_000);
      const code = stop.args[0].statusCode;
      expect(await a.page.evaluate((c) => new (window as any).t.sdk.MeetingSessionStatus(c).isFailure(), code)).toBe(true);
    } finally {
      await server.close().catch(() => undefined);
    }
  });

  it('closing the page leaves the meeting: the others see the attendee leave at once, not dropped', async () => {
    const meeting = await createChimeMeeting(env.server, 'unload');
    const a = await join(env, meeting, 'alice', { frequency: 440 });
    const b = await join(env, meeting, 'bob', { frequency: 660 });
    await b.eval(`t.presence = []; t.session.audioVideo.realtimeSubscribeToAttendeeIdPresence((id, present, ext, dropped) => t.presence.push({ id, present, dropped }))`);
    const t0 = Date.now();
    await a.page.close({ runBeforeUnload: true });
    const left = await waitFor('bob sees alice leave', async () => (await b.eval<any[]>('t.presence')).find((e) => e.id === a.attendeeId && !e.present), 5_000);
    expect(left.dropped).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
