import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

/** Test helpers: synthetic RTP senders, an RTMP server, and content probes of what was written. */
const exec = promisify(execFile);

export interface Sender {
  proc: ChildProcess;
  stop(): Promise<void>;
}

function track(proc: ChildProcess): Sender {
  return {
    proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** A solid-colour VP8 stream (and optionally an Opus tone) from gst-launch, as RTP to loopback ports. */
export function rtpSender(opts: { videoPort?: number; rgb?: number; audioPort?: number; freq?: number }): Sender {
  const args = ['-q'];
  if (opts.videoPort !== undefined) {
    args.push(
      ...`videotestsrc pattern=solid-color foreground-color=0xff${(opts.rgb ?? 0).toString(16).padStart(6, '0')} is-live=true`.split(' '),
      ...'! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 cpu-used=8'.split(' '),
      ...`! rtpvp8pay pt=96 ! udpsink host=127.0.0.1 port=${opts.videoPort} sync=false`.split(' '),
    );
  }
  if (opts.audioPort !== undefined) {
    args.push(
      ...`audiotestsrc freq=${opts.freq ?? 440} volume=0.5 is-live=true ! opusenc ! rtpopuspay pt=100`.split(' '),
      ...`! udpsink host=127.0.0.1 port=${opts.audioPort} sync=false`.split(' '),
    );
  }
  return track(spawn('gst-launch-1.0', args, { stdio: 'ignore' }));
}

/** A solid-colour H.264 stream (x264, gst-launch) as RTP, payload type 102. */
export function h264Sender(port: number, rgb: number): Sender {
  const pipeline =
    `videotestsrc pattern=solid-color foreground-color=0xff${rgb.toString(16).padStart(6, '0')} is-live=true ! video/x-raw,width=320,height=240,framerate=15/1 ` +
    `! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! rtph264pay pt=102 config-interval=1 ! udpsink host=127.0.0.1 port=${port} sync=false`;
  return track(spawn('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: 'ignore' }));
}

/** Once a second: a white flash in the video and a 1 kHz beep in the audio, at the same instant (ffmpeg). */
export function flashBeepSender(videoPort: number, audioPort: number): Sender {
  const args = [
    '-v', 'error', '-re', '-f', 'lavfi', '-i', "color=c=black:s=320x240:r=30,drawbox=c=white:t=fill:enable='lt(mod(t,1),0.2)'",
    '-re', '-f', 'lavfi', '-i', "aevalsrc='if(lt(mod(t,1),0.2),0.5*sin(2*PI*1000*t),0)':s=48000",
    '-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '15', '-b:v', '400k', '-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${videoPort}`,
    '-map', '1:a', '-c:a', 'libopus', '-f', 'rtp', '-payload_type', '100', `rtp://127.0.0.1:${audioPort}`,
  ];
  return track(spawn('ffmpeg', args, { stdio: 'ignore' }));
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

/** A one-publisher RTMP server (ffmpeg -listen 1) writing what it receives to an FLV file. */
export async function rtmpServer(out: string): Promise<{ url: string; proc: ChildProcess; stop(signal?: NodeJS.Signals): Promise<void> }> {
  const port = await freePort();
  const proc = spawn('ffmpeg', ['-v', 'error', '-y', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/key`, '-c', 'copy', out], { stdio: 'ignore' });
  // Wait until it listens (without connecting: it accepts one connection only).
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (let i = 0; i < 100; i++) {
    if (readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => l.includes(`0100007F:${hexPort} 00000000:0000 0A`))) break;
    await sleep(50);
  }
  return {
    url: `rtmp://127.0.0.1:${port}/live/key`,
    proc,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill(signal);
      await exited;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Mean RGB of a WxH square at (x, y), at time t of a media file (or of an image). */
export async function colourAt(file: string, t: number | undefined, x: number, y: number, size = 20): Promise<[number, number, number]> {
  const args = ['-v', 'error', ...(t !== undefined ? ['-ss', String(t)] : []), '-i', file, '-vf', `crop=${size}:${size}:${x}:${y},scale=1:1`, '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'];
  const { stdout } = await exec('ffmpeg', args, { encoding: 'buffer' });
  return [stdout[0] ?? -1, stdout[1] ?? -1, stdout[2] ?? -1];
}

/** Which of red/green/blue/black/white a colour is closest to. */
export function colourName([r, g, b]: [number, number, number]): string {
  const named: Record<string, [number, number, number]> = { red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255], black: [0, 0, 0], white: [255, 255, 255] };
  let best = '';
  let dist = Infinity;
  for (const [name, [R, G, B]] of Object.entries(named)) {
    const d = (r - R) ** 2 + (g - G) ** 2 + (b - B) ** 2;
    if (d < dist) [best, dist] = [name, d];
  }
  return best;
}

/** Mean volume (dB) of the audio around frequency f, between start and start + duration. */
export async function toneLevel(file: string, f: number, start = 0, duration?: number): Promise<number> {
  const args = ['-hide_banner', '-ss', String(start), ...(duration ? ['-t', String(duration)] : []), '-i', file, '-vn', '-af', `bandpass=f=${f}:width_type=h:w=30,volumedetect`, '-f', 'null', '-'];
  const { stderr } = await exec('ffmpeg', args);
  const m = /mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  return m ? (m[1] === '-inf' ? -200 : Number(m[1])) : -200;
}

export async function probe(file: string): Promise<{ duration: number; streams: string[]; videoFrames: number }> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'format=duration:stream=codec_name,codec_type,nb_read_packets', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { format: { duration?: string }; streams: { codec_name: string; codec_type: string; nb_read_packets?: string }[] };
  const video = j.streams.find((s) => s.codec_type === 'video');
  return { duration: Number(j.format.duration ?? 0), streams: j.streams.map((s) => s.codec_name), videoFrames: Number(video?.nb_read_packets ?? 0) };
}

/** Decodes the whole file; returns the number of video frames decoded and the decode errors. */
export async function decode(file: string): Promise<{ frames: number; errors: string }> {
  const { stdout, stderr } = await exec('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
  return { frames: Number(stdout.trim()), errors: stderr.trim() };
}

/** Times (s) where a square region turns from black to bright, and where the audio leaves silence. */
export async function flashAndBeepOnsets(file: string, x: number, y: number): Promise<{ flashes: number[]; beeps: number[] }> {
  const v = await exec('ffmpeg', ['-hide_banner', '-i', file, '-an', '-vf', `crop=40:40:${x}:${y},blackdetect=d=0.05:pix_th=0.2`, '-f', 'null', '-']);
  const a = await exec('ffmpeg', ['-hide_banner', '-i', file, '-vn', '-af', 'silencedetect=n=-30dB:d=0.1', '-f', 'null', '-']);
  const flashes = [...v.stderr.matchAll(/black_end:([\d.]+)/g)].map((m) => Number(m[1]));
  const beeps = [...a.stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
  return { flashes, beeps };
}

/** Fraction of one core used by a process (utime + stime from /proc/<pid>/stat) over ms. */
export async function cpuOf(pid: number, ms: number): Promise<number> {
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const t0 = ticks();
  const w0 = Date.now();
  await sleep(ms);
  return (ticks() - t0) / 100 / ((Date.now() - w0) / 1000);
}
