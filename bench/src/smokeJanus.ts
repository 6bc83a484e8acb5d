import { loadBenchMedia } from './media.js';
import { Pacer } from './pacer.js';
import { JanusBot, JanusProcess, type JanusFeeds } from './janus.js';
import { ReceiveTally } from './receiver.js';

const media = loadBenchMedia();
const janus = await JanusProcess.start();
try {
  const room = await JanusBot.createRoom(janus.wsUrl, 20);
  const pacer = new Pacer();
  const feeds: JanusFeeds = new Map();
  const tally = new ReceiveTally();
  const pub = await JanusBot.connect(janus.wsUrl);
  await pub.publish(room, media, pacer, feeds, { audio: true, video: true });
  console.log('published feed', pub.feedId);
  const subs: JanusBot[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await JanusBot.connect(janus.wsUrl);
    await s.subscribe(room, feeds, tally);
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
  await janus.close();
}
process.exit(0);
