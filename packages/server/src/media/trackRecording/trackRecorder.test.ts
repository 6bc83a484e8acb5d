import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRedBlueClip, startTestRouter } from '../testing/redBlueClip.js';
import { Player, playerRtpParameters } from '../playback/player.js';
import { recorderTrackSpec, TrackRecorder } from './trackRecorder.js';

// Media goes through a real router: Player (or gst-launch) -> producer -> consumer -> TrackRecorder;
// then the file is probed and decoded (ffprobe/ffmpeg) for structure, colour and tone.
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'parley-trackrec-'));
const clip = join(dir, 'clip.mp4'); // 10 s: red 0-5 s, blue 5-10 s, 440 Hz tone
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let worker: types.Worker;
let router: types.Router;

beforeAll(async () => {
  makeRedBlueClip(clip);
  ({ worker, router } = await startTestRouter());
}, 60_000);

afterAll(() => worker?.close());

/** A consumer of the producer on its own PlainTransport (rtcpMux off: RTCP to the recorder's drain port), recorded. */
async function record(path: string, producer: types.Producer) {
  const t = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: false });
  const c = await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
  const recorder = await TrackRecorder.start({ path, ...recorderTrackSpec(c.rtpParameters), logger });
  await t.connect({ ip: '127.0.0.1', port: recorder.port, rtcpPort: recorder.rtcpPort });
  await c.resume();
  if (c.kind === 'video') await c.requestKeyFrame();
  recorder.on('keyFrameNeeded', () => void c.requestKeyFrame());
  return { recorder, consumer: c, close: () => t.close() };
}

async function playerIntoRouter() {
  const ingress = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
  const port = ingress.tuple.localPort;
  const player = await Player.open({ url: clip, videoPort: port, audioPort: port, videoSsrc: 3333, audioSsrc: 4444, logger });
  const video = await ingress.produce({ kind: 'video', rtpParameters: playerRtpParameters('video', player) });
  const audio = await ingress.produce({ kind: 'audio', rtpParameters: playerRtpParameters('audio', player) });
  return { player, video, audio, close: async () => (await player.stop(), ingress.close()) };
}

function probe(file: string): { duration: number; codecs: string[] } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file]).toString()) as {
    format: { duration?: string };
    streams: { codec_name: string }[];
  };
  return { duration: Number(out.format.duration ?? NaN), codecs: out.streams.map((s) => s.codec_name).sort() };
}
/** Mean colour of the frame at t seconds (decoded from the start: an unfinished file has no cues). */
function colourAt(file: string, t: number): [number, number, number] {
  const px = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ss', String(t), '-frames:v', '1', '-vf', 'scale=1:1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-']);
  return [px[0]!, px[1]!, px[2]!];
}
/** Mean level (dB) of a band around f Hz, between from and to seconds. */
function bandLevel(file: string, f: number, from = 0, to = 1e6): number {
  const r = spawnSync('ffmpeg', ['-i', file, '-vn', '-af', `atrim=${from}:${to},bandpass=f=${f}:width_type=h:w=30,volumedetect`, '-f', 'null', '-']);
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(r.stderr.toString())?.[1] ?? NaN);
}
function decodedSeconds(file: string, stream: 'v' | 'a'): number {
  const r = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', `0:${stream}`, '-f', 'null', '-', '-progress', 'pipe:1']).toString();
  const times = [...r.matchAll(/out_time_us=(\d+)/g)].map((m) => Number(m[1]));
  return Math.max(0, ...times) / 1e6;
}
/** utime + stime of a process in seconds (from /proc/<pid>/stat; CLK_TCK is 100 on Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('TrackRecorder through a mediasoup router', () => {
  it('writes VP8 and Opus tracks without re-encoding: right duration, colours, tone; a muted camera is a gap, not a stall', async () => {
    const src = await playerIntoRouter();
    const vfile = join(dir, 'member-video.webm');
    const afile = join(dir, 'member-audio.webm');
    const v = await record(vfile, src.video);
    const a = await record(afile, src.audio);
    expect([v.recorder.kind, a.recorder.kind]).toEqual(['video', 'audio']);
    const firstKey = new Promise<number>((resolve) => v.recorder.once('firstKeyFrame', () => resolve(Date.now())));
    const t0 = Date.now();
    await src.player.play();
    expect((await firstKey) - t0).toBeLessThan(1500);
    await sleep(300);
    // Both files' time 0 in wall-clock ms, for lining them up: they start with the same played media.
    expect(v.recorder.startedAt).not.toBeNull();
    expect(Math.abs(v.recorder.startedAt! - a.recorder.startedAt!)).toBeLessThan(300);
    await sleep(1000);
    const cpu0 = [cpuSeconds(v.recorder.pid!), cpuSeconds(a.recorder.pid!)];
    const cpuT0 = Date.now();
    await sleep(1500);
    // Camera muted for 1.8 s (producer paused: no video RTP at all).
    await src.video.pause();
    await sleep(1800);
    await src.video.resume();
    await sleep(9200 - (Date.now() - t0));
    const secs = (Date.now() - cpuT0) / 1000;
    const [cpuV, cpuA] = [(cpuSeconds(v.recorder.pid!) - cpu0[0]!) / secs, (cpuSeconds(a.recorder.pid!) - cpu0[1]!) / secs];
    console.log(`track recorder: CPU over ${secs.toFixed(1)} s: VP8 640x360 track ${(cpuV * 100).toFixed(2)}% of a core, Opus track ${(cpuA * 100).toFixed(2)}%`);
    const [vr, ar] = [await v.recorder.stop(), await a.recorder.stop()];
    expect(await v.recorder.stop()).toEqual(vr);
    v.close();
    a.close();
    await src.close();

    for (const r of [vr, ar]) {
      expect(r.durationMs).toBeGreaterThan(8000);
      expect(r.durationMs).toBeLessThan(10_000);
    }
    const pv = probe(vfile);
    const pa = probe(afile);
    console.log(`track recorder: video ${vr.bytes} B ${pv.duration} s ${pv.codecs.join()}, audio ${ar.bytes} B ${pa.duration} s ${pa.codecs.join()}`);
    expect(pv.codecs).toEqual(['vp8']);
    expect(pa.codecs).toEqual(['opus']);
    for (const p of [pv, pa]) {
      expect(p.duration).toBeGreaterThan(8);
      expect(p.duration).toBeLessThan(10);
    }
    const [r1, g1, b1] = colourAt(vfile, 1);
    expect(r1).toBeGreaterThan(180);
    expect(Math.max(g1, b1)).toBeLessThan(70);
    const [r2, g2, b2] = colourAt(vfile, 8.5);
    expect(b2).toBeGreaterThan(180);
    expect(Math.max(r2, g2)).toBeLessThan(70);
    const tone = bandLevel(afile, 440);
    const other = bandLevel(afile, 1000);
    console.log(`track recorder: 440 Hz ${tone} dB, 1 kHz ${other} dB`);
    expect(tone - other).toBeGreaterThan(25);
    expect(decodedSeconds(afile, 'a')).toBeGreaterThan(8);
  }, 90_000);

  it('SIGKILL mid-way leaves a file that decodes up to the kill', async () => {
    const src = await playerIntoRouter();
    const file = join(dir, 'killed.mkv');
    const rec = await record(file, src.video);
    const exit = new Promise((resolve) => rec.recorder.once('exit', resolve));
    await src.player.play();
    await sleep(3000);
    rec.recorder.kill('SIGKILL');
    expect(await exit).toMatchObject({ signal: 'SIGKILL', expected: false });
    await expect(rec.recorder.stop()).rejects.toMatchObject({ code: 'media_error' });
    rec.close();
    await src.close();
    execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']); // throws on a decode error
    expect(probe(file).codecs).toEqual(['vp8']);
    const v = decodedSeconds(file, 'v');
    console.log(`track recorder: killed after 3 s, ${v.toFixed(2)} s of video decodable`);
    expect(v).toBeGreaterThan(2.3);
    expect(colourAt(file, 1)[0]).toBeGreaterThan(180);
  }, 90_000);

  it('records H.264 (into .mkv) as sent, and refuses bad requests', async () => {
    const ingress = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    const producer = await ingress.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } }],
        encodings: [{ ssrc: 5555 }],
      },
    });
    const file = join(dir, 'h264.mkv');
    const rec = await record(file, producer);
    const sender = spawn('gst-launch-1.0', [
      ...'-q videotestsrc is-live=true pattern=solid-color foreground-color=0xff00ff00 ! video/x-raw,width=320,height=240,framerate=30/1'.split(' '),
      ...'! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! video/x-h264,profile=constrained-baseline'.split(' '),
      ...`! rtph264pay pt=102 ssrc=5555 config-interval=-1 ! udpsink host=127.0.0.1 port=${ingress.tuple.localPort}`.split(' '),
    ]);
    try {
      await sleep(3000);
      const result = await rec.recorder.stop();
      expect(result.durationMs).toBeGreaterThan(2000);
    } finally {
      sender.kill('SIGKILL');
      rec.close();
      ingress.close();
    }
    expect(probe(file).codecs).toEqual(['h264']);
    const [r, g, b] = colourAt(file, 1);
    expect(g).toBeGreaterThan(180);
    expect(Math.max(r, b)).toBeLessThan(70);

    await expect(TrackRecorder.start({ path: join(dir, 'x.webm'), video: { codec: 'H264', payloadType: 102 }, logger })).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(TrackRecorder.start({ path: join(dir, 'no-such-dir', 'x.mkv'), audio: { payloadType: 100 }, logger })).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(TrackRecorder.start({ path: join(dir, 'x.mp4'), audio: { payloadType: 100 }, logger })).rejects.toMatchObject({ code: 'invalid_params' });
    // @ts-expect-error: exactly one track per recorder
    await expect(TrackRecorder.start({ path: join(dir, 'x.mkv'), logger })).rejects.toMatchObject({ code: 'invalid_params' });
  }, 90_000);
});
