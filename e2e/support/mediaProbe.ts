import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What a media file or stream holds, read with Debian's ffprobe/ffmpeg: structure, colours, tones. */
const run = promisify(execFile);

export interface Probe {
  durationS: number;
  video?: { codec: string; width: number; height: number };
  audio?: { codec: string; sampleRate: number; channels: number };
}

export async function probe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,sample_rate,channels', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { format: { duration?: string }; streams: Array<Record<string, string | number>> };
  const v = j.streams.find((s) => s.codec_type === 'video');
  const a = j.streams.find((s) => s.codec_type === 'audio');
  return {
    durationS: Number(j.format.duration ?? NaN),
    ...(v ? { video: { codec: String(v.codec_name), width: Number(v.width), height: Number(v.height) } } : {}),
    ...(a ? { audio: { codec: String(a.codec_name), sampleRate: Number(a.sample_rate), channels: Number(a.channels) } } : {}),
  };
}

/** Decoded duration of the video stream (counts frames, so it works on a file that was never finalised). */
export async function decodedVideoSeconds(file: string): Promise<number> {
  // A cut-off file ends in a broken packet: ffmpeg then exits non-zero after decoding the rest.
  const stderr = await run('ffmpeg', ['-v', 'info', '-i', file, '-map', '0:v:0', '-f', 'null', '-'], { maxBuffer: 1 << 24 })
    .then((r) => r.stderr, (err: { stderr?: string }) => err.stderr ?? '');
  const times = [...stderr.matchAll(/time=(\d+):(\d+):([\d.]+)/g)];
  const last = times.at(-1);
  return last ? Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]) : 0;
}

/** Average colour of a 16x16 square centred on (x, y) at time t of a file. */
export async function colourAt(file: string, t: number, x: number, y: number): Promise<{ r: number; g: number; b: number }> {
  // -ss on a still image (a JPEG) yields no frame at all.
  const { stdout } = await run('ffmpeg', ['-v', 'error', ...(t > 0 ? ['-ss', String(t)] : []), '-i', file, '-frames:v', '1', '-vf', `crop=16:16:${x - 8}:${y - 8},scale=1:1`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { encoding: 'buffer' });
  return { r: stdout[0] ?? 0, g: stdout[1] ?? 0, b: stdout[2] ?? 0 };
}

/** Mean level (dB) of the audio in a narrow band around `frequency`, over [from, to) seconds. */
export async function toneLevel(file: string, frequency: number, from = 0, to?: number): Promise<number> {
  const args = ['-v', 'info', '-ss', String(from), ...(to !== undefined ? ['-t', String(to - from)] : []), '-i', file, '-map', '0:a:0',
    '-af', `bandpass=f=${frequency}:width_type=h:w=30,bandpass=f=${frequency}:width_type=h:w=30,volumedetect`, '-f', 'null', '-'];
  const { stderr } = await run('ffmpeg', args, { maxBuffer: 1 << 24 });
  const m = /mean_volume: (-?[\d.]+) dB/.exec(stderr);
  return m ? Number(m[1]) : -120;
}

/** The levels of several tones and of a frequency none of them is near, to compare against. */
export async function toneLevels(file: string, frequencies: number[], from = 0, to?: number): Promise<{ levels: Record<number, number>; floor: number }> {
  const levels: Record<number, number> = {};
  for (const f of frequencies) levels[f] = await toneLevel(file, f, from, to);
  return { levels, floor: await toneLevel(file, 1500, from, to) };
}
