import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRedBlueClip, startTestRouter } from '../testing/redBlueClip.js';
import { EngineProcess, engineScript, type EngineEvent } from '../engine/engineProcess.js';
import { Player, playerRtpParameters, type PlayerKind } from './player.js';

// What a participant receives is checked, not what the player says: RTP goes Player -> PlainTransport
// producer -> mediasoup router -> consumer -> rtp_probe.py, which decodes and reports colour and tone levels.
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'parley-playback-'));
const clip = join(dir, 'clip.mp4'); // 10 s: red 0-5 s, blue 5-10 s, 440 Hz tone throughout
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Frame {
  at: number;
  r: number;
  g: number;
  b: number;
}
interface Level {
  at: number;
  rms: number;
  bands: Record<string, number>;
}

let worker: types.Worker;
let router: types.Router;

beforeAll(async () => {
  makeRedBlueClip(clip);
  ({ worker, router } = await startTestRouter());
}, 60_000);

afterAll(() => {
  worker?.close();
});

/** A Player feeding one comedia PlainTransport (both kinds on one port), and a probe receiving each consumer. */
async function setup(url: string) {
  const ingress = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
  const port = ingress.tuple.localPort;
  const player = await Player.open({ url, videoPort: port, audioPort: port, videoSsrc: 1111, audioSsrc: 2222, logger });
  const producers = new Map<PlayerKind, types.Producer>();
  for (const kind of player.info.sending) producers.set(kind, await ingress.produce({ kind, rtpParameters: playerRtpParameters(kind, player) }));
  const probe = await EngineProcess.start({ script: engineScript(import.meta.url, 'rtp_probe.py'), logger });
  const frames: Frame[] = [];
  const levels: Level[] = [];
  probe.on('event', (e: EngineEvent) => {
    if (e.event === 'frame') frames.push({ at: Date.now(), r: e.r as number, g: e.g as number, b: e.b as number });
    if (e.event === 'level') levels.push({ at: Date.now(), rms: e.rms as number, bands: e.bands as Record<string, number> });
  });
  const egress: types.Transport[] = [];
  const consumers = new Map<PlayerKind, types.Consumer>();
  const pts: Record<string, number> = {};
  for (const [kind, producer] of producers) {
    const consumer = await ((): Promise<types.Consumer> => {
      // One transport per kind: a non-comedia PlainTransport sends to one remote port.
      return router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false }).then((t) => {
        egress.push(t);
        return t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      });
    })();
    consumers.set(kind, consumer);
    pts[`${kind}_pt`] = consumer.rtpParameters.codecs[0]!.payloadType;
  }
  const ports = await probe.request<{ video_port?: number; audio_port?: number }>('start', pts);
  for (const [i, [kind]] of [...consumers].entries()) {
    await egress[i]!.connect({ ip: '127.0.0.1', port: kind === 'video' ? ports.video_port! : ports.audio_port! });
  }
  const close = async () => {
    await player.stop();
    await probe.stop();
    ingress.close();
    for (const t of egress) t.close();
  };
  return { player, producers, consumers, frames, levels, close };
}

const isRed = (f: Frame) => f.r > 180 && f.g < 70 && f.b < 70;
const isBlue = (f: Frame) => f.b > 180 && f.r < 70 && f.g < 70;
const since = <T extends { at: number }>(list: T[], t: number) => list.filter((x) => x.at >= t);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - start;
}
async function packets(p: types.Producer): Promise<number> {
  return (await p.getStats()).reduce((n, s) => n + s.packetCount, 0);
}

describe('Player through a mediasoup router', () => {
  it('plays colour and tone in real time; volume, pause/resume, seek and end are what the receiver gets', async () => {
    const s = await setup(clip);
    try {
      expect(s.player.info).toMatchObject({ durationMs: 10000, seekable: true, hasAudio: true, hasVideo: true, width: 640, height: 360 });
      expect(s.player.info.sending.sort()).toEqual(['audio', 'video']);
      const playAt = Date.now();
      await s.player.play();
      await s.consumers.get('video')!.requestKeyFrame();
      const firstFrameMs = await waitFor(() => s.frames.length > 0, 3000, 'a decoded frame');
      console.log(`playback: first decoded frame ${firstFrameMs} ms after play()`);

      // Red picture and a 440 Hz tone (no 1 kHz) at the start.
      await sleep(1500);
      const t1 = Date.now() - 800;
      expect(since(s.frames, t1).length).toBeGreaterThan(3);
      expect(since(s.frames, t1).every(isRed)).toBe(true);
      const base = since(s.levels, t1);
      expect(base.length).toBeGreaterThan(2);
      const tone = mean(base.map((l) => l.bands['440']!));
      const other = mean(base.map((l) => l.bands['1000']!));
      console.log(`playback: 440 Hz band ${tone.toFixed(1)} dB, 1 kHz band ${other.toFixed(1)} dB`);
      expect(tone).toBeGreaterThan(-30);
      expect(tone - other).toBeGreaterThan(25);

      // setVolume(-20): the received tone drops by about 20 dB.
      expect(await s.player.setVolume(-20)).toBe(-20);
      await sleep(700);
      const t2 = Date.now();
      await sleep(700);
      const quiet = mean(since(s.levels, t2).map((l) => l.bands['440']!));
      console.log(`playback: setVolume(-20) changed the received 440 Hz level by ${(quiet - tone).toFixed(1)} dB`);
      expect(quiet - tone).toBeGreaterThan(-24);
      expect(quiet - tone).toBeLessThan(-16);
      await s.player.setVolume(0);

      // pause: no packets reach the router; resume: they flow again from the same position.
      await s.player.pause();
      const posPaused = s.player.position;
      await sleep(300);
      const v0 = await packets(s.producers.get('video')!);
      const a0 = await packets(s.producers.get('audio')!);
      await sleep(1000);
      expect(await packets(s.producers.get('video')!)).toBe(v0);
      expect(await packets(s.producers.get('audio')!)).toBe(a0);
      expect(s.player.position).toBe(posPaused);
      expect(s.player.state).toBe('paused');
      await s.player.resume();
      await sleep(700);
      expect(await packets(s.producers.get('video')!)).toBeGreaterThan(v0 + 5);
      expect(await packets(s.producers.get('audio')!)).toBeGreaterThan(a0 + 20);
      expect(s.player.position).toBeGreaterThan(posPaused);
      expect(s.player.position).toBeLessThan(posPaused + 1500);

      // seek to 6000 ms (the blue half): blue soon after.
      const seekAt = Date.now();
      expect(await s.player.seek(6000)).toBe(6000);
      const blueMs = await waitFor(() => since(s.frames, seekAt).some(isBlue), 2000, 'blue after the seek');
      console.log(`playback: blue visible ${blueMs} ms after seek(6000)`);
      await sleep(500);
      expect(since(s.frames, Date.now() - 400).every(isBlue)).toBe(true);
      expect(s.player.position).toBeGreaterThanOrEqual(6000);

      // ended at EOS, about 4 s of media later.
      const ended = new Promise<number>((resolve) => s.player.once('ended', () => resolve(Date.now())));
      const endedAt = await Promise.race([ended, sleep(7000).then(() => 0)]);
      expect(endedAt).toBeGreaterThan(0);
      expect(endedAt - seekAt).toBeGreaterThan(3000); // paced in real time, not as fast as possible
      expect(s.player.state).toBe('completed');
      expect(s.player.position).toBe(10000);
      await expect(s.player.play()).rejects.toMatchObject({ code: 'bad_request' });
      console.log(`playback: whole run ${Date.now() - playAt} ms`);
    } finally {
      await s.close();
    }
  }, 90_000);

  it('a video-only source sends only video (scaled into 1280x720); an audio-only source only audio', async () => {
    const vonly = join(dir, 'vonly.mp4');
    const aonly = join(dir, 'aonly.ogg');
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=green:s=1920x1080:r=30:d=3', '-c:v', 'libx264', '-preset', 'ultrafast', vonly]);
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=3', '-c:a', 'libopus', aonly]);
    const v = await setup(vonly);
    try {
      expect(v.player.info).toMatchObject({ hasAudio: false, hasVideo: true, width: 1280, height: 720, sending: ['video'] });
      await v.player.play();
      await v.consumers.get('video')!.requestKeyFrame();
      await waitFor(() => v.frames.some((f) => f.g > 100 && f.r < 60 && f.b < 60), 3000, 'green frames');
      // A PLI from mediasoup reaches the engine on its socket and is answered with a keyframe at once
      // (natural keyframes come only every 2 s; mediasoup itself spaces PLIs, hence one at a time).
      const producer = v.producers.get('video')!;
      const keyframes: number[] = [];
      await producer.enableTraceEvent(['keyframe']);
      producer.on('trace', (t) => {
        if (t.type === 'keyframe') keyframes.push(Date.now());
      });
      for (let i = 0; i < 2; i++) {
        await sleep(500);
        const asked = Date.now();
        await v.consumers.get('video')!.requestKeyFrame();
        const ms = await waitFor(() => keyframes.some((k) => k >= asked), 600, 'a keyframe after a PLI');
        console.log(`playback: keyframe ${ms} ms after a consumer's PLI`);
      }
    } finally {
      await v.close();
    }
    const a = await setup(aonly);
    try {
      expect(a.player.info).toMatchObject({ hasAudio: true, hasVideo: false, width: null, sending: ['audio'] });
      await a.player.play();
      const withBands = () => a.levels.filter((x) => x.bands['440'] !== undefined && x.bands['1000'] !== undefined);
      await waitFor(() => withBands().length > 3, 3000, 'audio levels');
      const l = withBands().slice(-3);
      expect(mean(l.map((x) => x.bands['1000']!)) - mean(l.map((x) => x.bands['440']!))).toBeGreaterThan(25);
    } finally {
      await a.close();
    }
  }, 90_000);

  it('rejects what it cannot play with a clear error, quickly, and leaves no engine behind', async () => {
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'this is a text file, not a video\n'.repeat(50));
    const cases: [string, string, RegExp][] = [
      ['not a url', 'invalid_params', /unsupported url/],
      [join(dir, 'missing.mp4'), 'media_error', /not found/],
      [text, 'media_error', /not a playable media file/],
      ['http://127.0.0.1:1/x', 'media_error', /refused/i],
      ['ftp://example.com/a.mp4', 'invalid_params', /unsupported url/],
    ];
    for (const [url, code, message] of cases) {
      const start = Date.now();
      const err = await Player.open({ url, videoPort: 9, audioPort: 9, logger }).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err, url).toBeDefined();
      expect(err!.code, url).toBe(code);
      expect(err!.message, url).toMatch(message);
      expect(Date.now() - start, url).toBeLessThan(5000);
    }
    await expect(Player.open({ url: clip, logger })).rejects.toMatchObject({ code: 'invalid_params' });

    // An engine that dies is reported as an unexpected exit and the playback as failed.
    const p = await Player.open({ url: clip, videoPort: 9, logger });
    const exit = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    expect(await exit).toMatchObject({ signal: 'SIGKILL', expected: false });
    expect(p.state).toBe('failed');
    await expect(p.play()).rejects.toMatchObject({ code: 'bad_request' });
    await p.stop();
  }, 90_000);

  // A live RTMP source: nginx's RTMP module (Debian nginx + libnginx-mod-rtmp) on loopback, ffmpeg publishing.
  const rtmpModule = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
  it.skipIf(!existsSync(rtmpModule) || !existsSync('/usr/sbin/nginx'))('plays a live rtmp:// source (not seekable, no duration)', async () => {
    const port = await freePort();
    const ngx = join(dir, 'nginx');
    mkdirSync(join(ngx, 'logs'), { recursive: true });
    writeFileSync(
      join(ngx, 'nginx.conf'),
      `load_module ${rtmpModule};\ndaemon off;\nmaster_process off;\nerror_log ${ngx}/logs/error.log;\npid ${ngx}/nginx.pid;\n` +
        `events { worker_connections 64; }\nrtmp { server { listen 127.0.0.1:${port}; application live { live on; } } }\n`,
    );
    const children: ChildProcess[] = [spawn('/usr/sbin/nginx', ['-p', ngx, '-c', join(ngx, 'nginx.conf')], { stdio: 'ignore' })];
    let s: Awaited<ReturnType<typeof setup>> | undefined;
    try {
      await sleep(500);
      const url = `rtmp://127.0.0.1:${port}/live/key`;
      children.push(spawn('ffmpeg', ['-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c:v', 'copy', '-c:a', 'aac', '-f', 'flv', url], { stdio: 'ignore' }));
      await sleep(1500);
      s = await setup(url);
      expect(s.player.info).toMatchObject({ durationMs: null, seekable: false, hasAudio: true, hasVideo: true, width: 640, height: 360 });
      await s.player.play();
      await s.consumers.get('video')!.requestKeyFrame();
      const f = s.frames;
      await waitFor(() => f.some((x) => isRed(x) || isBlue(x)), 4000, 'red or blue frames from the rtmp source');
      const withBands = () => s!.levels.filter((x) => x.bands['440'] !== undefined && x.bands['1000'] !== undefined);
      await waitFor(() => withBands().length > 3, 3000, 'audio levels');
      const l = withBands().slice(-3);
      expect(mean(l.map((x) => x.bands['440']!)) - mean(l.map((x) => x.bands['1000']!))).toBeGreaterThan(25);
      await expect(s.player.seek(1000)).rejects.toMatchObject({ code: 'not_available' });
    } finally {
      await s?.close();
      for (const c of children) c.kill('SIGKILL');
    }
  }, 90_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
