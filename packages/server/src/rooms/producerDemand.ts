import type { types } from 'mediasoup';
import { TypedEmitter } from '@parley/protocol';

export type ProducerDemandEvents = {
  /** Whether anyone receives the video producer changed (tell its publisher). */
  demand: [producer: types.Producer, wanted: boolean];
};

export interface ProducerDemandDeps {
  /** Every consumer of the producer, across the room. */
  consumersOf: (producerId: string) => types.Consumer[];
  /** A producer nobody receives is reported only after this long (consumers start paused for a moment). */
  settleMs: number;
}

/**
 * Dynacast at producer level: a video producer is wanted while at least one of its consumers is
 * resumed (or it has none yet). When every consumer is paused (each receiver paused the tile), the
 * publisher is told to stop sending it, after settleMs; the first resume tells it to send again
 * at once. Audio is always wanted. close() is idempotent and clears its timers.
 */
export class ProducerDemand extends TypedEmitter<ProducerDemandEvents> {
  readonly #deps: ProducerDemandDeps;
  readonly #unwanted = new Set<string>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #watched = new WeakSet<types.Producer>();
  #closed = false;

  constructor(deps: ProducerDemandDeps) {
    super();
    this.#deps = deps;
  }

  /** Is the producer wanted now (as last reported)? */
  wanted(producerId: string): boolean {
    return !this.#unwanted.has(producerId);
  }

  /** Watches a new consumer: its pause, resume and close may change its producer's demand. */
  handleConsumer(consumer: types.Consumer, producer: types.Producer): void {
    if (this.#closed || producer.kind !== 'video') return;
    if (!this.#watched.has(producer)) {
      this.#watched.add(producer);
      producer.observer.once('close', () => this.#forget(producer.id));
    }
    const check = () => this.handleChange(producer);
    consumer.observer.on('pause', check);
    consumer.observer.on('resume', check);
    consumer.observer.once('close', check);
    check();
  }

  handleChange(producer: types.Producer): void {
    if (this.#closed || producer.closed || producer.kind !== 'video') return;
    const consumers = this.#deps.consumersOf(producer.id).filter((c) => !c.closed);
    const wanted = consumers.length === 0 || consumers.some((c) => !c.paused);
    if (wanted) {
      clearTimeout(this.#timers.get(producer.id));
      this.#timers.delete(producer.id);
      if (this.#unwanted.delete(producer.id)) this.emit('demand', producer, true);
      return;
    }
    if (this.#unwanted.has(producer.id) || this.#timers.has(producer.id)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(producer.id);
      if (this.#closed || producer.closed) return;
      const now = this.#deps.consumersOf(producer.id).filter((c) => !c.closed);
      if (now.length === 0 || now.some((c) => !c.paused)) return;
      this.#unwanted.add(producer.id);
      this.emit('demand', producer, false);
    }, this.#deps.settleMs);
    this.#timers.set(producer.id, timer);
  }

  #forget(producerId: string): void {
    clearTimeout(this.#timers.get(producerId));
    this.#timers.delete(producerId);
    this.#unwanted.delete(producerId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.removeAllListeners();
  }
}
