import { readFile } from 'node:fs/promises';
import type { types } from 'mediasoup';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Room } from '../rooms/room.js';
import type { RoomControl } from '../rooms/roomControl.js';
import { producerTag } from '../sfu/sfuPeer.js';
import type { SfuStats, SfuStatsEvents } from './sfuStats.js';
import type { Telemetry, TelemetryEvents } from './telemetry.js';
import type { WebhookDispatcher, WebhookDispatcherEvents } from './webhooks.js';

/** What the collector reads at scrape time: getters, no references to the engine. */
export interface MetricsSources {
  rooms: () => readonly Room[];
  controls: () => readonly RoomControl[];
  /** Live workers and their resource usage (one request to each worker per scrape). */
  workers: () => Promise<Array<{ pid: number; usage: types.WorkerResourceUsage }>>;
  sfu?: SfuStats | undefined;
  /** What the workers themselves hold, from their dumps (parley_sfu_worker_objects). */
  workerObjects?: (() => Promise<Record<string, number>>) | undefined;
  webhooks?: WebhookDispatcher | undefined;
  /** Node's own process_* and nodejs_* series (default true). */
  defaultMetrics?: boolean;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const RTT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2];

/**
 * Prometheus metrics of one server (its own Registry, so two servers in a process don't mix).
 * Counters follow the telemetry sink's events; gauges read the rooms and workers at scrape time;
 * SFU packet figures come from SfuStats' bounded sampling cycles, never from a scrape.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #detach: Array<() => void> = [];

  constructor(telemetry: Telemetry, sources: MetricsSources) {
    const registers = [this.registry];
    const detach = this.#detach;
    function onT<K extends keyof TelemetryEvents>(event: K, listener: (...args: TelemetryEvents[K]) => void): void {
      telemetry.on(event, listener);
      detach.push(() => telemetry.off(event, listener));
    }
    if (sources.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });

    // ---- rooms and participants (scrape-time gauges) -----------------------------------------
    new Gauge({
      name: 'parley_rooms', help: 'Live room sessions', registers,
      collect() { this.set(sources.rooms().filter((r) => !r.closed).length); },
    });
    new Gauge({
      name: 'parley_participants', help: 'Participants in live rooms, by type (member, audience, screen)', labelNames: ['type'], registers,
      collect() {
        this.reset();
        const counts = { member: 0, audience: 0, screen: 0 };
        for (const room of sources.rooms()) for (const m of room.members) counts[m.isContent ? 'screen' : m.role]++;
        for (const [type, n] of Object.entries(counts)) this.set({ type }, n);
      },
    });
    new Gauge({
      name: 'parley_producers', help: 'Tracks sent into rooms (members and playbacks), by kind and source', labelNames: ['kind', 'source'], registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const room of sources.rooms()) for (const p of room.producers) {
          const key = `${p.kind}|${producerTag(p).source ?? 'unknown'}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [key, n] of counts) {
          const [kind, source] = key.split('|');
          this.set({ kind, source }, n);
        }
      },
    });
    new Gauge({
      name: 'parley_consumers', help: 'Tracks received by participants, by kind', labelNames: ['kind'], registers,
      collect() {
        this.reset();
        const counts = { audio: 0, video: 0 };
        for (const room of sources.rooms()) for (const m of room.members) for (const c of m.peer.consumers.values()) counts[c.kind]++;
        for (const [kind, n] of Object.entries(counts)) this.set({ kind }, n);
      },
    });
    const mediaGauge = (name: string, help: string, count: (c: RoomControl) => number): void => {
      new Gauge({ name, help, registers, collect() { this.set(sources.controls().reduce((n, c) => n + count(c), 0)); } });
    };
    mediaGauge('parley_recordings_active', 'Recordings running or paused', (c) => c.media.recordings.list().filter((r) => r.state !== 'completed').length);
    mediaGauge('parley_streams_active', 'RTMP streams streaming', (c) => c.media.streams.list().filter((s) => s.state === 'streaming').length);
    mediaGauge('parley_playbacks_active', 'Playbacks playing or paused', (c) => c.media.playbacks.list().filter((p) => p.state !== 'completed').length);

    // ---- lifecycle counters --------------------------------------------------------------------
    const roomsStarted = new Counter({ name: 'parley_rooms_started_total', help: 'Room sessions started', registers });
    const roomsEnded = new Counter({ name: 'parley_rooms_ended_total', help: 'Room sessions ended', registers });
    const joins = new Counter({ name: 'parley_participant_joins_total', help: 'Participants who joined a room', labelNames: ['type'], registers });
    const leaves = new Counter({ name: 'parley_participant_leaves_total', help: 'Participants who left a room, by reason (left, dropped, removed, ended)', labelNames: ['reason'], registers });
    const published = new Counter({ name: 'parley_tracks_published_total', help: 'Tracks published by participants', labelNames: ['kind', 'source'], registers });
    const mediaStarted = new Counter({ name: 'parley_media_services_started_total', help: 'Recordings, streams and playbacks started', labelNames: ['service'], registers });
    const mediaEnded = new Counter({ name: 'parley_media_services_ended_total', help: 'Recordings, streams and playbacks ended', labelNames: ['service'], registers });
    onT('lifecycle', (e) => {
      switch (e.event) {
        case 'room_started': return roomsStarted.inc();
        case 'room_ended': return roomsEnded.inc();
        case 'participant_joined': return joins.inc({ type: e.participant.type });
        case 'participant_left': return leaves.inc({ reason: e.reason });
        case 'track_published': return published.inc({ kind: e.track.kind, source: e.track.source });
        case 'recording_started': case 'stream_started': case 'playback_started': return mediaStarted.inc({ service: e.event.split('_')[0] });
        case 'recording_ended': case 'stream_ended': case 'playback_ended': return mediaEnded.inc({ service: e.event.split('_')[0] });
        default: return undefined;
      }
    });

    // ---- signaling and REST --------------------------------------------------------------------
    const joinTime = new Histogram({ name: 'parley_join_duration_seconds', help: 'Signaling join: request received to reply sent', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers });
    const messages = new Counter({ name: 'parley_signaling_messages_total', help: 'Signaling requests received, by method', labelNames: ['method'], registers });
    const errors = new Counter({ name: 'parley_signaling_errors_total', help: 'Signaling errors sent to clients, by error code', labelNames: ['code'], registers });
    const connections = new Gauge({ name: 'parley_signaling_connections', help: 'Open signaling WebSockets', registers });
    const requests = new Counter({ name: 'parley_http_requests_total', help: 'REST requests, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    const requestTime = new Histogram({ name: 'parley_http_request_duration_seconds', help: 'REST request duration', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers });
    onT('join', (seconds, outcome) => joinTime.observe({ outcome }, seconds));
    onT('signalingMessage', (method) => messages.inc({ method }));
    onT('signalingError', (code) => errors.inc({ code }));
    onT('signalingConnection', (delta) => connections.inc(delta));
    const limited = new Counter({ name: 'parley_rate_limited_total', help: 'Requests, connections, joins and media refused by a limit, by what was counted (scope) and what was asked (reason)', labelNames: ['scope', 'reason'], registers });
    onT('rateLimited', (scope, reason) => limited.inc({ scope, reason }));
    onT('httpRequest', (r) => {
      requests.inc({ method: r.method, route: r.route, status: String(r.status) });
      requestTime.observe({ method: r.method, route: r.route }, r.seconds);
    });

    // ---- workers -------------------------------------------------------------------------------
    const deaths = new Counter({ name: 'parley_worker_deaths_total', help: 'mediasoup workers that died', registers });
    onT('workerDied', () => deaths.inc());
    const cpu = new Counter({ name: 'parley_worker_cpu_seconds_total', help: 'CPU time of each mediasoup worker (user, system)', labelNames: ['worker_pid', 'mode'], registers });
    const maxRss = new Gauge({ name: 'parley_worker_max_rss_bytes', help: 'Peak resident memory of each mediasoup worker', labelNames: ['worker_pid'], registers });
    const rss = new Gauge({ name: 'parley_worker_resident_memory_bytes', help: 'Resident memory of each mediasoup worker now (Linux /proc)', labelNames: ['worker_pid'], registers });
    const cpuSeen = new Map<string, number>();
    new Gauge({
      name: 'parley_workers', help: 'Live mediasoup workers', registers,
      // One collect reads every worker's usage and fills the per-worker series too.
      async collect() {
        const usage = await sources.workers().catch(() => []);
        this.set(usage.length);
        maxRss.reset();
        rss.reset();
        const alive = new Set<string>();
        for (const { pid, usage: u } of usage) {
          const worker_pid = String(pid);
          alive.add(worker_pid);
          for (const [mode, ms] of [['user', u.ru_utime], ['system', u.ru_stime]] as const) {
            const key = `${worker_pid}|${mode}`;
            const delta = ms / 1000 - (cpuSeen.get(key) ?? 0);
            if (delta > 0) cpu.inc({ worker_pid, mode }, delta);
            cpuSeen.set(key, ms / 1000);
          }
          maxRss.set({ worker_pid }, u.ru_maxrss * 1024);
          const resident = await residentBytes(pid);
          if (resident !== undefined) rss.set({ worker_pid }, resident);
        }
        for (const key of [...cpuSeen.keys()]) {
          const [pid, mode] = key.split('|') as [string, string];
          if (!alive.has(pid)) {
            cpuSeen.delete(key);
            cpu.remove({ worker_pid: pid, mode });
          }
        }
      },
    });

    const workerObjects = sources.workerObjects;
    if (workerObjects) {
      new Gauge({
        name: 'parley_sfu_worker_objects', help: 'Objects the mediasoup workers hold by their own dumps (routers, transports, producers, consumers, channel handlers, WebRtcServer tuples...)', labelNames: ['object'], registers,
        async collect() {
          this.reset();
          const counts = await workerObjects().catch(() => ({}));
          for (const [object, n] of Object.entries(counts)) this.set({ object }, n);
        },
      });
    }

    // ---- SFU (sampled) -------------------------------------------------------------------------
    const sfu = sources.sfu;
    if (sfu) {
      const onS = <K extends keyof SfuStatsEvents>(event: K, listener: (...args: SfuStatsEvents[K]) => void): void => {
        sfu.on(event, listener);
        detach.push(() => sfu.off(event, listener));
      };
      new Gauge({
        name: 'parley_sfu_transports', help: 'mediasoup transports, by type (webrtc, plain, pipe)', labelNames: ['type'], registers,
        collect() {
          this.reset();
          for (const [type, n] of sfu.counts().transports) this.set({ type }, n);
        },
      });
      const byKind = (name: string, help: string, pick: 'producers' | 'consumers'): void => {
        new Gauge({
          name, help, labelNames: ['kind', 'transport'], registers,
          collect() {
            this.reset();
            for (const [key, n] of sfu.counts()[pick]) {
              const [kind, transport] = key.split('|');
              this.set({ kind, transport }, n);
            }
          },
        });
      };
      byKind('parley_sfu_producers', 'mediasoup producers (pipes and playbacks included), by kind and transport type', 'producers');
      byKind('parley_sfu_consumers', 'mediasoup consumers (pipes and recorders included), by kind and transport type', 'consumers');
      const labels = ['kind', 'transport'];
      const fwdPackets = new Counter({ name: 'parley_sfu_forwarded_packets_total', help: 'RTP packets sent by consumers (sampled)', labelNames: labels, registers });
      const fwdBytes = new Counter({ name: 'parley_sfu_forwarded_bytes_total', help: 'RTP bytes sent by consumers (sampled)', labelNames: labels, registers });
      const rcvPackets = new Counter({ name: 'parley_sfu_received_packets_total', help: 'RTP packets received by producers (sampled)', labelNames: labels, registers });
      const rcvBytes = new Counter({ name: 'parley_sfu_received_bytes_total', help: 'RTP bytes received by producers (sampled)', labelNames: labels, registers });
      const lost = new Counter({ name: 'parley_sfu_packets_lost_total', help: 'RTP packets lost: inbound = sender to SFU, outbound = SFU to receiver (receiver reports)', labelNames: ['direction', 'kind'], registers });
      const rtt = new Histogram({ name: 'parley_sfu_rtt_seconds', help: 'Round-trip time of sampled RTP streams', labelNames: ['direction'], buckets: RTT_BUCKETS, registers });
      const sampled = new Gauge({ name: 'parley_sfu_stats_sampled', help: 'Producers and consumers whose stats the last sampling cycle read', registers });
      onS('sample', (s) => {
        for (const f of s.forwarded) {
          fwdPackets.inc({ kind: f.kind, transport: f.transport }, f.packets);
          fwdBytes.inc({ kind: f.kind, transport: f.transport }, f.bytes);
        }
        for (const r of s.received) {
          rcvPackets.inc({ kind: r.kind, transport: r.transport }, r.packets);
          rcvBytes.inc({ kind: r.kind, transport: r.transport }, r.bytes);
        }
        for (const l of s.lost) lost.inc({ direction: l.direction, kind: l.kind }, l.packets);
        for (const r of s.rtts) rtt.observe({ direction: r.direction }, r.seconds);
        sampled.set(s.sampled);
      });
    }

    // ---- webhooks ------------------------------------------------------------------------------
    const webhooks = sources.webhooks;
    if (webhooks) {
      const onW = <K extends keyof WebhookDispatcherEvents>(event: K, listener: (...args: WebhookDispatcherEvents[K]) => void): void => {
        webhooks.on(event, listener);
        detach.push(() => webhooks.off(event, listener));
      };
      const attempts = new Counter({ name: 'parley_webhook_attempts_total', help: 'Webhook POSTs, by result (2xx, 4xx, 5xx, timeout, error)', labelNames: ['result'], registers });
      const outcomes = new Counter({ name: 'parley_webhook_events_total', help: 'Webhook events by final outcome (delivered, failed, dropped)', labelNames: ['outcome'], registers });
      const latency = new Histogram({ name: 'parley_webhook_delivery_seconds', help: 'Event creation to successful delivery', buckets: [...LATENCY_BUCKETS, 30, 60, 120], registers });
      new Gauge({ name: 'parley_webhook_queue_length', help: 'Webhook events waiting or being delivered', registers, collect() { this.set(webhooks.queued); } });
      onW('attempt', (result) => attempts.inc({ result }));
      onW('outcome', (outcome, seconds) => {
        outcomes.inc({ outcome });
        if (outcome === 'delivered' && seconds !== undefined) latency.observe(seconds);
      });
    }
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    for (const off of this.#detach) off();
    this.#detach.length = 0;
  }

}

async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8');
    const pages = Number(statm.split(' ')[1]);
    return Number.isFinite(pages) ? pages * 4096 : undefined;
  } catch {
    return undefined;
  }
}
