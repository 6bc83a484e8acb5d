import { loadBenchMedia } from './media.js';
import { Pacer } from './pacer.js';
import { ParleyBot, type SendLogs } from './parleyBot.js';
import { ParleyServerProcess } from './parleyServer.js';
import { ReceiveTally } from './receiver.js';

const media = loadBenchMedia();
console.log('video packets', media.video.packets.length, 'audio', media.audio.packets.length);
const server = await ParleyServerProcess.start(1);
try {
  const meeting = await server.createMeeting('smoke');
  const pacer = new Pacer();
  const logs: SendLogs = new Map();
  const tally = new ReceiveTally();
  const pub = await ParleyBot.join(server.signalingUrl, await server.createAttendee(meeting, 'pub'));
  await pub.publish(media, pacer, logs, { audio: true, video: true });
  console.log('published');
  const subs: ParleyBot[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await ParleyBot.join(server.signalingUrl, await server.createAttendee(meeting, `sub${i}`));
    await s.subscribe(tally, logs);
    subs.push(s);
  }
  await new Promise((r) => setTimeout(r, 4000));
  const lat = tally.latencies.sort((a, b) => a - b);
  console.log('sent', pacer.sent, 'recv', tally.packets, 'lost', tally.lost, 'p50', lat[Math.floor(lat.length / 2)], 'n', lat.length);
  for (const s of subs) console.log('join->frame ms', (s.firstVideoFrameAt ?? NaN) - s.startedAt);
  for (const s of subs) s.close();
  pub.close();
  pacer.close();
} finally {
  await server.close();
}
process.exit(0);
