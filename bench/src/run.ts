import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { capacitySection, measureCapacity, ppsPerReceiver, type CapacityResult } from './capacity.js';
import { CpuCap } from './cpuCap.js';
import { loadBenchMedia, loadSimulcastLayers, type BenchMedia } from './media.js';
import { Pacer } from './pacer.js';
import { ReceiveTally } from './receiver.js';
import { JanusProcess } from './janus.js';
import { runScenario, type Result, type Scenario } from './scenario.js';
import { JanusTarget, ParleyTarget } from './targets.js';
import { measureSignaling, type SignalingResult } from './signalingLoad.js';
import { measureMediaServices, mediaServicesSection, type MediaServicesResult } from './mediaServices.js';
import { ParleyServerProcess } from './parleyServer.js';
import { f } from './util.js';
import { runSoak, soakSection, type SoakResult } from './soak/soak.js';
import { FUZZ_DEFAULT, FUZZ_FULL, fuzzSection, runFuzz, type FuzzResult, type FuzzSizes } from './fuzz/fuzzBench.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const WINDOW_S = Number(args.get('window') ?? 10);
const WEBINAR_N = Number(args.get('webinar') ?? 100);
const AUDIO_N = Number(args.get('listeners') ?? 50);
const ONLY = args.get('only')?.split(',');
const withSignaling = args.get('signaling') !== 'off';
/**
 * A second webinar whose publisher sends 3-layer VP8 simulcast, so the layer policy and dynacast run
 * (Parley only). Its viewers render at the size of one layer each, a third per layer, so all three
 * are forwarded; --simulcast=top has them all take the top layer; --simulcast=off skips it.
 */
const SIMULCAST = args.get('simulcast') !== 'off';
const MIXED = args.get('simulcast') !== 'top';
/** Share of one core the worker is capped at for the capacity section; 0 = skip it. */
const CAPACITY_SHARE = args.get('capacity') === 'off' ? 0 : Number(args.get('capacity') ?? 10) / 100;
/** The media services section (composites, previews, stream latency, A/V offset); --media=off skips it. */
const withMedia = args.get('media') !== 'off';
/**
 * Soak: --soak runs an hour sampled each minute, --soak=N runs N minutes sampled each 30 s (the
 * default run: 5), --soak=off skips it.
 */
const SOAK_MINUTES = args.get('soak') === 'off' ? 0 : args.has('soak') && args.get('soak') === undefined ? 60 : Number(args.get('soak') ?? 5);
/**
 * Fuzz: UDP datagrams, signaling messages and REST requests against a server with a Chromium room
 * on it. --fuzz=full runs 1,000,000 / 1,000,000 / 100,000, --fuzz=off skips it; --fuzz-datagrams=N,
 * --fuzz-messages=N and --fuzz-requests=N set one phase's size (0 skips that phase).
 */
const FUZZ: FuzzSizes | undefined = args.get('fuzz') === 'off' ? undefined : {
  ...(args.get('fuzz') === 'full' ? FUZZ_FULL : FUZZ_DEFAULT),
  ...(args.has('fuzz-datagrams') ? { datagrams: Number(args.get('fuzz-datagrams')) } : {}),
  ...(args.has('fuzz-messages') ? { messages: Number(args.get('fuzz-messages')) } : {}),
  ...(args.has('fuzz-requests') ? { requests: Number(args.get('fuzz-requests')) } : {}),
};
const withJanus = args.get('janus') !== 'off' && JanusProcess.available() && !!process.env.PARLEY_BENCH_JANUS_IP;

const ALL_SCENARIOS: Scenario[] = [
  { key: 'webinar', label: `webinar 1 x ${WEBINAR_N}`, publishers: 1, viewers: WEBINAR_N, publishersSubscribe: false, audioOnly: false },
  ...(SIMULCAST
    ? [{ key: 'webinar-simulcast' as const, label: `webinar 1 x ${WEBINAR_N}, 3-layer simulcast${MIXED ? ', viewers at 3 sizes' : ''}`, publishers: 1, viewers: WEBINAR_N, publishersSubscribe: false, audioOnly: false,
        simulcast: true, ...(MIXED ? { viewerSizes: [{ width: 160, height: 90 }, { width: 320, height: 180 }, { width: 640, height: 360 }] } : {}) }]
    : []),
  { key: 'meeting', label: 'meeting 10 x 10', publishers: 10, viewers: 0, publishersSubscribe: true, audioOnly: false },
  { key: 'audio', label: `audio-only 10 x ${AUDIO_N}`, publishers: 10, viewers: AUDIO_N, publishersSubscribe: false, audioOnly: true },
];
const SCENARIOS = ALL_SCENARIOS.filter((s) => !ONLY || ONLY.includes(s.key));

function table(results: Result[]): string {
  const head = '| SFU | scenario | fwd pkt/s | media CPU (core) | media µs/pkt | Node µs/pkt | loss % | latency p50 / p99 ms | MB / participant | join→first frame p50 / p95 ms | pkt/s per core (proj.) | receivers per core (proj.) |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map((r) => {
    const perCore = 1e6 / (r.mediaUsPerPkt + (Number.isFinite(r.controlUsPerPkt) ? r.controlUsPerPkt : 0));
    const ppsPerReceiver = r.forwardedPps / Math.max(1, r.scenario.viewers + (r.scenario.publishersSubscribe ? r.scenario.publishers : 0));
    return `| ${r.target} | ${r.scenario.label} | ${f(r.forwardedPps, 0)} | ${f(r.mediaCores, 3)} | ${f(r.mediaUsPerPkt, 2)} | ${f(r.controlUsPerPkt, 2)} | ${f(r.lossPct, 2)} | ${f(r.latP50, 2)} / ${f(r.latP99, 2)} | ${f(r.memPerParticipantMB, 2)} | ${f(r.joinP50, 0)} / ${f(r.joinP95, 0)} | ${f(perCore, 0)} | ${f(perCore / ppsPerReceiver, 0)} |`;
  });
  return [head, sep, ...rows].join('\n');
}

const loadAtStart = loadavg();

async function main(): Promise<void> {
  const media = loadBenchMedia();
  if (SCENARIOS.some((x) => x.simulcast)) media.simulcast = loadSimulcastLayers(media);
  const pacer = new Pacer();
  const tally = new ReceiveTally();
  const ctx = { media, pacer, tally };
  const results: Result[] = [];
  const log = (r: Result) => {
    results.push(r);
    console.log(`${r.target} | ${r.scenario.label}: ${f(r.forwardedPps, 0)} pkt/s, media ${f(r.mediaUsPerPkt, 2)} µs/pkt (${f(r.mediaCores * 100, 1)}% core), Node ${f(r.controlUsPerPkt, 2)} µs/pkt, loss ${f(r.lossPct, 2)}%, latency p50 ${f(r.latP50, 2)} p99 ${f(r.latP99, 2)} ms, join ${f(r.joinP50, 0)} ms, bench ${f(r.benchCores * 100, 0)}% core`);
    if (r.layerShares) console.log(`  video received per layer (${media.simulcast?.map((l) => `${l.width}x${l.height}`).join(' / ')}): ${r.layerShares.map((x) => `${f(x * 100, 1)}%`).join(' / ')}; a viewer's availableOutgoingBitrate: ${r.viewerEstimateBps ?? 'none'}`);
  };

  const parley = await ParleyTarget.start(1, ctx);
  let signaling: SignalingResult | undefined;
  try {
    for (const sc of SCENARIOS) log(await runScenario(parley, sc, tally, WINDOW_S));
    if (withSignaling) {
      signaling = await measureSignaling(parley.server);
      console.log(`signaling: ${JSON.stringify(signaling)}`);
    }
  } finally {
    await parley.close();
  }
  const webinar = SCENARIOS.find((x) => x.key === 'webinar');
  if (webinar && args.get('scaling') !== 'off') {
    // Same webinar on 2 workers: the room spreads half its viewers to the second worker through pipeToRouter.
    const two = await ParleyTarget.start(2, ctx, Math.ceil(webinar.viewers / 2));
    try {
      const r = await runScenario(two, webinar, tally, WINDOW_S);
      log(r);
      console.log(`  per worker: ${r.perProcessCores.map((c) => `${f(c * 100, 1)}%`).join(', ')} of a core`);
    } finally {
      await two.close();
    }
  }
  const capacity = CAPACITY_SHARE ? await runCapacity(ctx, results) : [];
  let mediaServices: MediaServicesResult | undefined;
  if (withMedia) {
    // Browsers publish 3-layer simulcast: the composites take the layer each cell needs.
    media.simulcast ??= loadSimulcastLayers(media);
    const server = await ParleyServerProcess.start(1, { PARLEY_PREVIEWS: 'on' });
    const target = new ParleyTarget('Parley (media services)', server, ctx);
    try {
      mediaServices = await measureMediaServices(server, (name) => target.createRoom(name), WINDOW_S);
    } finally {
      await target.close();
    }
  }
  if (withJanus) {
    const janus = await JanusTarget.start(ctx);
    try {
      // The Janus bots publish one layer: the simulcast row is Parley's alone.
      for (const sc of SCENARIOS.filter((x) => !x.simulcast)) log(await runScenario(janus, sc, tally, WINDOW_S));
    } finally {
      await janus.close();
    }
  } else {
    console.log('Janus comparison skipped (janus not installed, or not running inside the bench network namespace: use `npm run bench`).');
  }
  let soak: SoakResult | undefined;
  if (SOAK_MINUTES > 0) soak = await runSoak(media, { minutes: SOAK_MINUTES, sampleS: SOAK_MINUTES >= 60 ? 60 : 30, participants: 50, rooms: 10 });
  const fuzz: FuzzResult | undefined = FUZZ ? await runFuzz(FUZZ) : undefined;
  pacer.close();
  writeReport(results, signaling, capacity, mediaServices, soak, fuzz);
}

/** Webinar and audio-only on one worker capped by a cgroup, stepped up until loss reaches 1%. */
async function runCapacity(ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally }, results: Result[]): Promise<CapacityResult[]> {
  const scenarios: Scenario[] = [
    { key: 'webinar', label: 'webinar (1 publisher)', publishers: 1, viewers: 0, publishersSubscribe: false, audioOnly: false },
    { key: 'audio', label: 'audio-only (10 speakers)', publishers: 10, viewers: 0, publishersSubscribe: false, audioOnly: true },
  ].filter((s) => SCENARIOS.some((x) => x.key === s.key)) as Scenario[];
  if (!scenarios.length) return [];
  if (!CpuCap.available()) {
    console.log('Capacity section skipped: needs root and cgroup v1\'s cpu controller at /sys/fs/cgroup/cpu.');
    return [];
  }
  const out: CapacityResult[] = [];
  const target = await ParleyTarget.start(1, ctx);
  const cap = CpuCap.create(CAPACITY_SHARE);
  try {
    cap.add(target.mediaPids[0]!);
    for (const sc of scenarios) {
      // Start below the edge this run's uncapped cost predicts (10 µs/pkt when that scenario was not run).
      const usPerPkt = results.find((r) => r.scenario.key === sc.key && r.target.startsWith('Parley (1'))?.mediaUsPerPkt ?? 10;
      const predicted = (CAPACITY_SHARE * 1e6) / (usPerPkt * ppsPerReceiver(ctx.media, sc));
      out.push(await measureCapacity(target, cap, sc, ctx, {
        start: Math.max(2, Math.round(predicted * 0.6)), maxReceivers: Math.round(predicted * 2.5), settleS: 3, windowS: 8, budgetS: 140,
      }));
      const r = out.at(-1)!;
      console.log(`capacity | ${sc.label} at ${f(CAPACITY_SHARE * 100, 0)}% of a core: held ${r.held?.receivers ?? 'none'} (${f(r.held?.forwardedPps ?? NaN, 0)} pkt/s), first failed ${r.failed?.receivers ?? 'none'}, ${f(r.seconds, 0)} s`);
    }
  } finally {
    cap.close();
    await target.close();
  }
  return out;
}

/** What the simulcast rows' viewers received (`--simulcast`); empty without them. */
function simulcastNote(results: Result[]): string {
  const rows = results.filter((r) => r.layerShares);
  if (!rows.length) return '';
  const sizes = rows[0]!.scenario.viewerSizes;
  return `
Simulcast rows: the publisher sends 160x90, 320x180 and 640x360 VP8 (~100, 250, 600 kbit/s; one SSRC each,
an RTCP sender report a second each) and the server's layer policy and dynacast run. ${sizes ? `Viewers say they render at ${sizes.map((s) => `${s.width}x${s.height}`).join(', ')} in turn. ` : 'Viewers never say a render size. '}Video
packets received per layer, lowest first: ${rows.map((r) => `${r.target} ${r.layerShares!.map((x) => `${f(x * 100, 1)}%`).join(' / ')}`).join('; ')}. The bots send no
transport-cc feedback or REMB, so the worker has no bandwidth estimate toward them (availableOutgoingBitrate: ${rows.map((r) => r.viewerEstimateBps ?? 'none').join(', ')}) and the policy's budget is unbounded.
`;
}

function scalingSection(results: Result[]): string {
  const one = results.find((r) => r.scenario.key === 'webinar' && r.target.startsWith('Parley (1'));
  const two = results.find((r) => r.scenario.key === 'webinar' && r.target.startsWith('Parley (2'));
  if (!one || !two) return '';
  const cap = (r: Result) => r.forwardedPps / Math.max(...r.perProcessCores);
  return `## Webinar on 1 and 2 cores (one room spread over workers with pipeToRouter)

| workers | viewers | fwd pkt/s | CPU per worker (core) | µs/pkt (all workers) | projected pkt/s when the busiest worker reaches 100% |
|---:|---:|---:|---|---:|---:|
| 1 | ${one.scenario.viewers} | ${f(one.forwardedPps, 0)} | ${one.perProcessCores.map((c) => f(c, 3)).join(', ')} | ${f(one.mediaUsPerPkt, 2)} | ${f(cap(one), 0)} |
| 2 | ${two.scenario.viewers} | ${f(two.forwardedPps, 0)} | ${two.perProcessCores.map((c) => f(c, 3)).join(', ')} | ${f(two.mediaUsPerPkt, 2)} | ${f(cap(two), 0)} |

With 2 workers the room's home router keeps the publisher and the first half of the viewers; the other half get
their own router on the second worker, fed by one pipe transport per producer. The projection scales by the
busiest worker (the one that would saturate first).`;
}

function writeReport(results: Result[], signaling: SignalingResult | undefined, capacity: CapacityResult[], media: MediaServicesResult | undefined, soak: SoakResult | undefined, fuzz: FuzzResult | undefined): void {
  const ratios = (['webinar', 'meeting', 'audio'] as const).map((key) => {
    const p = results.find((r) => r.scenario.key === key && r.target.startsWith('Parley (1'));
    const j = results.find((r) => r.scenario.key === key && r.target.startsWith('Janus'));
    if (!p || !j) return undefined;
    const pAll = p.mediaUsPerPkt + p.controlUsPerPkt;
    return `| ${p.scenario.label} | ${f(p.mediaUsPerPkt, 2)} | ${f(pAll, 2)} | ${f(j.mediaUsPerPkt, 2)} | ${f(p.mediaUsPerPkt / j.mediaUsPerPkt, 2)} | ${f(pAll / j.mediaUsPerPkt, 2)} |`;
  }).filter(Boolean);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const ver = (cmd: string, a: string[]) => {
    try {
      return execFileSync(cmd, a, { encoding: 'utf8' }).split('\n')[0]!.trim();
    } catch {
      return 'n/a';
    }
  };
  const md = `# Parley benchmarks

Produced by \`npm run bench\` (bench/run.sh → bench/src/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpu}), Node ${process.version},
mediasoup 3.12.16 worker, Janus ${JanusProcess.version()}, ${ver('ffmpeg', ['-version']).split(' Copyright')[0]}. Every figure below comes from that one run.
The machine is shared: load average ${loadAtStart.map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min) when the run started and
${loadavg().map((x) => x.toFixed(1)).join(' / ')} when it ended, on 2 cores, so loss, latency and join times carry other tenants' noise; CPU
per packet is CPU time charged to the SFU's own processes and is the most stable figure.

## How it is measured

- **Synthetic participants, no browser, no encoder per bot.** ffmpeg encodes a 10 s clip once (VP8 640x360 30 fps
  ~600 kbit/s with a keyframe every 2 s, Opus 20 ms 32 kbit/s; cached in ~/.cache/parley/bench-media-v1). Each bot
  is a libdatachannel peer (node-datachannel: ICE, DTLS, SRTP in C++) that replays the clip's RTP in real time
  (answering a PLI by jumping to the clip's next keyframe, as an encoder would) and counts, never decodes, what it
  receives. On Parley the bots use the real path: REST attendee → signaling WebSocket → WebRtcTransports on the
  worker's WebRtcServer. On Janus they use the VideoRoom plugin's own API (one multistream subscriber handle each).
- **Both SFUs get identical traffic** from the same bot code, one SFU at a time, on this machine, in a network
  namespace the bench creates (Janus/libnice will not use loopback, so Janus's ICE runs on a veth address inside
  that namespace; nothing leaves it). Janus runs from a private config dir: VideoRoom + WebSockets on 127.0.0.1 only,
  all other plugins, transports (mqtt, rabbitmq, nanomsg, http, ...) and event handlers disabled.
- **CPU per forwarded packet** = CPU time (user + system, all threads, from /proc/<pid>/stat) of the forwarding
  processes during a ${WINDOW_S} s window ÷ RTP packets the subscribers received in it. "media" = mediasoup worker(s)
  for Parley, the janus process for Janus (which also does its signaling). "Node" = the Parley server's Node
  process (signaling, rooms; no per-packet work), reported separately. Packets are forwarded over SRTP in all cases.
- **Where the worker's time goes** (perf, webinar): about 40% is the kernel's UDP send path, which on loopback also
  runs the receiving bot's softirq and wake-up in the worker's time slice (Janus pays the same), the rest mediasoup
  and SRTP. The worker links libsrtp2 built against OpenSSL (scripts/mediasoup-worker.mjs): with Debian's NSS-based
  libsrtp2, SRTP's per-call locking cost ~25% of the worker's CPU (webinar 14.6 → 10.2 µs/pkt after the switch).
- **loss** = sequence-number gaps seen by subscribers ÷ packets expected. **latency** = send time at the publisher
  bot → receive time at the subscriber bot (same process clock): it includes both bots' libdatachannel stacks and
  the bench's JS event loop, so it is an upper bound of what the SFU adds. **join → first frame** = from opening the
  subscriber's connection (WebSocket) to the first complete remote video frame (first audio packet when audio-only),
  measured while other subscribers join in parallel batches of 10. **MB / participant** = growth of the SFU's resident memory
  (worker + Node for Parley) ÷ participants.
- **per core (proj.)** = 1 s ÷ (media + Node µs per packet): how many forwarded packets one core would carry at the
  measured per-packet cost, and how many receivers of this scenario that is. It is a projection: the bench's own
  bots (libdatachannel receive + JS counting) need more CPU per packet than the SFU, so on this 2-core machine they
  cannot drive an SFU core to saturation. Highest loss seen in this run: ${f(Math.max(...results.map((r) => r.lossPct)), 2)}%.

## Results

${table(results)}
${simulcastNote(results)}
${scalingSection(results)}

${capacitySection(capacity)}
${mediaServicesSection(media)}

${ratios.length ? `## Parley vs Janus: CPU per forwarded packet

| scenario | Parley worker µs/pkt | Parley worker + Node µs/pkt | Janus µs/pkt | ratio (worker) | ratio (worker + Node) |
|---|---:|---:|---:|---:|---:|
${ratios.join('\n')}

Target: ratio ≤ 1.0 and < 10 µs per forwarded packet.` : '## Janus comparison\n\nNot run (Janus missing or no network namespace).'}

${signaling ? `## Node side (signaling, room logic)

| measure | value |
|---|---:|
| joins/s (${signaling.joins} concurrent joins: WebSocket + join + recv transport + setRtpCapabilities) | ${f(signaling.joinsPerSec, 0)} |
| Node CPU per join | ${f(signaling.nodeMsPerJoin, 2)} ms (→ ${f(1000 / signaling.nodeMsPerJoin, 0)} joins/s per core) |
| signaling messages/s sustained (${signaling.sessions} sessions, request + response counted) | ${f(signaling.msgsPerSec, 0)} |
| Node CPU per message | ${f(signaling.nodeUsPerMsg, 1)} µs (→ ${f(1e6 / signaling.nodeUsPerMsg, 0)} msgs/s per core) |

Per-packet work never reaches Node: the Node µs/pkt column above is the Node process's whole CPU during media
windows divided by packets (it is timers, heartbeats and audio-level events, not packet handling).` : ''}

${soakSection(soak)}

${fuzzSection(fuzz)}
`;
  const out = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
  writeFileSync(out, md);
  console.log(`\n${table(results)}\n\nwrote ${out}`);
}

await main();
process.exit(0);
