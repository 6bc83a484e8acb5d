import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Video } from '@parley/server-sdk';
import { openChimePage, type ChimePage } from './support/chimePage.js';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { audioFrom, call, joinRoomFromBrowser, pageEvents, restClient, videoClient } from './support/rooms.js';
import { api } from './support/testServer.js';

const YELLOW: [number, number, number] = [224, 224, 0];
const MAGENTA: [number, number, number] = [224, 0, 224];
const TONE = 523;
const run = promisify(execFile);

/** A 12 s clip: yellow for 6 s then magenta, a 523 Hz tone throughout (VP8/Opus WebM). */
async function makeClip(dir: string): Promise<string> {
  const file = join(dir, 'clip.webm');
  await run('ffmpeg', ['-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=0xe0e000:s=640x360:r=30:d=6', '-f', 'lavfi', '-i', 'color=c=0xe000e0:s=640x360:r=30:d=6',
    '-f', 'lavfi', '-i', `sine=f=${TONE}:r=48000:d=12`,
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', '-map', '2:a', '-c:v', 'libvpx', '-b:v', '800k', '-g', '30', '-c:a', 'libopus', file]);
  return file;
}

const cellColour = async (page: Page, id: string) => (await page.evaluate(() => (window as any).room.cellColours()))[id] as { r: number; g: number; b: number } | null;
const isColour = (c: { r: number; g: number; b: number } | null | undefined, want: [number, number, number]) => {
  if (!c) return false;
  const dot = c.r * want[0] + c.g * want[1] + c.b * want[2];
  return dot / (Math.hypot(c.r, c.g, c.b) * Math.hypot(...want) || 1) > 0.97 && Math.max(c.r, c.g, c.b) > 100;
};

/**
 * URL playback: a clip of known colour and tone played into the room reaches a Chime-face
 * member and a RoomSession member like a participant's media; seek, pause, volume and stop act
 * on what they receive.
 */
describe('room playback', () => {
  const env = useServerAndBrowser();
  const dir = mkdtempSync(join(tmpdir(), 'parley-playback-'));
  let clip: string;
  let video: Video.Client;
  let room: Video.RoomSession;
  let viewer: { page: Page; memberId: string };
  let chime: ChimePage;
  let playbackId: string;

  beforeAll(async () => {
    clip = await makeClip(dir);
  });

  it('every member, on both SDK faces, sees and hears the playback in its layout position', async () => {
    const created = await restClient(env.server).rooms.create({ name: 'cinema' });
    const meeting = (await api<any>(env.server, 'GET', `/meetings/${created.id}`)).body;
    viewer = await joinRoomFromBrowser(env, { room_name: 'cinema', user_name: 'Viewer', permissions: ['room.self.video_unmute', 'room.playback'] }, { colour: '#0000e0' });
    chime = await openChimePage(env, meeting, 'chime-viewer');
    // The Chime app binds a tile for every remote video (the playback's among them).
    await chime.eval(`(() => {
      const av = t.session.audioVideo;
      av.addObserver({ videoTileDidUpdate: (s) => { if (!s.localTile && s.boundAttendeeId) av.bindVideoElement(s.tileId, t.video('tile-' + s.boundAttendeeId)); } });
      av.bindAudioElement(document.getElementById('audio'));
      av.start();
    })()`);
    video = await videoClient(env.server);
    room = (await video.getRoomSessionsInProgress()).roomSessions.find((r) => r.name === 'cinema')!;
    await room.subscribe();

    const played = await call(viewer.page, 'play', { url: clip, layout: 'highlight-1-responsive', positions: { self: 'reserved-1' } });
    expect(played.ok, JSON.stringify(played)).toBe(true);
    playbackId = played.result.id;
    expect(played.result).toMatchObject({ state: 'playing', url: clip, seekable: true, volume: 0 });
    expect(playbackId).toMatch(/^playback-/);

    // RoomSession face: the layout puts the playback in reserved-1, its cell decodes yellow, its tone plays.
    const layout = await waitFor('playback in reserved-1', async () => {
      const l = room.layout;
      return l?.name === 'highlight-1-responsive' && l.layers.some((x) => x.memberId === playbackId && x.position === 'reserved-1') ? l : undefined;
    }, 10_000);
    expect(layout.layers.find((x) => x.position === 'standard-1')?.memberId).toBe(viewer.memberId);
    await waitFor('RoomSession cell shows the clip', async () => (isColour(await cellColour(viewer.page, playbackId), YELLOW) ? true : undefined), 15_000);
    const heard = await audioFrom(viewer.page, playbackId);
    expect(heard.packets).toBeGreaterThan(20);
    expect(Math.abs((heard.frequency ?? 0) - TONE)).toBeLessThan(25);
    // Not a member: member lists don't have it.
    expect((await room.getMembers()).members.some((m) => m.id === playbackId)).toBe(false);

    // Chime face: a remote tile bound to the playback, decoding yellow, and the tone in the audio element.
    await waitFor('Chime tile shows the clip', async () => (isColour(await chime.eval(`t.colourOf('tile-${playbackId}')`), YELLOW) ? true : undefined), 15_000);
    const tones = await waitFor('Chime hears the clip', async () => {
      const out = await chime.eval<{ tones: Array<{ frequency: number; dB: number }> }>('t.audioOut()');
      return out.tones.some((t) => Math.abs(t.frequency - TONE) < 25 && t.dB > -70) ? out : undefined;
    }, 10_000);
    expect(tones.tones.length).toBeGreaterThan(0);
    const started = (await pageEvents(viewer.page)).find((e) => e.name === 'playback.started');
    expect(started?.e).toMatchObject({ id: playbackId, state: 'playing' });
  });

  it('seek shows the clip\'s second half; pause stops what members receive and resume restarts it', async () => {
    const pb = (await room.getPlaybacks()).playbacks.find((p) => p.id === playbackId)!;
    await pb.seek(7000);
    expect(pb.position).toBeGreaterThanOrEqual(7000);
    await waitFor('RoomSession cell shows magenta after seek', async () => (isColour(await cellColour(viewer.page, playbackId), MAGENTA) ? true : undefined), 8000);
    await waitFor('Chime tile shows magenta after seek', async () => (isColour(await chime.eval(`t.colourOf('tile-${playbackId}')`), MAGENTA) ? true : undefined), 8000);

    await pb.pause();
    expect(pb.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 500));
    expect((await audioFrom(viewer.page, playbackId, 1000)).packets, 'no audio while paused').toBeLessThan(3);
    const pausedAt = (await room.getPlaybacks()).playbacks.find((p) => p.id === playbackId)!.position;
    await new Promise((r) => setTimeout(r, 1000));
    expect((await room.getPlaybacks()).playbacks.find((p) => p.id === playbackId)!.position, 'position holds while paused').toBeLessThan(pausedAt + 200);
    await pb.resume();
    expect((await audioFrom(viewer.page, playbackId, 1000)).packets, 'audio again after resume').toBeGreaterThan(20);
    const updates = (await pageEvents(viewer.page)).filter((e) => e.name === 'playback.updated').map((e) => e.e.state);
    expect(updates).toContain('paused');
    expect(updates.at(-1)).toBe('playing');
  });

  it('setVolume changes the level members measure', async () => {
    const pb = (await room.getPlaybacks()).playbacks.find((p) => p.id === playbackId)!;
    await pb.seek(0);
    // The received level (RMS of what the member's page decodes), median of a few readings.
    const level = async () => {
      const readings: number[] = [];
      for (let i = 0; i < 7; i++) {
        readings.push(await viewer.page.evaluate((id) => (window as any).room.level(id), playbackId));
        await new Promise((r) => setTimeout(r, 150));
      }
      return readings.sort((a, b) => a - b)[3]!;
    };
    await new Promise((r) => setTimeout(r, 800));
    const before = await level();
    await pb.setVolume(-20);
    await new Promise((r) => setTimeout(r, 800));
    const after = await level();
    console.log(`[playback] received level ${before.toFixed(1)} dB at volume 0, ${after.toFixed(1)} dB at volume -20`);
    expect(before - after).toBeGreaterThan(15);
    expect(before - after).toBeLessThan(25);
    expect((await room.getPlaybacks()).playbacks.find((p) => p.id === playbackId)!.volume).toBe(-20);
  });

  it('stop ends it for everyone; bad URLs are refused and nothing changes', async () => {
    const pb = (await room.getPlaybacks()).playbacks.find((p) => p.id === playbackId)!;
    await pb.stop();
    await waitFor('playback.ended seen by the member', async () => (await pageEvents(viewer.page)).find((e) => e.name === 'playback.ended' && e.e.id === playbackId), 5000);
    await waitFor('its cell is gone', async () => (room.layout?.layers.some((l) => l.memberId === playbackId) ? undefined : true), 5000);
    expect(await call(viewer.page, 'getPlaybacks')).toMatchObject({ ok: true });
    expect(await pb.stop().then(() => 'ok', (e: { code?: string }) => e.code)).toBe('invalid_params');

    const notMedia = join(dir, 'notes.mp4');
    writeFileSync(notMedia, 'this is not a video\n'.repeat(100));
    const bad: Array<[string, string]> = [
      ['not a url', 'invalid_params'],
      ['ftp://127.0.0.1/clip.mp4', 'invalid_params'],
      [join(dir, 'missing.webm'), 'media_error'],
      [notMedia, 'media_error'],
      ['http://127.0.0.1:1/clip.mp4', 'media_error'],
    ];
    for (const [url, code] of bad) {
      const res = await call(viewer.page, 'play', { url });
      expect(res, url).toMatchObject({ ok: false, code });
      console.log(`[playback] ${url}: ${res.code} ${res.message}`);
    }
    const plain = await joinRoomFromBrowser(env, { room_name: 'cinema', user_name: 'NoPlay', permissions: [] });
    expect(await call(plain.page, 'play', { url: clip })).toMatchObject({ ok: false, code: 'forbidden' });
    expect((await room.getPlaybacks()).playbacks.map((p) => p.state)).toEqual(['completed']);
    expect(room.layout?.layers.some((l) => l.memberId === playbackId)).toBe(false);
    video.disconnect();
  });
});
