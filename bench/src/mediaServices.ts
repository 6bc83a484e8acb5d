import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Video } from '@parley/server-sdk';
import { SECRET, freePort, type ParleyServerProcess } from './parleyServer.js';
import { CpuMeter, childPids } from './procStat.js';
import type { BenchRoom, Bot } from './targets.js';
import { f, pct, sleep } from './util.js';

/**
 * The media services' costs (issue 11): CPU of a room composite with recording + RTMP stream +
 * preview for 4 and 9 publishers, the preview's own cost, time from startRecording() to the first
 * frame in the file, glass-to-glass stream latency and A/V offset in the file (both from a played
 * clip whose white flash and beep happen at the same instant every 2 s).
 */
export interface CompositeCost {
  inputs: number;
  /** Share of one core: the program composite (decode N, compose 1280x720@30, x264 + AAC, mp4 + RTMP). */
  programCores: number;
  /** The room's preview composite (320x180 from the lowest layers, JPEG every few seconds). */
  previewCores: number;
  firstFrameMs: number;
  recordingBytesPerS: number;
  /** Tracks-mode recording of the same room: CPU per track (no decode, no encode). */
  trackCoresPerTrack: number;
  tracks: number;
}

export interface MediaServicesResult {
  composites: CompositeCost[];
  latencyMs: number[];
  avOffsetMs: number[];
}

const run = promisify(execFile);
const CLIP_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'parley');

/** A 20 s VP8/Opus clip: black with a white flash and a 1 kHz beep for 100 ms every 2 s. */
function flashClip(): string {
  const file = join(CLIP_DIR, 'bench-flash-beep-v1.webm');
  if (existsSync(file)) return file;
  mkdirSync(CLIP_DIR, { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y',
    '-f', 'lavfi', '-i', "color=c=black:s=640x360:r=30:d=20,drawbox=enable='lt(mod(t\\,2)\\,0.1)':color=white:t=fill",
    '-f', 'lavfi', '-i', "sine=f=1000:r=48000:d=20,volume=enable='gte(mod(t\\,2)\\,0.1)':volume=0",
    '-c:v', 'libvpx', '-b:v', '600k', '-g', '15', '-c:a', 'libopus', '-b:a', '64k', `${file}.tmp.webm`]);
  execFileSync('mv', [`${file}.tmp.webm`, file]);
  return file;
}

/** A one-publisher RTMP server: ffmpeg copying to a file, or decoding one cell to a 1x1 grey value per frame on stdout. */
async function rtmpServer(out: { file: string } | { cell: { x: number; y: number; w: number; h: number }; onFrame: (luma: number, at: number) => void }): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const url = `rtmp://127.0.0.1:${port}/live/bench`;
  const input = ['-v', 'error', '-listen', '1', '-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '32768', '-analyzeduration', '0', '-i', url];
  const args = 'file' in out
    ? [...input, '-c', 'copy', '-f', 'flv', out.file]
    : [...input, '-an', '-vf', `crop=${out.cell.w}:${out.cell.h}:${out.cell.x}:${out.cell.y},scale=1:1,format=gray`, '-f', 'rawvideo', '-'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  if (!('file' in out)) child.stdout.on('data', (d: Buffer) => { for (const b of d) out.onFrame(b, performance.now()); });
  await sleep(300);
  return { url, stop: () => child.kill('SIGKILL') };
}

async function roomSession(client: Video.Client, name: string): Promise<Video.RoomSession> {
  for (let i = 0; i < 50; i++) {
    const s = (await client.getRoomSessionsInProgress()).roomSessions.find((r) => r.name === name);
    if (s) return s;
    await sleep(100);
  }
  throw new Error(`room session ${name} did not start`);
}

/** Polls the file until ffprobe finds a decodable video frame in it. */
async function waitFirstFrame(file: string, since: number): Promise<number> {
  for (;;) {
    if (existsSync(file) && statSync(file).size > 0) {
      const r = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file]).catch(() => ({ stdout: '0' }));
      if (Number(r.stdout.trim()) > 0) return performance.now() - since;
    }
    if (performance.now() - since > 15_000) return NaN;
    await sleep(50);
  }
}

export async function measureMediaServices(server: ParleyServerProcess, room: (name: string) => Promise<BenchRoom>, windowS: number): Promise<MediaServicesResult> {
  const client = new Video.Client({ project: 'parley-dev-key', token: SECRET, host: server.url });
  await client.connect();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-media-'));
  const composites: CompositeCost[] = [];
  try {
    for (const inputs of [4, 9]) composites.push(await compositeCost(server, client, await room(`composite-${inputs}`), `composite-${inputs}`, inputs, windowS, dir));
    const timing = await flashTiming(server, client, await room('flash'), dir);
    return { composites, ...timing };
  } finally {
    client.disconnect();
  }
}

async function compositeCost(server: ParleyServerProcess, client: Video.Client, room: BenchRoom, name: string, inputs: number, windowS: number, dir: string): Promise<CompositeCost> {
  const bots: Bot[] = [];
  const rtmps: Array<{ stop: () => void }> = [];
  try {
    for (let i = 0; i < inputs; i++) {
      const bot = await room.join(`pub-${i}`);
      await bot.publish({ audio: true, video: true, simulcast: true });
      bots.push(bot);
    }
    const session = await roomSession(client, name);
    await sleep(3000);
    const before = new Set(childPids(server.pid, 'python'));
    const preview = [...before];
    const rtmp = await rtmpServer({ file: join(dir, `${name}.flv`) });
    rtmps.push(rtmp);
    const t0 = performance.now();
    const rec = await session.startRecording();
    const file = join(server.dataDir, 'recordings', session.id, `${rec.id}.mp4`);
    const firstFrameMs = await waitFirstFrame(file, t0);
    const stream = await session.startStream({ url: rtmp.url });
    const program = childPids(server.pid, 'python').filter((p) => !before.has(p));
    await sleep(3000);
    const programMeter = new CpuMeter(program);
    const previewMeter = new CpuMeter(preview);
    const size0 = statSync(file).size;
    programMeter.start();
    previewMeter.start();
    await sleep(windowS * 1000);
    const p = programMeter.read();
    const pv = previewMeter.read();
    const bytes = statSync(file).size - size0;
    await stream.stop();
    await rec.stop();
    rtmp.stop();
    // The same room recorded per track: one recorder process per audio and video track.
    const beforeTracks = new Set(childPids(server.pid, 'python'));
    const tracksRec = await session.startRecording({ mode: 'tracks' });
    await sleep(2000);
    const recorders = childPids(server.pid, 'python').filter((pid) => !beforeTracks.has(pid));
    const trackMeter = new CpuMeter(recorders);
    trackMeter.start();
    await sleep(windowS * 1000);
    const tr = trackMeter.read();
    await tracksRec.stop();
    const cost = {
      inputs, programCores: p.cores, previewCores: pv.cores, firstFrameMs, recordingBytesPerS: bytes / (p.wallMs / 1000),
      trackCoresPerTrack: tr.cores / Math.max(1, recorders.length), tracks: recorders.length,
    };
    console.log(`media | tracks-mode recording of ${inputs} publishers: ${recorders.length} track recorders, ${f(cost.trackCoresPerTrack * 100, 2)}% of a core per track`);
    console.log(`media | composite of ${inputs} (recording + RTMP + preview): program ${f(p.cores * 100, 1)}% core (pids ${program.join(',')}), preview ${f(pv.cores * 100, 1)}% core, first frame in the file after ${f(firstFrameMs, 0)} ms, ${f(cost.recordingBytesPerS / 1000, 0)} kB/s`);
    return cost;
  } finally {
    for (const r of rtmps) r.stop();
    for (const b of bots) b.close();
    await sleep(1000);
  }
}

/**
 * A played flash+beep clip in reserved-1 of a highlight layout, recorded and streamed: latency is
 * the playback's position when the flash reaches the RTMP receiver minus the flash's time in the
 * clip; the A/V offset is beep onset minus flash onset in the recorded file.
 */
async function flashTiming(server: ParleyServerProcess, client: Video.Client, room: BenchRoom, dir: string): Promise<{ latencyMs: number[]; avOffsetMs: number[] }> {
  // The host sends no audio: the beep is the only sound in the mix.
  const bot = await room.join('host');
  await bot.publish({ audio: false, video: true });
  const session = await roomSession(client, 'flash');
  await session.subscribe();
  const latencyMs: number[] = [];
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  // reserved-1 of highlight-1-responsive: x 12.5..87.5%, y 0..75% of 1280x720.
  const rtmp = await rtmpServer({
    cell: { x: 600, y: 230, w: 80, h: 80 },
    onFrame: (luma) => {
      if (luma > 160 && last < 64) {
        pending = pending.then(async () => {
          const pb = (await session.getPlaybacks()).playbacks.find((p) => p.state === 'playing');
          if (!pb) return;
          const since = pb.position % 2000;
          if (since < 1500) latencyMs.push(since);
        });
      }
      last = luma;
    },
  });
  let rec: Awaited<ReturnType<Video.RoomSession['startRecording']>>;
  try {
    rec = await session.startRecording();
    await session.startStream({ url: rtmp.url });
    await sleep(1500);
    const playback = await session.play({ url: flashClip(), layout: 'highlight-1-responsive', positions: { self: 'reserved-1' } });
    await sleep(17_000);
    await playback.stop().catch(() => undefined);
    await pending;
    await rec.stop();
  } finally {
    rtmp.stop();
    bot.close();
  }
  const file = join(server.dataDir, 'recordings', session.id, `${rec.id}.mp4`);
  const avOffsetMs = await avOffsets(file, dir);
  console.log(`media | stream latency (flash to RTMP receiver decode) p50 ${f(pct(latencyMs, 50), 0)} ms over ${latencyMs.length} flashes; A/V offset in the file ${avOffsetMs.map((x) => f(x, 0)).join(', ')} ms`);
  return { latencyMs, avOffsetMs };
}

/** Beep onsets minus flash onsets (ms) in a recorded file, each stream at its own start time. */
async function avOffsets(file: string, dir: string): Promise<number[]> {
  const starts = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,start_time', '-of', 'csv=p=0', file]);
  const start = Object.fromEntries(starts.stdout.trim().split('\n').map((l) => l.split(',')).map(([t, s]) => [t, Number(s)]));
  const frames = (await run('ffmpeg', ['-v', 'error', '-i', file, '-an', '-vf', 'crop=80:80:600:230,scale=1:1,format=gray', '-vsync', 'passthrough', '-f', 'rawvideo', '-'], { encoding: 'buffer', maxBuffer: 1 << 26 })).stdout;
  void start.video;
  const pts = (await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', file], { maxBuffer: 1 << 26 })).stdout.trim().split('\n').map(Number);
  const flashes: number[] = [];
  for (let i = 1; i < frames.length; i++) if (frames[i]! > 160 && frames[i - 1]! < 64) flashes.push((pts[i] ?? NaN) * 1000);
  const pcm = (await run('ffmpeg', ['-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', '8000', '-af', 'bandpass=f=1000:width_type=h:w=200', '-f', 's16le', '-'], { encoding: 'buffer', maxBuffer: 1 << 26 })).stdout;
  const beeps: number[] = [];
  const win = 40; // 5 ms at 8 kHz
  let quiet = true;
  for (let i = 0; i + win <= pcm.length / 2; i += win) {
    let peak = 0;
    for (let j = i; j < i + win; j++) peak = Math.max(peak, Math.abs(pcm.readInt16LE(j * 2)));
    if (peak > 1500 && quiet) beeps.push(((start.audio ?? 0) + i / 8000) * 1000);
    quiet = peak < 500;
  }
  void dir;
  console.log(`media | A/V: ${flashes.length} flashes at ${flashes.map((x) => f(x, 0)).join(' ')} ms; ${beeps.length} beeps at ${beeps.map((x) => f(x, 0)).join(' ')} ms (file ${file})`);
  const out: number[] = [];
  for (const fl of flashes) {
    const b = beeps.find((x) => Math.abs(x - fl) < 500);
    if (b !== undefined) out.push(b - fl);
  }
  return out;
}

export function mediaServicesSection(r: MediaServicesResult | undefined): string {
  if (!r) return '';
  const rows = r.composites.map((c) => `| ${c.inputs} publishers (3-layer VP8 simulcast + Opus each) | ${f(c.programCores, 3)} | ${f(1 / c.programCores, 1)} | ${f(c.previewCores, 3)} | ${f(c.firstFrameMs, 0)} | ${f(c.recordingBytesPerS * 8 / 1000, 0)} | ${f(c.trackCoresPerTrack * 100, 2)}% (${c.tracks} tracks) |`);
  return `## Media services (recording, RTMP streaming, previews)

The room composite runs in a GStreamer process per room (\`packages/server/src/media/compositor\`): it decodes each
publisher's video and audio from a mediasoup PlainTransport, composes the room's layout at 1280x720 30 fps, mixes the
audio, encodes once (x264 ultrafast/zerolatency 2.5 Mbit/s + AAC) and feeds a fragmented MP4 recording and an RTMP stream
(to a local ffmpeg RTMP server) from that one encode. The preview is a second, small composite (320x180 from the lowest
simulcast layers, a JPEG every few seconds). Bench bots publish the bench clip; CPU is the engine processes' over the window.

| room | program composite CPU (core) | composites per core | preview CPU (core) | startRecording → first frame in file (ms) | recording kbit/s | tracks mode, CPU per track |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

- Glass-to-glass stream latency (a played clip's white flash, from the player's position to its decode at the RTMP
  receiver): p50 ${f(pct(r.latencyMs, 50), 0)} ms, p90 ${f(pct(r.latencyMs, 90), 0)} ms over ${r.latencyMs.length} flashes.
- A/V offset in the recorded file (beep onset − flash onset of the same instant; + = audio late): median
  ${f(pct(r.avOffsetMs, 50), 0)} ms over ${r.avOffsetMs.length} pairs (${r.avOffsetMs.map((x) => f(x, 0)).join(', ')} ms; under load a composite frame can
  come late, and its flash then lands on a later frame: an outlier of tens to hundreds of ms).
- Anchor: LiveKit's room-composite egress runs headless Chrome and reserves several CPUs per composite; Jitsi's Jibri
  records one meeting per machine.
`;
}
