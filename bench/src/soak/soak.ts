import type { BenchMedia } from '../media.js';
import { Pacer } from '../pacer.js';
import { ParleyServerProcess, SECRET } from '../parleyServer.js';
import { ReceiveTally } from '../receiver.js';
import { f, sleep } from '../util.js';
import { Churn, type ChurnCounts } from './churn.js';
import { closingApi, sampleServer, slope, type ServerSample } from './serverSample.js';

export interface SoakOptions {
  minutes: number;
  /** Seconds between samples (60 in the hour-long run, 30 in the short one). */
  sampleS: number;
  participants: number;
  rooms: number;
}

export interface SoakResult {
  options: SoakOptions;
  /** Before anyone joined, during the churn, and once everyone had left. */
  start: ServerSample;
  samples: Array<ServerSample & { rxPps: number; live: number }>;
  end: ServerSample;
  /** Seconds from the last leave until every count was back at its start (NaN: never, within the wait). */
  settleS: number;
  counts: ChurnCounts;
  workerDeaths: number;
  serverExit: number | null;
}

/** The series whose slope the report gives, and the sample field each reads. */
const SERIES: Array<[label: string, unit: string, read: (s: ServerSample) => number]> = [
  ['Node RSS', 'MB', (s) => s.nodeRssMB],
  ['V8 heap used', 'MB', (s) => s.heapUsedMB],
  ['workers RSS', 'MB', (s) => s.workersRssMB],
  ['Node open fds', '', (s) => s.nodeFds],
  ['workers open fds', '', (s) => s.workersFds],
  ['routers (worker)', '', (s) => s.objects.routers ?? NaN],
  ['transports (worker)', '', (s) => s.objects.transports ?? NaN],
  ['producers (worker)', '', (s) => s.objects.producers ?? NaN],
  ['consumers (worker)', '', (s) => s.objects.consumers ?? NaN],
  ['channel handlers (worker)', '', (s) => s.objects.channelHandlers ?? NaN],
  ['WebRtcServer ICE ufrags', '', (s) => s.objects.iceUsernameFragments ?? NaN],
  ['WebRtcServer tuples', '', (s) => s.objects.tupleHashes ?? NaN],
];

/** Counts that must be back at their start once everyone has left (memory is reported, not required to). */
export function leftovers(start: ServerSample, end: ServerSample): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(start.objects)) if ((end.objects[k] ?? NaN) !== v) out.push(`${k} ${v} → ${end.objects[k]}`);
  for (const k of ['rooms', 'participants', 'producers', 'consumers', 'signalingConnections'] as const) if (end[k] !== start[k]) out.push(`${k} ${start[k]} → ${end[k]}`);
  // A descriptor or two may be mid-close (a socket in the kernel's hands): more than that is a leak.
  if (end.nodeFds > start.nodeFds + 2) out.push(`Node fds ${start.nodeFds} → ${end.nodeFds}`);
  if (end.workersFds > start.workersFds + 2) out.push(`workers fds ${start.workersFds} → ${end.workersFds}`);
  return out;
}

/**
 * Soak: `participants` bots churn through `rooms` rooms on a server of its own (one worker) for
 * `minutes`; every `sampleS` seconds the server's memory, descriptors and object counts are read.
 * Then everyone leaves and the counts must return to what they were before anyone joined.
 */
export async function runSoak(media: BenchMedia, options: SoakOptions, log: (line: string) => void = console.log): Promise<SoakResult> {
  const server = await ParleyServerProcess.start(1);
  const pacer = new Pacer();
  const tally = new ReceiveTally();
  // Latencies are not what a soak measures: keep one in 10,000 so an hour's samples stay small.
  tally.sampleEvery = 10_000;
  try {
    await sleep(1000);
    const t0 = performance.now();
    const at = () => (performance.now() - t0) / 1000;
    const start = await sampleServer(server, 0);
    const churn = new Churn(closingApi(server, `Basic ${Buffer.from(`parley-dev-key:${SECRET}`).toString('base64')}`), { media, pacer, tally }, {
      participants: options.participants, rooms: options.rooms, stayS: [20, 60], awayS: [1, 5], videoEvery: 3, seed: 20261202,
    });
    await churn.start();
    const samples: SoakResult['samples'] = [];
    const endAt = t0 + options.minutes * 60_000;
    while (performance.now() < endAt && server.child.exitCode === null) {
      tally.reset();
      const from = performance.now();
      await sleep(Math.min(options.sampleS * 1000, endAt - performance.now()));
      const rxPps = tally.packets / ((performance.now() - from) / 1000);
      const s = { ...await sampleServer(server, at()), rxPps, live: churn.live };
      samples.push(s);
      log(`soak ${f(s.t / 60, 1)} min: ${s.live} live, ${s.participants} members, rx ${f(rxPps, 0)} pkt/s, Node RSS ${f(s.nodeRssMB, 1)} MB heap ${f(s.heapUsedMB, 1)} MB fds ${s.nodeFds}, workers RSS ${f(s.workersRssMB, 1)} MB fds ${s.workersFds}, objects ${JSON.stringify(s.objects)}`);
    }
    await churn.stop();
    const leftAt = performance.now();
    // Closing a transport is asynchronous in the worker: poll until the counts are back, up to 30 s.
    let end = await sampleServer(server, at());
    while (leftovers(start, end).length && performance.now() - leftAt < 30_000) {
      await sleep(1000);
      end = await sampleServer(server, at());
    }
    const settleS = leftovers(start, end).length ? NaN : (performance.now() - leftAt) / 1000;
    log(`soak end: ${JSON.stringify(churn.counts)}; left over: ${leftovers(start, end).join(', ') || 'nothing'}`);
    return { options, start, samples, end, settleS, counts: churn.counts, workerDeaths: end.workerDeaths, serverExit: server.child.exitCode };
  } finally {
    pacer.close();
    await server.close();
  }
}

/** The BENCHMARKS.md section of a soak run. */
export function soakSection(r: SoakResult | undefined): string {
  if (!r) return '';
  // Slopes over the churn's steady part: the first minute is participants still arriving.
  const steady = r.samples.filter((s) => s.t >= 60);
  const used = steady.length >= 2 ? steady : r.samples;
  const hours = used.map((s) => s.t / 3600);
  const rows = SERIES.map(([label, unit, read]) => {
    const ys = used.map(read);
    const u = unit ? ` ${unit}` : '';
    return `| ${label} | ${f(read(r.start), 1)}${u} | ${f(Math.min(...ys), 1)} – ${f(Math.max(...ys), 1)}${u} | ${f(slope(hours, ys), 1)}${u}/h | ${f(read(r.end), 1)}${u} |`;
  });
  const left = leftovers(r.start, r.end);
  const rx = r.samples.map((s) => s.rxPps);
  return `## Soak: ${r.options.participants} participants churning for ${r.options.minutes} min

${r.options.participants} synthetic participants (the bench's libdatachannel bots) in ${r.options.rooms} rooms on one server with one
worker: each joins, publishes audio (every third also video), subscribes to what its room publishes, stays 20-60 s,
leaves (half with \`leave\`, half by dropping the socket and peer connections) and rejoins 1-5 s later as a new attendee.
${r.counts.joins} joins, ${r.counts.leaves} polite leaves, ${r.counts.drops} drops, ${r.counts.failures} failed rounds${r.counts.failureSamples.length ? ` (${r.counts.failureSamples.join('; ')})` : ''}; bots received
${f(Math.min(...rx), 0)}-${f(Math.max(...rx), 0)} pkt/s. Sampled every ${r.options.sampleS} s (${r.samples.length} samples): RSS and open descriptors from
/proc, V8 heap and object counts from the server's /metrics (\`parley_sfu_worker_objects\`, read from the workers' own
\`worker.dump()\`, \`webRtcServer.dump()\` and \`router.dump()\`). Slope = least-squares fit over the samples after the first
minute, per hour. Worker deaths: ${r.workerDeaths}; server exit: ${r.serverExit ?? 'none (still running at the end)'}.

| series | before anyone joined | during the churn (min – max) | slope | after everyone left |
|---|---:|---:|---:|---:|
${rows.join('\n')}

After the last participant left, ${left.length ? `**these counts had not returned to their start within 30 s: ${left.join(', ')}**` : `every object count, room, member, connection and descriptor count was back at its start (${f(r.settleS, 1)} s after the last leave)`}.
Memory is not required to return: the heap and RSS after the churn are what V8 and the allocator keep.`;
}
