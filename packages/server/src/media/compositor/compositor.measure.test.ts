import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Compositor, type LayoutCell } from './compositor.js';
import { cpuOf, probe, rtmpServer, sleep } from './testMedia.js';

/**
 * CPU of one 720p30 composite (N inputs of 640x360 VP8 + Opus, one file + one RTMP stream + a
 * preview). Not a pass/fail test: it prints figures. Run with
 *   PARLEY_COMPOSITOR_MEASURE=1 npx vitest run --project unit packages/server/src/media/compositor/compositor.measure
 */
const enabled = process.env.PARLEY_COMPOSITOR_MEASURE === '1';
const logger = pino({ level: 'silent' });

function clip(): string {
  const dir = join(tmpdir(), 'parley-compositor-measure');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'clip-360p.webm');
  if (!existsSync(file)) {
    execFileSync('ffmpeg', [
      '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30:d=30', '-f', 'lavfi', '-i', 'sine=f=440:d=30',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '60', '-c:a', 'libopus', file,
    ]);
  }
  return file;
}

function grid(ids: string[], w: number, h: number): LayoutCell[] {
  const cols = Math.ceil(Math.sqrt(ids.length));
  const rows = Math.ceil(ids.length / cols);
  const cw = Math.floor(w / cols / 2) * 2;
  const ch = Math.floor(h / rows / 2) * 2;
  return ids.map((inputId, i) => ({ inputId, x: (i % cols) * cw, y: Math.floor(i / cols) * ch, width: cw, height: ch }));
}

describe.skipIf(!enabled)('Compositor CPU', () => {
  for (const n of [4, 9]) {
    it(`${n} inputs, 720p30, file + RTMP + preview`, async () => {
      const file = clip();
      const dir = mkdtempSync(join(tmpdir(), 'parley-comp-measure-'));
      const c = await Compositor.start({ width: 1280, height: 720, fps: 30, logger });
      const senders = [];
      const ids: string[] = [];
      try {
        for (let i = 0; i < n; i++) {
          const v = await c.addInput(`v${i}`, { kind: 'video', codec: 'VP8', pt: 96 });
          const a = await c.addInput(`a${i}`, { kind: 'audio', codec: 'opus', pt: 100 });
          ids.push(`v${i}`);
          const pipeline = `filesrc location=${file} ! matroskademux name=d d.video_0 ! queue ! rtpvp8pay pt=96 ! udpsink host=127.0.0.1 port=${v.port} sync=true d.audio_0 ! queue ! rtpopuspay pt=100 ! udpsink host=127.0.0.1 port=${a.port} sync=true`;
          senders.push(spawn('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: 'ignore' }));
        }
        await c.setLayout(grid(ids, 1280, 720));
        await sleep(2500);
        const bare = await cpuOf(c.pid!, 5000);
        const rtmp = await rtmpServer(join(dir, 'out.flv'));
        await c.addOutput('rec', { type: 'file', path: join(dir, 'rec.mp4'), container: 'mp4' });
        await c.addOutput('live', { type: 'rtmp', url: rtmp.url });
        await c.addOutput('prev', { type: 'preview', path: join(dir, 'prev.jpg'), intervalMs: 2000, width: 320 });
        await sleep(1500);
        const full = await cpuOf(c.pid!, 8000);
        const senderCpu = await cpuOf(senders[0]!.pid!, 2000);
        const stats = await c.stats();
        console.log(
          `[compositor measure] ${n} inputs 720p30: engine ${(bare * 100).toFixed(0)}% of a core with no outputs, ` +
            `${(full * 100).toFixed(0)}% with file + RTMP + preview (one sender: ${(senderCpu * 100).toFixed(0)}%); ` +
            `load ${execFileSync('cat', ['/proc/loadavg']).toString().trim()}`,
        );
        expect(Object.values(stats.inputs).filter((i) => i.kind === 'video' && i.firstFrame)).toHaveLength(n);
        expect(stats.outputs.live?.started).toBe(true);
        await c.stop();
        await rtmp.stop();
        const rec = await probe(join(dir, 'rec.mp4'));
        console.log(`[compositor measure] ${n} inputs: the file has ${rec.videoFrames} frames in ${rec.duration.toFixed(2)} s (${(rec.videoFrames / rec.duration).toFixed(1)} fps)`);
        expect(rec.videoFrames / rec.duration).toBeGreaterThan(25);
      } finally {
        for (const s of senders) s.kill('SIGKILL');
        await c.stop();
      }
    }, 90_000);
  }
});
