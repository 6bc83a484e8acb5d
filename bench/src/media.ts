import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One RTP payload of the pre-encoded stream, with when (ms from loop start) and which RTP timestamp it goes out at. */
export interface MediaPacket {
  payload: Buffer;
  marker: boolean;
  atMs: number;
  rtpTs: number;
  keyframe: boolean;
}

export interface MediaClip {
  durationMs: number;
  /** RTP timestamp units per loop (so a looping sender keeps timestamps increasing). */
  rtpTsPerLoop: number;
  packets: MediaPacket[];
}

export interface BenchMedia {
  video: MediaClip;
  audio: MediaClip;
  /** With --simulcast: the publisher's VP8 layers, lowest first (the top one is `video`). */
  simulcast?: SimulcastLayer[];
}

export interface SimulcastLayer {
  clip: MediaClip;
  width: number;
  height: number;
  /** The encoder's target, bits per second (declared as the encoding's maxBitrate). */
  bitrate: number;
}

/** Top layer = the single-layer clip, so a viewer on it gets the very packets the default run forwards. */
const TOP = { width: 640, height: 360, bitrate: 600_000 };
const LOWER = [{ width: 160, height: 90, bitrate: 100_000 }, { width: 320, height: 180, bitrate: 250_000 }];

const SECONDS = 10;
const FPS = 30;
const MAX_VP8_PAYLOAD = 1100;

/**
 * Pre-encoded media every synthetic participant replays: VP8 640x360 30 fps ~600 kbit/s (keyframe
 * every 2 s) and Opus 20 ms frames, made once with ffmpeg and cached. No bot ever encodes.
 */
export function loadBenchMedia(): BenchMedia {
  const dir = join(homedir(), '.cache', 'parley', 'bench-media-v1');
  const ivf = join(dir, 'video.ivf');
  const ogg = join(dir, 'audio.ogg');
  if (!existsSync(ivf) || !existsSync(ogg)) {
    mkdirSync(dir, { recursive: true });
    const ff = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'inherit' });
    ff(['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=${FPS}`, '-t', String(SECONDS), '-c:v', 'libvpx', '-b:v', '600k', '-deadline', 'realtime', '-cpu-used', '8',
      '-g', '60', '-keyint_min', '60', '-auto-alt-ref', '0', '-lag-in-frames', '0', '-f', 'ivf', `${ivf}.tmp`]);
    ff(['-f', 'lavfi', '-i', 'aevalsrc=0.3*sin(2*PI*440*t)+0.05*random(0):s=48000', '-t', String(SECONDS), '-c:a', 'libopus', '-b:a', '32k',
      '-frame_duration', '20', '-application', 'voip', '-f', 'ogg', `${ogg}.tmp`]);
    execFileSync('mv', [`${ivf}.tmp`, ivf]);
    execFileSync('mv', [`${ogg}.tmp`, ogg]);
  }
  return { video: packetizeVp8(readIvf(readFileSync(ivf))), audio: packetizeOpus(readOggPackets(readFileSync(ogg))) };
}

/**
 * The three simulcast layers: 160x90 and 320x180 encoded like the main clip (same source, GOP and
 * keyframe times, so a layer switch waits no longer than in a browser), cached beside it.
 */
export function loadSimulcastLayers(media: BenchMedia): SimulcastLayer[] {
  const dir = join(homedir(), '.cache', 'parley', 'bench-media-v1');
  const lower = LOWER.map((l) => {
    const ivf = join(dir, `video-${l.width}x${l.height}.ivf`);
    if (!existsSync(ivf)) {
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${l.width}x${l.height}:rate=${FPS}`, '-t', String(SECONDS),
        '-c:v', 'libvpx', '-b:v', String(l.bitrate), '-deadline', 'realtime', '-cpu-used', '8', '-g', '60', '-keyint_min', '60', '-auto-alt-ref', '0', '-lag-in-frames', '0',
        '-f', 'ivf', `${ivf}.tmp`], { stdio: 'inherit' });
      execFileSync('mv', [`${ivf}.tmp`, ivf]);
    }
    return { ...l, clip: packetizeVp8(readIvf(readFileSync(ivf))) };
  });
  return [...lower, { ...TOP, clip: media.video }];
}

function readIvf(buf: Buffer): Buffer[] {
  if (buf.toString('ascii', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: Buffer[] = [];
  let off = buf.readUInt16LE(6);
  while (off + 12 <= buf.length) {
    const size = buf.readUInt32LE(off);
    frames.push(buf.subarray(off + 12, off + 12 + size));
    off += 12 + size;
  }
  return frames;
}

/** RFC 7741 packetization with a 15-bit PictureID. */
function packetizeVp8(frames: Buffer[]): MediaClip {
  const packets: MediaPacket[] = [];
  frames.forEach((frame, i) => {
    const keyframe = ((frame[0] ?? 1) & 0x01) === 0;
    const pictureId = i & 0x7fff;
    for (let off = 0; off < frame.length; off += MAX_VP8_PAYLOAD) {
      const chunk = frame.subarray(off, Math.min(frame.length, off + MAX_VP8_PAYLOAD));
      const desc = Buffer.from([off === 0 ? 0x90 : 0x80, 0x80, 0x80 | (pictureId >> 8), pictureId & 0xff]);
      packets.push({ payload: Buffer.concat([desc, chunk]), marker: off + MAX_VP8_PAYLOAD >= frame.length, atMs: (i * 1000) / FPS, rtpTs: i * (90000 / FPS), keyframe });
    }
  });
  return { durationMs: (frames.length * 1000) / FPS, rtpTsPerLoop: frames.length * (90000 / FPS), packets };
}

function readOggPackets(buf: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let off = 0;
  while (off + 27 <= buf.length && buf.toString('ascii', off, off + 4) === 'OggS') {
    const nsegs = buf[off + 26] ?? 0;
    let data = off + 27 + nsegs;
    for (let s = 0; s < nsegs; s++) {
      const len = buf[off + 27 + s] ?? 0;
      pending.push(buf.subarray(data, data + len));
      data += len;
      if (len < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    off = data;
  }
  return packets.slice(2); // OpusHead, OpusTags
}

function packetizeOpus(frames: Buffer[]): MediaClip {
  const packets = frames.map((payload, i) => ({ payload, marker: false, atMs: i * 20, rtpTs: i * 960, keyframe: false }));
  return { durationMs: frames.length * 20, rtpTsPerLoop: frames.length * 960, packets };
}
