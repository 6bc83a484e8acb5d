import type { types } from 'mediasoup';
import { TypedEmitter } from '@parley/protocol';

/** What the publisher of a video should send. */
export interface Demand {
  /** Anyone receives it at all (false: stop every encoding). */
  wanted: boolean;
  /** The highest simulcast layer anyone wants; encodings above it can stop. null: all of them (single-layer, or not known). */
  maxSpatialLayer: number | null;
}

/** One receiver of a video, as the demand sees it. */
export interface ReceiverWant {
  /** The receiver paused it (a paused tile): it wants nothing. */
  paused: boolean;
  /** The layer its render size (or its own cap) asks for; null: not known yet (counts as the top). */
  layer: number | null;
}

/**
 * Pure: what a video's receivers ask of its publisher. Wanted while at least one receiver has not
 * paused it (or it has none yet: a new publisher's video is sent until someone says otherwise).
 * The layer ceiling is the highest layer any unpaused receiver wants; with `layers` < 2 (not
 * simulcast) there is nothing to thin and it is null.
 */
export function demandOf(receivers: readonly ReceiverWant[], layers: number): Demand {
  const top = layers - 1;
  const active = receivers.filter((r) => !r.paused);
  const wanted = receivers.length === 0 || active.length > 0;
  if (layers < 2 || active.length === 0) return { wanted, maxSpatialLayer: null };
  const max = Math.max(...active.map((r) => (r.layer === null ? top : Math.max(0, Math.min(top, r.layer)))));
  return { wanted, maxSpatialLayer: max >= top ? null : max };
}

/** Less is sent than before (a layer or the whole video stops): such changes wait for settleMs. */
function isReduction(from: Demand, to: Demand): boolean {
  if (from.wanted !== to.wanted) return !to.wanted;
  const level = (d: Demand) => d.maxSpatialLayer ?? Number.POSITIVE_INFINITY;
  return level(to) < level(from);
}

interface Receiver {
  consumer: types.Consumer;
  wantedLayer: () => number | null;
}

const sameDemand = (a: Demand, b: Demand) => a.wanted === b.wanted && a.maxSpatialLayer === b.maxSpatialLayer;
const FULL: Demand = { wanted: true, maxSpatialLayer: null };

export type ProducerDemandEvents = {
  /** What the receivers of a video producer ask of its publisher changed (tell the publisher). */
  demand: [producer: types.Producer, demand: Demand];
};

export interface ProducerDemandDeps {
  /**
   * A reduction is reported only once it has held this long (consumers start paused for a moment,
   * a tile being resized passes through small sizes); more demand is reported at once.
   */
  settleMs: number;
}

/**
 * Dynacast: tells each publisher what its videos' receivers want, so encodings nobody watches are
 * not encoded or sent. A video every receiver paused stops whole; a simulcast layer above what
 * every receiver's tile needs stops on its own (LiveKit calls these subscribed qualities). Audio is
 * always sent. The receivers' bandwidth does not lower the demand: the top layer a big tile wants
 * keeps coming so a receiver can climb back to it. close() is idempotent and clears its timers.
 */
export class ProducerDemand extends TypedEmitter<ProducerDemandEvents> {
  readonly #deps: ProducerDemandDeps;
  /** The demand last reported per producer; absent means FULL (what a publisher starts with). */
  readonly #reported = new Map<string, Demand>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Each video producer's receivers: consumer id -> the consumer and what its receiver wants of it. */
  readonly #receivers = new Map<string, Map<string, Receiver>>();
  readonly #producerOf = new Map<string, types.Producer>();
  #closed = false;

  constructor(deps: ProducerDemandDeps) {
    super();
    this.#deps = deps;
  }

  /** The demand last reported for a producer. */
  demand(producerId: string): Demand {
    return this.#reported.get(producerId) ?? FULL;
  }

  /**
   * Watches a new consumer of a video: its pause, resume and close, and the layer its receiver
   * wants (`wantedLayer`, read when the demand is worked out), may change its producer's demand.
   */
  handleConsumer(consumer: types.Consumer, producer: types.Producer, wantedLayer: () => number | null): void {
    if (this.#closed || producer.kind !== 'video' || producer.closed) return;
    let receivers = this.#receivers.get(producer.id);
    if (!receivers) {
      receivers = new Map();
      this.#receivers.set(producer.id, receivers);
      producer.observer.once('close', () => this.#forget(producer.id));
    }
    receivers.set(consumer.id, { consumer, wantedLayer });
    this.#producerOf.set(consumer.id, producer);
    const check = () => this.#handleChange(producer);
    consumer.observer.on('pause', check);
    consumer.observer.on('resume', check);
    consumer.observer.once('close', () => {
      this.#producerOf.delete(consumer.id);
      this.#receivers.get(producer.id)?.delete(consumer.id);
      check();
    });
    check();
  }

  /** The layer a consumer's receiver wants changed (its tile was resized, or it set a cap). */
  handleWantedLayer(consumerId: string): void {
    const producer = this.#producerOf.get(consumerId);
    if (producer) this.#handleChange(producer);
  }

  #handleChange(producer: types.Producer): void {
    if (this.#closed || producer.closed || producer.kind !== 'video') return;
    const next = this.#compute(producer);
    const reported = this.demand(producer.id);
    clearTimeout(this.#timers.get(producer.id));
    this.#timers.delete(producer.id);
    if (sameDemand(next, reported)) return;
    if (!isReduction(reported, next)) {
      this.#report(producer, next);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(producer.id);
      if (this.#closed || producer.closed) return;
      // Report what holds now: the reduction may have grown, shrunk or gone meanwhile.
      const now = this.#compute(producer);
      if (!sameDemand(now, this.demand(producer.id))) this.#report(producer, now);
    }, this.#deps.settleMs);
    this.#timers.set(producer.id, timer);
  }

  #compute(producer: types.Producer): Demand {
    const receivers = [...(this.#receivers.get(producer.id)?.values() ?? [])]
      .filter((r) => !r.consumer.closed)
      .map((r) => ({ paused: r.consumer.paused, layer: r.wantedLayer() }));
    const layers = producer.type === 'simulcast' ? (producer.rtpParameters.encodings?.length ?? 1) : 1;
    return demandOf(receivers, layers);
  }

  #report(producer: types.Producer, demand: Demand): void {
    if (sameDemand(demand, FULL)) this.#reported.delete(producer.id);
    else this.#reported.set(producer.id, demand);
    this.emit('demand', producer, demand);
  }

  #forget(producerId: string): void {
    for (const consumerId of this.#receivers.get(producerId)?.keys() ?? []) this.#producerOf.delete(consumerId);
    this.#receivers.delete(producerId);
    clearTimeout(this.#timers.get(producerId));
    this.#timers.delete(producerId);
    this.#reported.delete(producerId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#receivers.clear();
    this.#producerOf.clear();
    this.removeAllListeners();
  }
}
