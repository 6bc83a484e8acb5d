import { loadavg } from 'node:os';
import type { CpuCap } from './cpuCap.js';
import type { BenchMedia } from './media.js';
import type { Pacer } from './pacer.js';
import type { ReceiveTally } from './receiver.js';
import { joinPublishers, joinViewers, measureWindow, type Scenario } from './scenario.js';
import type { Bot, ParleyTarget } from './targets.js';
import { udpSocketStats } from './udpSocketStats.js';
import { f, pct, sleep } from './util.js';

/** Loss at or above this fails a step. */
const MAX_LOSS_PCT = 1;
/**
 * Receivers must also get this share of what was sent in the window: a worker that falls behind
 * queues the deficit in its socket's receive buffer for seconds before the buffer overflows into loss.
 */
const MIN_DELIVERED_PCT = 99;

/** One count of receivers, measured under the cap. */
export interface CapacityStep {
  receivers: number;
  forwardedPps: number;
  /** The worker's CPU, share of one core (at most the cap). */
  workerCores: number;
  lossPct: number;
  /** Packets received ÷ (packets the publishers sent × receivers), over the window. */
  deliveredPct: number;
  /** Share of CFS periods in which the worker used up its quota. */
  throttledShare: number;
  /** Datagrams dropped because a receive buffer was full: at the worker's socket, at the bots' sockets. */
  workerDrops: number;
  botDrops: number;
  /** Bytes waiting in the worker's socket receive queue at the window's start and end (a growing queue: the worker falls behind). */
  workerQueued: [number, number];
  benchCores: number;
  latP99: number;
}

export interface CapacityResult {
  scenario: Scenario;
  share: number;
  periodUs: number;
  quotaUs: number;
  steps: CapacityStep[];
  /** The largest count that held (every smaller step held too). */
  held: CapacityStep | undefined;
  /** The first count that did not hold; undefined when the stepping stopped for another reason. */
  failed: CapacityStep | undefined;
  stoppedBecause: string;
  settleS: number;
  windowS: number;
  seconds: number;
  loadBefore: number[];
  loadAfter: number[];
}

export interface CapacityOptions {
  /** First count of receivers. */
  start: number;
  maxReceivers: number;
  settleS: number;
  windowS: number;
  budgetS: number;
}

const holds = (s: CapacityStep) => s.lossPct < MAX_LOSS_PCT && s.deliveredPct >= MIN_DELIVERED_PCT;

/** Packets per second one receiver of the scenario gets (every published stream), from the clip. */
export function ppsPerReceiver(media: BenchMedia, sc: Scenario): number {
  const rate = (c: BenchMedia['audio']) => (c.packets.length * 1000) / c.durationMs;
  return sc.publishers * (rate(media.audio) + (sc.audioOnly ? 0 : rate(media.video)));
}

/**
 * Steps the receivers of one room up until a step fails, with the worker held to `cap`: +20% until
 * a step finds the worker at 3/4 of its cap or more, +10% from then on (its CPU per packet drops
 * as it batches more, so a later step can read lower). The cap is lifted while receivers join (their
 * ICE/DTLS handshakes are a join cost, not a forwarding one) and enforced while media settles and
 * during the measurement window. Receivers get every published stream (publishers do not subscribe).
 */
export async function measureCapacity(target: ParleyTarget, cap: CpuCap, sc: Scenario, ctx: { pacer: Pacer; tally: ReceiveTally }, o: CapacityOptions): Promise<CapacityResult> {
  const t0 = performance.now();
  const loadBefore = loadavg();
  const steps: CapacityStep[] = [];
  let failed: CapacityStep | undefined;
  let stoppedBecause = '';
  const room = await target.createRoom(`capacity-${sc.key}-${Date.now()}`);
  const bots: Bot[] = [];
  const port = target.server.rtcPort;
  try {
    cap.lift();
    await joinPublishers(room, sc, bots);
    let count = 0;
    let next = o.start;
    let fine = false;
    for (;;) {
      cap.lift();
      await joinViewers(room, count, next, bots);
      count = next;
      cap.apply();
      await sleep(o.settleS * 1000);
      const t = cap.stat();
      const u = udpSocketStats(port);
      const sent = ctx.pacer.sent;
      const w = await measureWindow(target, bots, ctx.tally, o.windowS);
      const sentInWindow = ctx.pacer.sent - sent;
      const t2 = cap.stat();
      const u2 = udpSocketStats(port);
      const step: CapacityStep = {
        receivers: count,
        forwardedPps: w.forwardedPps,
        workerCores: w.mediaCores,
        lossPct: w.lossPct,
        deliveredPct: (100 * w.packets) / Math.max(1, sentInWindow * count),
        throttledShare: (t2.throttled - t.throttled) / Math.max(1, t2.periods - t.periods),
        workerDrops: u2.drops - u.drops,
        botDrops: u2.otherDrops - u.otherDrops,
        workerQueued: [u.queuedBytes, u2.queuedBytes],
        benchCores: w.benchCores,
        latP99: pct(w.latencies, 99),
      };
      steps.push(step);
      console.log(`  capacity ${sc.label} x ${count}: ${f(step.forwardedPps, 0)} pkt/s, worker ${f(step.workerCores * 100, 1)}% core (throttled in ${f(step.throttledShare * 100, 0)}% of periods), loss ${f(step.lossPct, 2)}%, delivered ${f(step.deliveredPct, 1)}%, drops: worker ${step.workerDrops}, bots ${step.botDrops}; queued at the worker ${u.queuedBytes} → ${u2.queuedBytes} B; latency p99 ${f(step.latP99, 1)} ms; bench ${f(step.benchCores * 100, 0)}% core`);
      if (!holds(step)) {
        failed = step;
        break;
      }
      if ((performance.now() - t0) / 1000 > o.budgetS) {
        stoppedBecause = `time budget (${o.budgetS} s) used up`;
        break;
      }
      if (count >= o.maxReceivers) {
        stoppedBecause = `reached the bench's limit of ${o.maxReceivers} receivers`;
        break;
      }
      fine ||= step.workerCores >= 0.75 * cap.share;
      next = Math.min(o.maxReceivers, Math.max(count + 1, Math.round(count * (fine ? 1.1 : 1.2))));
    }
  } finally {
    cap.lift();
    for (const b of bots) b.close();
    await sleep(1500);
  }
  return {
    scenario: sc, share: cap.share, periodUs: cap.periodUs, quotaUs: cap.quotaUs, steps, held: steps.filter(holds).at(-1), failed, stoppedBecause,
    settleS: o.settleS, windowS: o.windowS, seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: loadavg(),
  };
}

/** The BENCHMARKS.md section for capacity results. */
export function capacitySection(results: CapacityResult[]): string {
  const first = results[0];
  if (!first) return '';
  const rows = results.map((r) => {
    const h = r.held;
    const x = r.failed;
    const scaled = (n: number) => f(n / r.share, 0);
    const failedCell = x
      ? `${x.receivers}: loss ${f(x.lossPct, 2)}%, delivered ${f(x.deliveredPct, 1)}%; worker socket ${x.workerDrops} drops, queue ${f(x.workerQueued[0] / 1024, 0)} → ${f(x.workerQueued[1] / 1024, 0)} KB; bots ${x.botDrops} drops`
      : `none (${r.stoppedBecause})`;
    const heldCells = h
      ? `${h.receivers} | ${f(h.forwardedPps, 0)} | ${f(h.workerCores * 100, 1)}% | ${f(h.lossPct, 2)} / ${f(h.deliveredPct, 1)} | ${scaled(h.forwardedPps)} | ${scaled(h.receivers)}`
      : 'none | - | - | - | - | -';
    return `| ${r.scenario.label} | ${heldCells} | ${failedCell} |`;
  });
  const stepLines = results.map((r) => `- ${r.scenario.label}: ${r.steps.map((s) => `${s.receivers} → ${f(s.lossPct, 2)}% / ${f(s.deliveredPct, 1)}% (${f(s.workerCores * 100, 1)}%)`).join(', ')}. ${f(r.seconds, 0)} s; load average ${f(r.loadBefore[0]!)} → ${f(r.loadAfter[0]!)}.`);
  return `## Capacity held on a capped core (measured)

Measured under a cap of **${f(first.share * 100, 0)}% of one core**, then scaled to one core. The Parley worker (1 worker) runs in a
cgroup v1 cpu cgroup the bench creates (CFS quota ${first.quotaUs} µs per ${first.periodUs} µs period for all its threads, and a high cpu.shares so that
other load on the machine does not delay it within that quota), so the bots on this 2-core machine can saturate it.
Receivers join one room step by step (from 60% of the count this run's uncapped µs/pkt predicts: +20% until the worker
reaches 3/4 of its cap, +10% from then on); after each step media settles for ${first.settleS} s, then loss and CPU are counted over a
${first.windowS} s window as above. The cap is lifted while receivers join (ICE/DTLS handshakes) and enforced during settling and
the window. A step **holds** when loss < ${MAX_LOSS_PCT}% and the receivers got ≥ ${MIN_DELIVERED_PCT}% of what the publishers sent in the window
(**delivered**: a worker that falls behind queues the deficit in its socket's receive buffer for seconds before it
overflows into loss; a deficit with no queue at the worker's socket would point at the bots instead). **per core
(scaled)** = held figures ÷ ${first.share}. Near the edge the worker is throttled in most periods: each video frame (a keyframe
most) goes out to every receiver in one burst while the publishers' next packets wait in the worker's socket buffer
(the kernel's default size; mediasoup 3.12 does not set one); at the edge that queue stops draining, then overflows. A full
core with ${f(1 / first.share, 0)}× the receivers spends the same wall time on each burst, so the scaled figure carries the same effect; the
worker's fixed costs (timers, RTCP) scale too. The edge moves by about one step between runs on this shared machine.

| scenario | held (receivers) | fwd pkt/s | worker CPU (of one core) | loss % / delivered % | pkt/s per core (scaled) | receivers per core (scaled) | first failed step: receivers, loss, delivered; datagrams dropped (full receive buffer) and queued at the worker's socket, dropped at the bots' |
|---|---:|---:|---:|---:|---:|---:|---|
${rows.join('\n')}

Steps (receivers → loss / delivered, worker CPU):
${stepLines.join('\n')}`;
}
