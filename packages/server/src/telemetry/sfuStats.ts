import type { types } from 'mediasoup';
import { TypedEmitter } from '@parley/protocol';
import type { Logger } from '../logger.js';

export type TransportType = 'webrtc' | 'plain' | 'pipe' | 'direct';
type Kind = 'audio' | 'video';

/** What one sampling cycle saw since the previous one (deltas, so counters stay monotonic). */
export interface SfuSample {
  /** RTP sent by consumers (forwarded to receivers), by kind and transport type. */
  forwarded: Array<{ kind: Kind; transport: TransportType; packets: number; bytes: number }>;
  /** RTP received by producers, by kind and transport type. */
  received: Array<{ kind: Kind; transport: TransportType; packets: number; bytes: number }>;
  /** Packets lost: inbound = sender -> SFU (producers), outbound = SFU -> receiver (consumers, from receiver reports). */
  lost: Array<{ direction: 'inbound' | 'outbound'; kind: Kind; packets: number }>;
  /** Round-trip times in seconds of the streams sampled this cycle that had one. */
  rtts: Array<{ direction: 'inbound' | 'outbound'; seconds: number }>;
  /** Objects whose getStats() was called this cycle. */
  sampled: number;
}

export type SfuStatsEvents = { sample: [SfuSample] };

export interface SfuStatsOptions {
  /** How often a cycle runs. */
  intervalMs: number;
  /** getStats() calls one cycle may make (producers + consumers): scrapes never call getStats. */
  maxPerCycle: number;
  logger?: Logger | undefined;
}

interface Tracked<T> {
  object: T;
  kind: Kind;
  transport: TransportType;
  last: { packets: number; bytes: number; lost: number };
}

/**
 * Follows every router, transport, producer and consumer of the workers it is given (through
 * mediasoup's observer events), keeps their counts, and samples getStats() of at most
 * maxPerCycle producers/consumers every intervalMs, round-robin, so the cost is bounded however
 * many consumers exist. Each cycle emits the deltas it saw.
 */
export class SfuStats extends TypedEmitter<SfuStatsEvents> {
  readonly #producers = new Map<string, Tracked<types.Producer>>();
  readonly #consumers = new Map<string, Tracked<types.Consumer>>();
  readonly #transports = new Map<string, TransportType>();
  readonly #options: SfuStatsOptions;
  readonly #timer: NodeJS.Timeout;
  #cursor = 0;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: SfuStatsOptions) {
    super();
    this.#options = options;
    this.onListenerError = (event, err) => options.logger?.error({ err, event }, 'sfu stats subscriber threw');
    this.#timer = setInterval(() => void this.sample(), options.intervalMs).unref();
  }

  /** Follows a worker's objects from now on (call it as the worker starts, before it has routers). */
  addWorker(worker: types.Worker): void {
    worker.observer.on('newrouter', (router) => {
      router.observer.on('newtransport', (transport) => this.#addTransport(transport));
    });
  }

  /** Live mediasoup objects by kind and transport type. */
  counts(): { transports: Map<TransportType, number>; producers: Map<string, number>; consumers: Map<string, number> } {
    const transports = new Map<TransportType, number>();
    for (const type of this.#transports.values()) transports.set(type, (transports.get(type) ?? 0) + 1);
    const byKind = (m: Map<string, Tracked<unknown>>): Map<string, number> => {
      const out = new Map<string, number>();
      for (const t of m.values()) out.set(`${t.kind}|${t.transport}`, (out.get(`${t.kind}|${t.transport}`) ?? 0) + 1);
      return out;
    };
    return { transports, producers: byKind(this.#producers), consumers: byKind(this.#consumers) };
  }

  /** Runs one cycle now (the timer calls this; tests may too). Cycles never overlap. */
  sample(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#running ??= this.#cycle().finally(() => (this.#running = undefined));
    return this.#running;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  #addTransport(transport: types.Transport): void {
    const type = transportType(transport);
    this.#transports.set(transport.id, type);
    transport.observer.once('close', () => this.#transports.delete(transport.id));
    transport.observer.on('newproducer', (producer) => {
      this.#producers.set(producer.id, { object: producer, kind: producer.kind, transport: type, last: { packets: 0, bytes: 0, lost: 0 } });
      producer.observer.once('close', () => this.#producers.delete(producer.id));
    });
    transport.observer.on('newconsumer', (consumer) => {
      this.#consumers.set(consumer.id, { object: consumer, kind: consumer.kind, transport: type, last: { packets: 0, bytes: 0, lost: 0 } });
      consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    });
  }

  async #cycle(): Promise<void> {
    const all: Array<{ role: 'producer' | 'consumer'; t: Tracked<types.Producer> | Tracked<types.Consumer> }> = [
      ...[...this.#producers.values()].map((t) => ({ role: 'producer' as const, t })),
      ...[...this.#consumers.values()].map((t) => ({ role: 'consumer' as const, t })),
    ];
    const n = Math.min(all.length, this.#options.maxPerCycle);
    if (this.#cursor >= all.length) this.#cursor = 0;
    const batch = Array.from({ length: n }, (_, i) => all[(this.#cursor + i) % all.length]!);
    this.#cursor = all.length ? (this.#cursor + n) % all.length : 0;
    const forwarded = new Map<string, { packets: number; bytes: number }>();
    const received = new Map<string, { packets: number; bytes: number }>();
    const lost = new Map<string, number>();
    const rtts: SfuSample['rtts'] = [];
    await Promise.all(batch.map(async ({ role, t }) => {
      let stats: Array<types.ProducerStat | types.ConsumerStat>;
      try {
        stats = t.object.closed ? [] : await t.object.getStats();
      } catch {
        return; // closed while we asked
      }
      // A consumer reports its outbound stream and a copy of the producer's: count only its own.
      const own = role === 'consumer' ? stats.filter((s) => s.type === 'outbound-rtp') : stats.filter((s) => s.type === 'inbound-rtp');
      if (!own.length) return;
      const now = { packets: 0, bytes: 0, lost: 0 };
      for (const s of own) {
        now.packets += s.packetCount;
        now.bytes += s.byteCount;
        now.lost += Math.max(0, s.packetsLost);
        if (s.roundTripTime !== undefined && s.roundTripTime > 0) rtts.push({ direction: role === 'consumer' ? 'outbound' : 'inbound', seconds: s.roundTripTime / 1000 });
      }
      const key = `${t.kind}|${t.transport}`;
      const into = role === 'consumer' ? forwarded : received;
      const acc = into.get(key) ?? { packets: 0, bytes: 0 };
      // Counters only go up: a simulcast stream that vanished shrinks the sum, never the total.
      acc.packets += Math.max(0, now.packets - t.last.packets);
      acc.bytes += Math.max(0, now.bytes - t.last.bytes);
      into.set(key, acc);
      const lostKey = `${role === 'consumer' ? 'outbound' : 'inbound'}|${t.kind}`;
      lost.set(lostKey, (lost.get(lostKey) ?? 0) + Math.max(0, now.lost - t.last.lost));
      t.last = { packets: Math.max(now.packets, t.last.packets), bytes: Math.max(now.bytes, t.last.bytes), lost: Math.max(now.lost, t.last.lost) };
    }));
    const split = (key: string): [Kind, TransportType] => key.split('|') as [Kind, TransportType];
    this.emit('sample', {
      forwarded: [...forwarded].map(([k, v]) => ({ kind: split(k)[0], transport: split(k)[1], ...v })),
      received: [...received].map(([k, v]) => ({ kind: split(k)[0], transport: split(k)[1], ...v })),
      lost: [...lost].map(([k, packets]) => ({ direction: k.split('|')[0] as 'inbound' | 'outbound', kind: k.split('|')[1] as Kind, packets })),
      rtts,
      sampled: batch.length,
    });
  }
}

function transportType(transport: types.Transport): TransportType {
  switch (transport.constructor.name) {
    case 'WebRtcTransport': return 'webrtc';
    case 'PlainTransport': return 'plain';
    case 'PipeTransport': return 'pipe';
    default: return 'direct';
  }
}
