import { describe, expect, it } from 'vitest';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { createChimeMeeting } from './support/chimePage.js';
import { joinStarted, named, remoteTiles } from './support/chimeSession.js';

/**
 * The mediasoup worker carrying a meeting is SIGKILLed: the pool replaces it on the same port,
 * the room's members are disconnected without their sessions ending, and the Chime face
 * reconnects by itself onto a new room on the new worker, keeping its tiles and mute state.
 */
describe('a media worker that dies', () => {
  const env = useServerAndBrowser();

  it('is replaced, and Chime-face members reconnect and decode each other again (time from the kill measured)', async () => {
    const meeting = await createChimeMeeting(env.server, 'worker-restart');
    const a = await joinStarted(env, meeting, 'alice', { colour: '#e00000', frequency: 440 });
    const b = await joinStarted(env, meeting, 'bob', { colour: '#00c000', frequency: 660 });
    await a.eval(`t.session.audioVideo.startLocalVideoTile()`);
    await b.eval(`t.session.audioVideo.startLocalVideoTile()`);
    await b.eval(`t.session.audioVideo.realtimeMuteLocalAudio()`);
    const tile = await waitFor('alice has bob\'s tile', async () => (await remoteTiles(a)).find((t) => t.boundAttendeeId === b.attendeeId && t.active), 15_000);
    await a.page.evaluate((id) => (window as any).t.session.audioVideo.bindVideoElement(id, (window as any).t.video('bob')), tile.tileId);
    const frames = () => a.eval<number>(`document.getElementById('bob').getVideoPlaybackQuality().totalVideoFrames`);
    const decoding = async () => {
      const f0 = await frames();
      await new Promise((r) => setTimeout(r, 300));
      const c = await a.eval<{ r: number; g: number; b: number; width: number } | null>(`t.colourOf('bob')`);
      return (await frames()) > f0 && c && c.width > 0 && c.g > 150 ? c : undefined;
    };
    await waitFor('alice decodes bob', decoding, 15_000);

    const [pid] = env.server.pool.workerPids as [number];
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor('alice reconnects', async () => ((await named(a, 'audioVideoDidStartConnecting')).some((e) => e.args[0] === true) ? true : undefined), 10_000);
    const colour = await waitFor('alice decodes bob again', async () => {
      const now = (await remoteTiles(a)).find((t) => t.boundAttendeeId === b.attendeeId);
      return now?.active ? decoding() : undefined;
    }, 30_000, 100).catch(async (err: unknown) => {
      console.log('[worker restart] alice events', JSON.stringify((await a.eval<unknown[]>('t.events')).slice(-12)), 'tiles', JSON.stringify(await remoteTiles(a)), 'logs', (await a.logs()).slice(-15));
      throw err;
    });
    const ms = Date.now() - t0;
    console.log(`[worker restart] SIGKILL to alice decoding bob again: ${ms} ms (new worker ${env.server.pool.workerPids.join(',')}, was ${pid})`);
    expectColour(colour, [0, 192, 0], 'alice sees bob after the worker restart');
    expect(env.server.pool.workerPids).toHaveLength(1);
    expect(env.server.pool.workerPids).not.toContain(pid);
    // The sessions never ended; bob is still muted (his own state came back with him).
    expect((await named(a, 'audioVideoDidStop')).length).toBe(0);
    expect((await named(b, 'audioVideoDidStop')).length).toBe(0);
    expect(await b.eval(`t.session.audioVideo.realtimeIsLocalAudioMuted()`)).toBe(true);
    await waitFor('alice sees bob muted again', async () => ((await a.eval<any>(`t.volumeState('${b.attendeeId}')`)).muted === true ? true : undefined), 10_000);
    expect(ms, 'back within the reconnect target').toBeLessThan(10_000);
  });
});
