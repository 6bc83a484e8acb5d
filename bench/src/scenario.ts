import { CpuMeter, rssBytes } from './procStat.js';
import type { ReceiveTally } from './receiver.js';
import type { Viewport } from './parleyBot.js';
import type { BenchRoom, Bot, Target } from './targets.js';
import { pct, sleep } from './util.js';

export interface Scenario {
  key: 'webinar' | 'webinar-simulcast' | 'meeting' | 'audio';
  label: string;
  publishers: number;
  /** Receive-only participants. */
  viewers: number;
  /** Publishers also receive everyone else (a meeting). */
  publishersSubscribe: boolean;
  audioOnly: boolean;
  /** The publishers send their video as 3-layer simulcast (--simulcast; Parley only). */
  simulcast?: boolean;
  /** Sizes the viewers render video at, taken in turn (none: they never say, so the layer policy assumes the top layer). */
  viewerSizes?: Viewport[];
}

export interface Result {
  target: string;
  scenario: Scenario;
  streamsPerReceiver: number;
  forwardedPps: number;
  mediaCores: number;
  mediaUsPerPkt: number;
  controlUsPerPkt: number;
  lossPct: number;
  latP50: number;
  latP99: number;
  memPerParticipantMB: number;
  joinP50: number;
  joinP95: number;
  benchCores: number;
  /** Share of a core each forwarding process used (one per worker for Parley). */
  perProcessCores: number[];
  /** Simulcast: share of the received video packets from each layer, lowest first. */
  layerShares?: number[];
  /** Simulcast: the worker's availableOutgoingBitrate toward one viewer after the window (null: it has none). */
  viewerEstimateBps?: number | null;
}

/** What the subscribers received and the processes spent during one measurement window. */
export interface Window {
  packets: number;
  lost: number;
  wallMs: number;
  forwardedPps: number;
  lossPct: number;
  mediaCpuUs: number;
  mediaCores: number;
  controlCpuUs: number;
  benchCores: number;
  perProcessCores: number[];
  latencies: number[];
  layerPackets: number[];
}

/** Joins the scenario's publishers; they publish, and subscribe too when the scenario says so. */
export async function joinPublishers(room: BenchRoom, sc: Scenario, bots: Bot[]): Promise<void> {
  const what = { audio: true, video: !sc.audioOnly, simulcast: sc.simulcast ?? false };
  const pubs: Bot[] = [];
  for (let i = 0; i < sc.publishers; i++) {
    const b = await room.join(`pub${i}`);
    bots.push(b);
    pubs.push(b);
    await b.publish(what);
  }
  if (sc.publishersSubscribe) for (const b of pubs) await b.subscribe();
}

/** Joins receive-only viewers `from` .. `to` - 1 in parallel batches of 10; returns them (also pushed to `bots`). */
export async function joinViewers(room: BenchRoom, from: number, to: number, bots: Bot[], sizes?: Viewport[]): Promise<Bot[]> {
  const viewers: Bot[] = [];
  for (let i = from; i < to; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, to - i) }, async (_, k) => {
      const b = await room.join(`viewer${i + k}`);
      await b.subscribe(sizes?.[(i + k) % sizes.length]);
      return b;
    }));
    viewers.push(...batch);
    bots.push(...batch);
  }
  return viewers;
}

/** Counts what every receiver of `bots` gets during `windowS` seconds and the CPU the target's processes use meanwhile. */
export async function measureWindow(target: Target, bots: Bot[], tally: ReceiveTally, windowS: number): Promise<Window> {
  tally.reset();
  const allReceivers = bots.flatMap((b) => b.receivers);
  const startCounts = allReceivers.map((r) => r.received);
  const media = new CpuMeter(target.mediaPids);
  const control = new CpuMeter(target.controlPids);
  const bench = new CpuMeter([process.pid]);
  const perProcess = target.mediaPids.map((p) => new CpuMeter([p]));
  for (const m of perProcess) m.start();
  media.start();
  control.start();
  bench.start();
  await sleep(windowS * 1000);
  const m = media.read();
  const c = control.read();
  const { packets, lost } = tally;
  const silent = allReceivers.filter((r, i) => r.received === startCounts[i]);
  if (silent.length) console.log(`  ${silent.length} of ${allReceivers.length} streams received nothing in the window (${silent.filter((r) => r.kind === 'video').length} video; before it: ${silent.map((r) => r.received).join(',')})`);
  if (lost) console.log(`  lost ${lost} (video ${tally.lostVideo}) of ${packets + lost}`);
  return {
    packets,
    lost,
    wallMs: m.wallMs,
    forwardedPps: packets / (m.wallMs / 1000),
    lossPct: (100 * lost) / Math.max(1, packets + lost),
    mediaCpuUs: m.cpuUs,
    mediaCores: m.cores,
    controlCpuUs: c.cpuUs,
    benchCores: bench.read().cores,
    perProcessCores: perProcess.map((p) => p.read().cores),
    latencies: tally.latencies,
    layerPackets: [...tally.layerPackets],
  };
}

/** One scenario in a fresh room: everyone joins, media settles, then one measurement window. */
export async function runScenario(target: Target, sc: Scenario, tally: ReceiveTally, windowS: number): Promise<Result> {
  const pids = [...target.mediaPids, ...target.controlPids];
  const memBefore = pids.reduce((n, p) => n + rssBytes(p), 0);
  const room = await target.createRoom(`${sc.key}-${Date.now()}`, sc.publishers);
  const bots: Bot[] = [];
  try {
    await joinPublishers(room, sc, bots);
    const viewers = await joinViewers(room, 0, sc.viewers, bots, sc.viewerSizes);
    await sleep(2000);
    const firstMedia = (b: Bot) => {
      const v = b.receivers.filter((r) => r.kind === 'video' && r.firstFrameAt !== undefined).map((r) => r.firstFrameAt!);
      const a = b.receivers.filter((r) => r.firstPacketAt !== undefined).map((r) => r.firstPacketAt!);
      const t = sc.audioOnly ? a : v;
      return t.length ? Math.min(...t) - b.startedAt : NaN;
    };
    const joinTimes = (viewers.length ? viewers : bots).map(firstMedia).filter((x) => Number.isFinite(x));
    const memAfter = pids.reduce((n, p) => n + rssBytes(p), 0);
    const receiving = bots.filter((b) => b.receivers.length);
    const streamsPerReceiver = receiving.reduce((n, b) => n + b.receivers.length, 0) / Math.max(1, receiving.length);
    await sleep(1000);
    const streams = bots.reduce((n, b) => n + b.receivers.length, 0);
    const expectedStreams = (sc.viewers + (sc.publishersSubscribe ? sc.publishers : 0)) * (sc.publishersSubscribe ? sc.publishers - 1 : sc.publishers) * (sc.audioOnly ? 1 : 2);
    if (streams !== expectedStreams) console.log(`  ${streams} streams open, ${expectedStreams} expected`);
    const w = await measureWindow(target, bots, tally, windowS);
    // Simulcast: what the layer policy works from (the bots send no transport-cc feedback nor REMB).
    const estimate = sc.simulcast ? await viewers[0]?.outgoingEstimate?.() : undefined;
    return {
      target: target.name,
      scenario: sc,
      streamsPerReceiver,
      forwardedPps: w.forwardedPps,
      mediaCores: w.mediaCores,
      mediaUsPerPkt: w.mediaCpuUs / w.packets,
      controlUsPerPkt: target.controlPids.length ? w.controlCpuUs / w.packets : NaN,
      lossPct: w.lossPct,
      latP50: pct(w.latencies, 50),
      latP99: pct(w.latencies, 99),
      memPerParticipantMB: (memAfter - memBefore) / (bots.length * 1024 * 1024),
      joinP50: pct(joinTimes, 50),
      joinP95: pct(joinTimes, 95),
      benchCores: w.benchCores,
      perProcessCores: w.perProcessCores,
      ...(sc.simulcast ? { layerShares: layerShares(w.layerPackets), viewerEstimateBps: estimate ?? null } : {}),
    };
  } finally {
    for (const b of bots) b.close();
    await sleep(1500);
  }
}

function layerShares(packets: number[]): number[] {
  const total = packets.reduce((n, x) => n + (x ?? 0), 0);
  return Array.from({ length: packets.length }, (_, i) => (packets[i] ?? 0) / Math.max(1, total));
}
