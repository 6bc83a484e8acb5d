import type { types } from 'mediasoup';
import type { RouterSlot, WorkerPool } from './workerPool.js';

interface Slot extends RouterSlot {
  receivers: number;
}

/**
 * The routers of one room. Producers live on the first (home) router; receivers fill it up to
 * `receiversPerRouter`, then further receivers go to routers on other workers, which get each
 * producer they need through pipeToRouter (once per producer and router). A room larger than one
 * worker so uses several cores, while a small room stays on one router with no piping.
 */
export class RouterSpread {
  readonly #pool: WorkerPool;
  readonly #codecs: types.RtpCodecCapability[];
  readonly #slots: Slot[];
  readonly #slotOf = new WeakMap<types.Transport, Slot>();
  readonly #piped = new Map<string, Promise<void>>();
  #adding: Promise<Slot | undefined> | undefined;
  #closed = false;

  /** Whether transports offer ICE-TCP candidates besides UDP (the pool's setting). */
  get tcp(): boolean {
    return this.#pool.tcp;
  }

  constructor(home: RouterSlot, pool: WorkerPool, codecs: types.RtpCodecCapability[]) {
    this.#pool = pool;
    this.#codecs = codecs;
    this.#slots = [{ ...home, receivers: 0 }];
  }

  get home(): RouterSlot {
    return this.#slots[0]!;
  }

  /** Routers in use by this room (home first). */
  get routers(): types.Router[] {
    return this.#slots.map((s) => s.router);
  }

  /**
   * Where a new transport goes: senders at home; receivers on the least-filled router, spreading
   * when all are full. A receiver's place is reserved at once (a burst of joins spreads too):
   * hand it back with release() if the transport is not created, or to track() when it is.
   */
  async slotFor(direction: 'send' | 'recv'): Promise<RouterSlot> {
    const home = this.#slots[0]!;
    if (direction === 'send') return home;
    const least = () => [...this.#slots].sort((a, b) => a.receivers - b.receivers)[0]!;
    let slot = least();
    if (slot.receivers >= this.#pool.receiversPerRouter) {
      await this.#addSlot();
      slot = least();
    }
    slot.receivers++;
    return slot;
  }

  release(slot: RouterSlot, direction: 'send' | 'recv'): void {
    const s = this.#slots.find((x) => x.router === slot.router);
    if (s && direction === 'recv') s.receivers--;
  }

  /** Records a transport created on a slot's router. */
  track(transport: types.Transport, slot: RouterSlot, direction: 'send' | 'recv'): void {
    const s = this.#slots.find((x) => x.router === slot.router);
    if (!s) return;
    this.#slotOf.set(transport, s);
    if (direction === 'recv') transport.observer.once('close', () => s.receivers--);
  }

  /** Makes a producer of the home router available on the transport's router (no-op at home). */
  async ensureProducer(producer: types.Producer, transport: types.Transport): Promise<types.Router> {
    const slot = this.#slotOf.get(transport) ?? this.#slots[0]!;
    const home = this.#slots[0]!;
    if (slot === home) return home.router;
    const key = `${producer.id}:${slot.router.id}`;
    let piping = this.#piped.get(key);
    if (!piping) {
      piping = home.router.pipeToRouter({ producerId: producer.id, router: slot.router }).then(() => undefined);
      this.#piped.set(key, piping);
      piping.catch(() => this.#piped.delete(key));
      producer.observer.once('close', () => this.#piped.delete(key));
    }
    await piping;
    return slot.router;
  }

  async #addSlot(): Promise<Slot | undefined> {
    // One spread at a time, so a burst of joins opens one new router, not one each.
    this.#adding ??= (async () => {
      const created = await this.#pool.createRouterAvoiding(this.#codecs, this.#slots.map((s) => s.workerPid));
      if (!created) return undefined;
      if (this.#closed) {
        created.router.close();
        return undefined;
      }
      const slot: Slot = { ...created, receivers: 0 };
      this.#slots.push(slot);
      created.router.observer.once('close', () => {
        const i = this.#slots.indexOf(slot);
        if (i > 0) this.#slots.splice(i, 1);
      });
      return slot;
    })().finally(() => {
      this.#adding = undefined;
    });
    return this.#adding;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots.slice(1)) s.router.close();
  }
}
