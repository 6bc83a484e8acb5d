import { describe, expect, it } from 'vitest';
import type { Video } from '@parley/server-sdk';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { colourAt, decodedVideoSeconds, probe, toneLevels } from './support/mediaProbe.js';
import { call, joinRoomFromBrowser, pageEvents, restClient, videoClient } from './support/rooms.js';

const RED: [number, number, number] = [224, 0, 0];
const GREEN: [number, number, number] = [0, 192, 0];
const BLUE: [number, number, number] = [0, 0, 224];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Recording the room's picture: Chromium members with their own colour and tone, a layout change
 * and a member joining midway, a pause; then the file is decoded and checked cell by cell.
 */
describe('room recording (server-side composite)', () => {
  const env = useServerAndBrowser();
  const perms = ['room.self.audio_unmute', 'room.self.video_unmute', 'room.recording'];

  it('records the layout as it changes, the mix of every tone, and leaves the paused time out', async () => {
    const video: Video.Client = await videoClient(env.server);
    const red = await joinRoomFromBrowser(env, { room_name: 'rec', user_name: 'Red', permissions: perms }, { colour: '#e00000', frequency: 440 });
    const blue = await joinRoomFromBrowser(env, { room_name: 'rec', user_name: 'Blue', permissions: perms }, { colour: '#0000e0', frequency: 660 });
    const room = (await video.getRoomSessionsInProgress()).roomSessions[0]!;
    const updates: Array<{ recording: boolean }> = [];
    room.on('room.updated', (e) => updates.push({ recording: e.roomSession.recording }));
    await room.subscribe();

    // Started from the browser member (it has room.recording), controlled from the server SDK too.
    const started = await call(red.page, 'startRecording');
    expect(started.ok, JSON.stringify(started)).toBe(true);
    const recordingId: string = started.result.id;
    expect(started.result).toMatchObject({ state: 'recording', roomSessionId: room.id, mode: 'composite', format: 'video/mp4' });
    const t0 = Date.now();
    await sleep(3500);
    const layoutAt = (Date.now() - t0) / 1000;
    await room.setLayout({ name: 'highlight-1-responsive', positions: { [blue.memberId]: 'reserved-1' } });
    await sleep(3000);
    const green = await joinRoomFromBrowser(env, { room_name: 'rec', user_name: 'Green', permissions: perms }, { colour: '#00c000', frequency: 1000 });
    await sleep(2500);
    const { recordings } = await room.getRecordings();
    const rec = recordings.find((r) => r.id === recordingId)!;
    await rec.pause();
    const pausedAt = Date.now();
    await sleep(2500);
    await rec.resume();
    const pausedMs = Date.now() - pausedAt;
    await sleep(2500);
    await rec.stop();
    const recordedS = (Date.now() - t0 - pausedMs) / 1000;
    // Calls after stop are refused and change nothing.
    await expect(rec.stop()).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(rec.pause()).rejects.toMatchObject({ code: 'invalid_params' });

    // Events: the browser member saw the whole lifecycle; the room's flag went on and off.
    const names = (await pageEvents(red.page)).filter((e) => e.name.startsWith('recording.')).map((e) => `${e.name}:${e.e.state}`);
    expect(names).toEqual(['recording.started:recording', 'recording.updated:paused', 'recording.updated:recording', 'recording.ended:completed']);
    await waitFor('room.updated recording off', async () => (updates.at(-1)?.recording === false ? true : undefined), 5000);
    expect(updates.some((u) => u.recording)).toBe(true);

    const done = (await room.getRecordings()).recordings.find((r) => r.id === recordingId)!;
    expect(done.state).toBe('completed');
    const file = env.server.media.recordingStore.getRecording(recordingId)!.files[0]!;
    const info = await probe(file);
    console.log(`[recording] file ${info.durationS.toFixed(2)} s, recorded ${recordedS.toFixed(2)} s wall (paused ${pausedMs} ms), reported ${done.duration?.toFixed(2)} s`, info);
    expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(info.audio).toMatchObject({ codec: 'aac' });
    // The paused 2.5 s are not in the file: it is as long as the time recorded, not the time elapsed.
    expect(Math.abs(info.durationS - recordedS)).toBeLessThan(1.2);
    expect(Math.abs((done.duration ?? 0) - recordedS)).toBeLessThan(1.2);

    // grid-responsive with two members: red left, blue right.
    expectColour(await colourAt(file, 2, 320, 360), RED, 'red cell before the layout change');
    expectColour(await colourAt(file, 2, 960, 360), BLUE, 'blue cell before the layout change');
    // highlight-1-responsive, blue in reserved-1 (12.5%..87.5% x 0..75%), red small below.
    expectColour(await colourAt(file, 5.5, 640, 270), BLUE, 'blue in the highlight');
    expectColour(await colourAt(file, 5.5, 640, 630), RED, 'red in the small row');
    // After green joined: two small cells (25..50% and 50..75% wide), red then green.
    const late = info.durationS - 1;
    expectColour(await colourAt(file, late, 480, 630), RED, 'red in standard-1 at the end');
    expectColour(await colourAt(file, late, 800, 630), GREEN, 'green in standard-2 at the end');
    expectColour(await colourAt(file, late, 640, 270), BLUE, 'blue still in the highlight');

    // The layout change shows in the file within a second of setLayout (file time 0 is about when startRecording resolved).
    let changedAt = NaN;
    for (let t = layoutAt - 0.5; t < layoutAt + 2; t += 0.1) {
      const c = await colourAt(file, t, 640, 100);
      if (c.b > 150 && c.r < 80) {
        changedAt = t;
        break;
      }
    }
    console.log(`[recording] setLayout at ${layoutAt.toFixed(2)} s; the file shows it at ${changedAt.toFixed(2)} s`);
    expect(changedAt - layoutAt).toBeLessThan(1);

    // The mix holds every member's tone; green's only after it joined.
    const whole = await toneLevels(file, [440, 660]);
    const end = await toneLevels(file, [440, 660, 1000], late - 2, info.durationS);
    const start = await toneLevels(file, [1000], 0.5, 3);
    console.log('[recording] tone levels (dB)', { whole, end, start });
    for (const f of [440, 660]) expect(whole.levels[f]! - whole.floor, `${f} Hz in the mix`).toBeGreaterThan(20);
    for (const f of [440, 660, 1000]) expect(end.levels[f]! - end.floor, `${f} Hz at the end`).toBeGreaterThan(20);
    // Before green joined, 1000 Hz is only codec noise: far below green's tone later.
    expect(end.levels[1000]! - start.levels[1000]!, 'no 1000 Hz before green joined').toBeGreaterThan(30);

    await green.page.close();
    await blue.page.close();
    await red.page.close();
    video.disconnect();
  });

  it('the REST API lists, downloads (with ranges) and deletes recordings', async () => {
    const { server } = env;
    const headers = { authorization: server.auth };
    const all = (await (await fetch(`${server.url}/api/recordings`, { headers })).json()) as { data: any[] };
    expect(all.data.length).toBe(1);
    const row = all.data[0];
    expect(row).toMatchObject({ status: 'completed', format: 'video/mp4', mode: 'composite' });
    expect(row.size_in_bytes).toBeGreaterThan(100_000);
    const bySession = (await (await fetch(`${server.url}/api/room_sessions/${row.room_session_id}/recordings`, { headers })).json()) as { data: any[] };
    expect(bySession.data.map((r) => r.id)).toEqual([row.id]);
    expect((await fetch(`${server.url}/api/recordings/${row.id}`)).status).toBe(401);

    const part = await fetch(row.uri, { headers: { ...headers, range: 'bytes=100-1099' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${row.size_in_bytes}`);
    expect((await part.arrayBuffer()).byteLength).toBe(1000);
    const whole = await fetch(row.uri, { headers });
    expect(whole.status).toBe(200);
    expect((await whole.arrayBuffer()).byteLength).toBe(row.size_in_bytes);

    // The server SDK's RestClient reads the same rows and streams the file.
    const rest = restClient(server);
    expect((await rest.recordings.list({ roomSessionId: row.room_session_id })).map((r) => r.id)).toEqual([row.id]);
    let streamed = 0;
    for await (const chunk of await rest.recordings.download(row.id)) streamed += (chunk as Buffer).length;
    expect(streamed).toBe(row.size_in_bytes);
    await expect(rest.recordings.get('nope')).rejects.toMatchObject({ code: 'not_found', status: 404 });

    expect((await fetch(`${server.url}/api/recordings/${row.id}`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await fetch(`${server.url}/api/recordings/${row.id}`, { headers })).status).toBe(404);
    expect((await fetch(row.uri, { headers })).status).toBe(404);
  });

  it('without room.recording the server refuses; a killed compositor ends the recording as failed and its file still plays', async () => {
    const video = await videoClient(env.server);
    const noPerm = await joinRoomFromBrowser(env, { room_name: 'rec2', user_name: 'Plain', permissions: ['room.self.video_unmute'] }, { colour: '#e00000' });
    expect(await call(noPerm.page, 'startRecording')).toMatchObject({ ok: false, code: 'forbidden' });
    const room = (await video.getRoomSessionsInProgress()).roomSessions.find((r) => r.name === 'rec2')!;
    await room.subscribe();
    const ended = new Promise<{ state: string; reason?: string }>((resolve) => room.on('recording.ended', (r) => resolve({ state: r.state, ...(r.reason ? { reason: r.reason } : {}) })));
    const rec = await room.startRecording();
    await sleep(4000);
    const composite = env.server.rooms.controls.find((c) => c.id === room.id)!.media;
    const pid = (composite as unknown as { compositePid?: number }).compositePid;
    expect(pid, 'composite engine pid').toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const end = await ended;
    expect(end.state).toBe('completed');
    expect(end.reason).toMatch(/^failed: /);
    const file = env.server.media.recordingStore.getRecording(rec.id)!.files[0]!;
    const seconds = await decodedVideoSeconds(file);
    console.log(`[recording] after SIGKILL: ${seconds.toFixed(2)} s decode from the unfinished file; reason "${end.reason}"`);
    expect(seconds).toBeGreaterThan(2);
    expectColour(await colourAt(file, 1.5, 640, 360), RED, 'the unfinished file shows the member');
    // The room is untouched: the member still publishes and a new recording starts.
    expect((await room.getMembers()).members.map((m) => m.name)).toEqual(['Plain']);
    const again = await room.startRecording();
    await sleep(1500);
    await again.stop();
    expect((await room.getRecordings()).recordings.find((r) => r.id === again.id)?.state).toBe('completed');
    await noPerm.page.close();
    video.disconnect();
  });

  it('tracks mode writes each member\'s audio and video as sent, one file per track, without re-encoding', async () => {
    const video = await videoClient(env.server);
    const red = await joinRoomFromBrowser(env, { room_name: 'tracks', user_name: 'Red', permissions: perms }, { colour: '#e00000', frequency: 440 });
    const room = (await video.getRoomSessionsInProgress()).roomSessions.find((r) => r.name === 'tracks')!;
    await room.subscribe();
    const rec = await room.startRecording({ mode: 'tracks' });
    expect(rec).toMatchObject({ mode: 'tracks', format: 'video/x-matroska', state: 'recording' });
    await sleep(2000);
    // A member joining during the recording gets files of its own.
    const blue = await joinRoomFromBrowser(env, { room_name: 'tracks', user_name: 'Blue', permissions: perms }, { colour: '#0000e0', frequency: 660 });
    await sleep(4000);
    await rec.stop();
    const stored = env.server.media.recordingStore.getRecording(rec.id)!;
    const name = (id: string, source: string, ext: string) => `${id}-${source}-1.${ext}`;
    const files = stored.files.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort();
    expect(files).toEqual([name(red.memberId, 'camera', 'mkv'), name(red.memberId, 'microphone', 'mka'), name(blue.memberId, 'camera', 'mkv'), name(blue.memberId, 'microphone', 'mka')].sort());
    const at = (id: string, source: string) => stored.files.find((f) => f.includes(`${id}-${source}-`))!;
    for (const [member, colour, tone, seconds] of [[red, RED, 440, 5], [blue, BLUE, 660, 3]] as const) {
      const v = await probe(at(member.memberId, 'camera'));
      // Written as sent: VP8 at the size the browser encoded, no re-encode.
      expect(v.video?.codec).toBe('vp8');
      expect(await decodedVideoSeconds(at(member.memberId, 'camera'))).toBeGreaterThan(seconds - 1.5);
      expectColour(await colourAt(at(member.memberId, 'camera'), 1, Math.round(v.video!.width / 2), Math.round(v.video!.height / 2)), colour, `${member.memberId} track colour`);
      const a = await probe(at(member.memberId, 'microphone'));
      expect(a.audio?.codec).toBe('opus');
      const levels = await toneLevels(at(member.memberId, 'microphone'), [tone]);
      expect(levels.levels[tone]! - levels.floor, `${tone} Hz in the audio track`).toBeGreaterThan(20);
    }
    const row = (await (await fetch(`${env.server.url}/api/recordings/${rec.id}`, { headers: { authorization: env.server.auth } })).json()) as { files: Array<{ index: number; uri: string }> };
    expect(row.files).toHaveLength(4);
    const second = await fetch(row.files[1]!.uri, { headers: { authorization: env.server.auth } });
    expect(second.status).toBe(200);
    expect((await second.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    await red.page.close();
    await blue.page.close();
    video.disconnect();
  });

  it('format webm records the composite as VP8 + Opus (encoded for that recording only)', async () => {
    const video = await videoClient(env.server);
    const red = await joinRoomFromBrowser(env, { room_name: 'webm', user_name: 'Red', permissions: perms }, { colour: '#e00000', frequency: 440 });
    const room = (await video.getRoomSessionsInProgress()).roomSessions.find((r) => r.name === 'webm')!;
    await room.subscribe();
    const mp4 = await room.startRecording();
    const webm = await room.startRecording({ format: 'webm' });
    expect(webm.format).toBe('video/webm');
    await sleep(4000);
    await webm.stop();
    await mp4.stop();
    const file = env.server.media.recordingStore.getRecording(webm.id)!.files[0]!;
    expect(file.endsWith('.webm')).toBe(true);
    const info = await probe(file);
    console.log('[recording] webm', info);
    expect(info.video).toMatchObject({ codec: 'vp8', width: 1280, height: 720 });
    expect(info.audio).toMatchObject({ codec: 'opus' });
    expect(await decodedVideoSeconds(file)).toBeGreaterThan(2.5);
    expectColour(await colourAt(file, 2, 640, 360), RED, 'the webm shows the member');
    const tones = await toneLevels(file, [440], 1);
    expect(tones.levels[440]! - tones.floor).toBeGreaterThan(20);
    await red.page.close();
    video.disconnect();
  });
});
