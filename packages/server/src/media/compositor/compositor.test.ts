import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Compositor } from './compositor.js';
import { colourAt, colourName, decode, flashAndBeepOnsets, flashBeepSender, h264Sender, probe, rtmpServer, rtpSender, sleep, toneLevel, type Sender } from './testMedia.js';

const logger = pino({ level: 'silent' });
const W = 640;
const H = 360;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function waitFor<T>(what: string, ms: number, register: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

async function startCompositor(): Promise<Compositor> {
  const c = await Compositor.start({ width: W, height: H, fps: 30, logger });
  cleanups.push(() => c.stop());
  return c;
}

function sender(s: Sender): Sender {
  cleanups.push(() => s.stop());
  return s;
}

/** Half-frame cells: the centre of the left half and of the right half. */
const LEFT = { x: W / 4 - 10, y: H / 2 - 10 };
const RIGHT = { x: (3 * W) / 4 - 10, y: H / 2 - 10 };
const half = (inputId: string, side: 'left' | 'right') => ({ inputId, x: side === 'left' ? 0 : W / 2, y: 0, width: W / 2, height: H });

describe('Compositor', () => {
  it('composes live inputs into a file, an RTMP stream and a preview; follows layout, joins, pause, stalls and a failing RTMP server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-comp-'));
    const c = await startCompositor();
    const failed: [string, string][] = [];
    const started: string[] = [];
    c.on('outputFailed', (id, reason) => failed.push([id, reason]));
    c.on('outputStarted', (id) => started.push(id));
    const keyframes: string[] = [];
    c.on('keyframeNeeded', (id) => keyframes.push(id));

    // Bad input: clear errors, nothing else changes.
    await expect(c.removeInput('nobody')).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(c.setVolume('nobody', 1)).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(c.setLayout([{ inputId: 'nobody', x: 0, y: 0, width: 10, height: 10 }])).rejects.toMatchObject({ code: 'invalid_params', message: /unknown input/ });
    await expect(c.addInput('x', { kind: 'video', codec: 'opus' as 'VP8', pt: 96 })).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(c.addOutput('x', { type: 'file', path: join(dir, 'missing', 'a.mp4'), container: 'mp4' })).rejects.toMatchObject({ code: 'invalid_params', message: /does not exist/ });
    await expect(c.addOutput('x', { type: 'rtmp', url: 'http://example.com/live/key' })).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(c.addOutput('x', { type: 'rtmp', url: 'rtmp://127.0.0.1:1/x' })).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(c.removeOutput('x')).rejects.toMatchObject({ code: 'invalid_params' });

    const a = { v: await c.addInput('a-v', { kind: 'video', codec: 'VP8', pt: 96 }), s: await c.addInput('a-s', { kind: 'audio', codec: 'opus', pt: 100 }) };
    await expect(c.setLayout([{ ...half('a-v', 'left'), width: -5 }])).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(c.setLayout([half('a-s', 'left')])).rejects.toMatchObject({ code: 'invalid_params', message: /audio/ });
    const aFirst = waitFor<void>('a first frame', 8000, (r) => c.on('inputFirstFrame', (id) => id === 'a-v' && r()));
    const senderA = sender(rtpSender({ videoPort: a.v.port, rgb: 0xff0000, audioPort: a.s.port, freq: 440 }));
    await c.setLayout([half('a-v', 'left')]);
    await aFirst;
    expect(keyframes).toContain('a-v');

    // A file that cannot be written (disk full): output_failed for it alone.
    const full = waitFor<string>('full', 8000, (r) => c.on('outputFailed', (id, reason) => id === 'full' && r(reason)));
    await c.addOutput('full', { type: 'file', path: '/dev/full', container: 'mkv' });
    expect(await full).toMatch(/space/i);
    await c.removeOutput('full');

    // An unreachable RTMP server: output_failed, the composite goes on.
    const refused = waitFor<string>('refused', 8000, (r) => c.on('outputFailed', (id, reason) => id === 'refused' && r(reason)));
    await c.addOutput('refused', { type: 'rtmp', url: 'rtmp://127.0.0.1:1/live/x' });
    expect(await refused).toMatch(/refused|connect/i);

    const rtmp = await rtmpServer(join(dir, 'rtmp.flv'));
    cleanups.push(() => rtmp.stop('SIGKILL'));
    const fileStarted = waitFor<void>('file started', 8000, (r) => c.on('outputStarted', (id) => id === 'rec' && r()));
    const rtmpStarted = waitFor<void>('rtmp started', 8000, (r) => c.on('outputStarted', (id) => id === 'live' && r()));
    const tAdd = Date.now();
    await c.addOutput('rec', { type: 'file', path: join(dir, 'rec.mp4'), container: 'mp4' });
    await c.addOutput('live', { type: 'rtmp', url: rtmp.url });
    await c.addOutput('prev', { type: 'preview', path: join(dir, 'prev.jpg'), intervalMs: 500, width: 320 });
    await fileStarted;
    const tStart = Date.now();
    console.log(`[compositor] add_output(file) -> first frame in the file: ${tStart - tAdd} ms`);
    await rtmpStarted;

    // t = 2 s: b joins on the left, a moves right.
    await sleep(2000);
    const b = { v: await c.addInput('b-v', { kind: 'video', codec: 'VP8', pt: 96 }), s: await c.addInput('b-s', { kind: 'audio', codec: 'opus', pt: 100 }) };
    const bFirst = waitFor<number>('b first frame', 8000, (r) => c.on('inputFirstFrame', (id) => id === 'b-v' && r(Date.now())));
    sender(rtpSender({ videoPort: b.v.port, rgb: 0x0000ff, audioPort: b.s.port, freq: 880 }));
    const tJoin = Date.now();
    await c.setLayout([half('a-v', 'right'), half('b-v', 'left')]);
    console.log(`[compositor] a joining input's first frame after ${(await bFirst) - tJoin} ms`);

    // t ~ 3.5 s: the preview shows both cells.
    await sleep(1200);
    const prev = join(dir, 'prev.jpg');
    expect(existsSync(prev)).toBe(true);
    expect(colourName(await colourAt(prev, undefined, 80 - 5, 90 - 5, 10))).toBe('blue');
    expect(colourName(await colourAt(prev, undefined, 240 - 5, 90 - 5, 10))).toBe('red');

    // Pause 2 s, resume.
    await c.pauseOutput('rec');
    const tPause = Date.now();
    await sleep(2000);
    await c.resumeOutput('rec');
    const paused = Date.now() - tPause;

    // a stalls (its sender dies): the composite must not stall.
    await sleep(1000);
    await senderA.stop();
    await sleep(1500);

    // The RTMP server goes away: output_failed for it alone; the file keeps growing.
    const rtmpFailed = waitFor<string>('rtmp failed', 10_000, (r) => c.on('outputFailed', (id, reason) => id === 'live' && r(reason)));
    const tKill = Date.now();
    await rtmp.stop('SIGTERM');
    const reason = await rtmpFailed;
    console.log(`[compositor] RTMP server gone -> output_failed after ${Date.now() - tKill} ms (${reason})`);
    const tFailed = Date.now();
    await sleep(1500);
    const rec = await c.removeOutput('rec');
    const tEnd = Date.now();
    const prevResult = await c.removeOutput('prev');
    expect(prevResult.bytes).toBeGreaterThan(500);
    expect(failed.map(([id]) => id).sort()).toEqual(['full', 'live', 'refused']);
    expect(started).toEqual(expect.arrayContaining(['rec', 'live', 'prev']));

    // The file: duration = wall time minus the pause (the stall and the RTMP failure did not stop it).
    const file = join(dir, 'rec.mp4');
    const info = await probe(file);
    const wall = (tEnd - tStart) / 1000;
    console.log(`[compositor] file ${info.duration.toFixed(2)} s, wall ${wall.toFixed(2)} s, paused ${(paused / 1000).toFixed(2)} s, ${statSync(file).size} bytes`);
    expect(info.streams).toEqual(['h264', 'aac']);
    console.log(`[compositor] remove_output said ${rec.durationMs} ms, ${rec.bytes} bytes`);
    expect(Math.abs(rec.durationMs / 1000 - info.duration)).toBeLessThan(0.3);
    expect(info.duration).toBeGreaterThan(wall - paused / 1000 - 0.7);
    expect(info.duration).toBeLessThan(wall - paused / 1000 + 0.5);
    // Output time of the end of the file is after the RTMP failure by ~1.5 s: it kept growing.
    expect(info.duration).toBeGreaterThan((tFailed - tStart - paused) / 1000 + 1);

    // Before the join: a (red) on the left, nothing on the right; after: b (blue) left, a right
    // (a's last frame stays after it stalled).
    expect(colourName(await colourAt(file, 1, LEFT.x, LEFT.y))).toBe('red');
    expect(colourName(await colourAt(file, 1, RIGHT.x, RIGHT.y))).toBe('black');
    const late = info.duration - 0.5;
    expect(colourName(await colourAt(file, late, LEFT.x, LEFT.y))).toBe('blue');
    expect(colourName(await colourAt(file, late, RIGHT.x, RIGHT.y))).toBe('red');

    // The mix: 440 Hz throughout a's time, 880 Hz after b joined; nothing at 1000 Hz.
    const early440 = await toneLevel(file, 440, 0.3, 1.4);
    const early880 = await toneLevel(file, 880, 0.3, 1.4);
    const late880 = await toneLevel(file, 880, 3.5, 1);
    const none = await toneLevel(file, 1300, 0, info.duration);
    console.log(`[compositor] mix dB: 440 early ${early440}, 880 early ${early880}, 880 late ${late880}, 1300 ${none}`);
    expect(early440).toBeGreaterThan(none + 20);
    expect(early880).toBeLessThan(early440 - 20);
    expect(late880).toBeGreaterThan(none + 20);

    // The RTMP stream (ended by the server) decodes with a's colour and tone.
    const flv = join(dir, 'rtmp.flv');
    const flvInfo = await probe(flv);
    expect(flvInfo.streams).toEqual(['h264', 'aac']);
    expect(flvInfo.duration).toBeGreaterThan(3);
    expect(colourName(await colourAt(flv, 1, LEFT.x, LEFT.y))).toBe('red');
    expect(await toneLevel(flv, 440, 0.3, 1.4)).toBeGreaterThan((await toneLevel(flv, 1300, 0.3, 1.4)) + 20);

    // Still running and answering.
    const stats = await c.stats();
    expect(Object.keys(stats.inputs).sort()).toEqual(['a-s', 'a-v', 'b-s', 'b-v']);
    await c.removeInput('a-v');
    await c.removeInput('a-s');
    expect(c.alive).toBe(true);

    // set_volume, then stop(): closing stdin finalises the file still open.
    const tail = join(dir, 'tail.mp4');
    await c.addOutput('tail', { type: 'file', path: tail, container: 'mp4' });
    await sleep(1200);
    await c.setVolume('b-s', 0);
    await sleep(1500);
    await c.stop();
    expect(c.alive).toBe(false);
    const tailInfo = await probe(tail);
    expect(tailInfo.duration).toBeGreaterThan(2.2);
    const loud = await toneLevel(tail, 880, 0.2, 0.8);
    const muted = await toneLevel(tail, 880, tailInfo.duration - 0.8, 0.6);
    console.log(`[compositor] set_volume 0: 880 Hz ${loud} dB before, ${muted} dB after`);
    expect(muted).toBeLessThan(loud - 20);
  }, 90_000);

  it('a SIGKILLed engine leaves MP4 and MKV files that decode; A/V offset of a flash + beep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-comp-'));
    const c = await startCompositor();
    const v = await c.addInput('v', { kind: 'video', codec: 'VP8', pt: 96 });
    const s = await c.addInput('s', { kind: 'audio', codec: 'opus', pt: 100 });
    const g = await c.addInput('g', { kind: 'video', codec: 'H264', pt: 102 });
    await c.setLayout([
      { inputId: 'v', x: 0, y: 0, width: W, height: H },
      { inputId: 'g', x: 0, y: 0, width: 128, height: 96, zorder: 5 },
    ]);
    const first = waitFor<void>('first frame', 8000, (r) => c.on('inputFirstFrame', (id) => id === 'v' && r()));
    const gFirst = waitFor<void>('H.264 first frame', 8000, (r) => c.on('inputFirstFrame', (id) => id === 'g' && r()));
    sender(flashBeepSender(v.port, s.port));
    sender(h264Sender(g.port, 0x00ff00));
    await first;
    await gFirst;
    await sleep(1500); // let the sender settle before the measured interval
    const exits: boolean[] = [];
    c.on('exit', ({ expected }) => exits.push(expected));
    await c.addOutput('mp4', { type: 'file', path: join(dir, 'k.mp4'), container: 'mp4' });
    await c.addOutput('mkv', { type: 'file', path: join(dir, 'k.mkv'), container: 'mkv' });
    await sleep(5500);
    const exited = waitFor<void>('exit', 5000, (r) => c.on('exit', () => r()));
    c.kill('SIGKILL');
    await exited;
    expect(exits).toEqual([false]);
    for (const f of ['k.mp4', 'k.mkv']) {
      const d = await decode(join(dir, f));
      console.log(`[compositor] SIGKILLed ${f}: ${d.frames} frames decoded${d.errors ? `, errors: ${d.errors.slice(0, 200)}` : ''}`);
      expect(d.frames).toBeGreaterThan(90); // > 3 s of the 5.5 s (mp4 loses at most its last 1 s fragment)
      expect(colourName(await colourAt(join(dir, f), 2, 54, 38))).toBe('green'); // the H.264 input's cell
    }
    // A/V offset: the centre of the picture flashes white when the beep starts.
    const { flashes, beeps } = await flashAndBeepOnsets(join(dir, 'k.mkv'), W / 2 - 20, H / 2 - 20);
    const mp4Onsets = await flashAndBeepOnsets(join(dir, 'k.mp4'), W / 2 - 20, H / 2 - 20);
    console.log(`[compositor] mp4 (with its edit list): flashes ${mp4Onsets.flashes.join(',')} beeps ${mp4Onsets.beeps.join(',')}`);
    const offsets = flashes.map((t) => beeps.reduce((best, b) => (Math.abs(b - t) < Math.abs(best) ? b - t : best), Infinity)).filter((o) => Math.abs(o) < 0.5);
    const sorted = [...offsets].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`[compositor] A/V offset (audio - video), ${offsets.length} flashes: median ${median !== undefined ? (median * 1000).toFixed(0) : '?'} ms, all ${offsets.map((o) => (o * 1000).toFixed(0)).join(',')}`);
    expect(offsets.length).toBeGreaterThanOrEqual(3);
    // Loose: senders on this shared machine jitter (no RTCP sender reports are used to align them).
    expect(Math.abs(median!)).toBeLessThan(0.15);
  }, 60_000);

  it('encode: false (the preview composite) takes previews only and still shows its inputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-comp-'));
    const c = await Compositor.start({ width: 320, height: 180, fps: 5, encode: false, logger });
    cleanups.push(() => c.stop());
    await expect(c.addOutput('f', { type: 'file', path: join(dir, 'a.mp4'), container: 'mp4' })).rejects.toMatchObject({ code: 'invalid_params', message: /previews only/ });
    const { port } = await c.addInput('g', { kind: 'video', codec: 'VP8', pt: 96 });
    sender(rtpSender({ videoPort: port, rgb: 0x00ff00 }));
    await c.setLayout([{ inputId: 'g', x: 0, y: 0, width: 320, height: 180 }]);
    const prev = join(dir, 'p.jpg');
    await c.addOutput('p', { type: 'preview', path: prev, intervalMs: 300, width: 320 });
    await waitFor('a green preview', 15_000, (resolve) => {
      const poll = setInterval(() => {
        if (!existsSync(prev)) return;
        void colourAt(prev, undefined, 150, 80, 10).then((rgb) => {
          if (colourName(rgb) === 'green') {
            clearInterval(poll);
            resolve(true);
          }
        }, () => undefined);
      }, 300);
    });
  });
});
