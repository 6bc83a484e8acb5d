import { execFileSync } from 'node:child_process';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { ROUTER_MEDIA_CODECS } from '../../sfu/mediaCodecs.js';

/** Test media: a 10 s H.264/AAC clip, red for 5 s then blue, with a 440 Hz tone throughout. */
export function makeRedBlueClip(path: string): void {
  execFileSync('ffmpeg', [
    ...['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=640x360:r=30:d=5', '-f', 'lavfi', '-i', 'color=c=blue:s=640x360:r=30:d=5'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10'],
    ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-map', '2:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', path],
  ]);
}

/** A real mediasoup worker and router with the rooms' codecs, for engine tests. */
export async function startTestRouter(): Promise<{ worker: types.Worker; router: types.Router }> {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  return { worker, router: await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS }) };
}
