import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Video } from '@parley/server-sdk';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { colourAt, decodedVideoSeconds, probe, toneLevels } from './support/mediaProbe.js';
import { call, hears, joinRoomFromBrowser, pageEvents, videoClient } from './support/rooms.js';
import { RtmpServer, freePort } from './support/rtmpServer.js';

const RED: [number, number, number] = [224, 0, 0];
const BLUE: [number, number, number] = [0, 0, 224];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

/** RTMP streams of the room's picture to a local RTMP server, and the room's preview JPEG. */
describe('room streaming and previews', () => {
  // Short reconnect window so "the server is gone for good" ends the stream within the test.
  const env = useServerAndBrowser({ media: { previews: true, previewIntervalMs: 1000, streamReconnectMs: 4000 } });
  const perms = ['room.self.audio_unmute', 'room.self.video_unmute', 'room.stream'];
  const dir = mkdtempSync(join(tmpdir(), 'parley-rtmp-'));
  let video: Video.Client;
  let room: Video.RoomSession;
  let red: Awaited<ReturnType<typeof joinRoomFromBrowser>>;
  let blue: Awaited<ReturnType<typeof joinRoomFromBrowser>>;

  it('streams the composed room to an RTMP server: right colours and tones; a dropped server is reconnected to', async () => {
    video = await videoClient(env.server);
    red = await joinRoomFromBrowser(env, { room_name: 'live', user_name: 'Red', permissions: perms }, { colour: '#e00000', frequency: 440 });
    blue = await joinRoomFromBrowser(env, { room_name: 'live', user_name: 'Blue', permissions: perms }, { colour: '#0000e0', frequency: 660 });
    room = (await video.getRoomSessionsInProgress()).roomSessions[0]!;
    await room.subscribe();
    // An audience member without room.stream: not in the picture, and not shown the stream key.
    const watcher = await joinRoomFromBrowser(env, { room_name: 'live', user_name: 'Watcher', join_as: 'audience', permissions: [] });

    const first = await RtmpServer.start(join(dir, 'first.flv'));
    const t0 = Date.now();
    const started = await call(red.page, 'startStream', { url: first.url });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    console.log(`[stream] startStream resolved after ${Date.now() - t0} ms`);
    expect(started.result).toMatchObject({ state: 'streaming', url: first.url });
    expect((await room.getStreams()).streams.map((s) => s.state)).toEqual(['streaming']);
    await waitFor('room.streaming flag', async () => (room.streaming ? true : undefined), 5000);
    const seen = await waitFor('the watcher sees stream.started', async () => (await pageEvents(watcher.page)).find((e) => e.name === 'stream.started'), 5000);
    expect(seen.e.url, 'the stream key is not shown to members without room.stream').toBe(`rtmp://127.0.0.1:${first.port}/live/…`);
    expect((await pageEvents(red.page)).find((e) => e.name === 'stream.started')?.e.url).toBe(first.url);
    await watcher.page.close();
    await sleep(5000);

    // The RTMP server goes away; one comes back on the same port within the reconnect window.
    await first.kill();
    const second = await RtmpServer.start(join(dir, 'second.flv'), first.port);
    await sleep(7000);
    expect((await room.getStreams()).streams.map((s) => s.state), 'still streaming after the reconnect').toEqual(['streaming']);
    await second.stop();

    for (const file of [first.file, second.file]) {
      const seconds = await decodedVideoSeconds(file);
      const info = await probe(file);
      console.log(`[stream] ${file}: ${seconds.toFixed(2)} s decoded`, info);
      expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
      expect(info.audio).toMatchObject({ codec: 'aac' });
      expect(seconds).toBeGreaterThan(2);
      expectColour(await colourAt(file, 1.5, 320, 360), RED, `${file}: red cell`);
      expectColour(await colourAt(file, 1.5, 960, 360), BLUE, `${file}: blue cell`);
      const tones = await toneLevels(file, [440, 660]);
      for (const f of [440, 660]) expect(tones.levels[f]! - tones.floor, `${file}: ${f} Hz`).toBeGreaterThan(20);
    }
  });

  it('a server that stays gone ends the stream with a reason; the room keeps flowing', async () => {
    // The second server stopped at the end of the last test and nothing listens there now.
    const ended = await waitFor('stream.ended', async () => (await pageEvents(red.page)).find((e) => e.name === 'stream.ended'), 20_000);
    console.log('[stream] ended with', ended.e.reason);
    expect(ended.e.state).toBe('completed');
    expect(String(ended.e.reason)).not.toBe('stopped');
    expect((await room.getStreams()).streams.map((s) => s.state)).toEqual(['completed']);
    await waitFor('room.streaming flag off', async () => (room.streaming ? undefined : true), 5000);
    // Members still hear each other.
    expect(await hears(blue.page, red.memberId, 440)).toBe(true);
    expect(await hears(red.page, blue.memberId, 660)).toBe(true);
  });

  it('a refused or malformed URL rejects startStream (after stream.ended) and nothing else changes', async () => {
    const refused = await call(red.page, 'startStream', { url: `rtmp://127.0.0.1:${await freePort()}/live/key` });
    expect(refused).toMatchObject({ ok: false, code: 'media_error' });
    expect(refused.message).toMatch(/did not start/);
    expect((await pageEvents(red.page)).filter((e) => e.name === 'stream.ended')).toHaveLength(2);
    expect(await call(red.page, 'startStream', { url: 'http://example.com/x' })).toMatchObject({ ok: false, code: 'invalid_params' });
    expect(await call(red.page, 'startStream', { url: 'rtmp:// bad' })).toMatchObject({ ok: false, code: 'invalid_params' });
    const plain = await joinRoomFromBrowser(env, { room_name: 'live', user_name: 'NoStream', permissions: ['room.self.video_unmute'] }, { colour: '#00c000' });
    expect(await call(plain.page, 'startStream', { url: 'rtmp://127.0.0.1:1/x' })).toMatchObject({ ok: false, code: 'forbidden' });
    await plain.page.close();
    expect(await hears(blue.page, red.memberId, 440)).toBe(true);
  });

  it('previewUrl is a JPEG of the room\'s current picture, refreshed while people are in it', async () => {
    const url = room.previewUrl!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/previews\/.+\.jpg$/);
    const fetchJpeg = async () => {
      const res = await fetch(url);
      if (res.status !== 200) return undefined;
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      return Buffer.from(await res.arrayBuffer());
    };
    const jpeg = await waitFor('a preview JPEG', fetchJpeg, 15_000);
    const file = join(dir, 'preview.jpg');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, jpeg));
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', file]);
    console.log(`[preview] ${jpeg.length} bytes: ${stdout.trim()}`);
    expect(stdout.trim()).toBe('mjpeg,320,180');
    // Two members in grid-responsive: left half red, right half blue.
    expectColour(await colourAt(file, 0, 80, 90), RED, 'preview: red cell');
    expectColour(await colourAt(file, 0, 240, 90), BLUE, 'preview: blue cell');
    // It follows the room: after a layout change the picture changes within a few refreshes.
    await room.setLayout({ name: 'highlight-1-responsive', positions: { [red.memberId]: 'reserved-1' } });
    await waitFor('preview shows red in the highlight and blue below', async () => {
      const next = await fetchJpeg();
      if (!next) return undefined;
      await import('node:fs/promises').then((fs) => fs.writeFile(file, next));
      const top = await colourAt(file, 0, 160, 60);
      const below = await colourAt(file, 0, 160, 160);
      return top.r > 150 && top.b < 80 && below.b > 150 && below.r < 80 ? true : undefined;
    }, 15_000, 500);
    expect((await fetch(url.replace(/[^/]+\.jpg$/, 'wrong-token.jpg'))).status).toBe(404);
  });

  it('the preview goes when the room session ends', async () => {
    const url = room.previewUrl!;
    await red.page.close();
    await blue.page.close();
    await waitFor('preview gone', async () => ((await fetch(url)).status === 404 ? true : undefined), 15_000);
    video.disconnect();
  });
});
