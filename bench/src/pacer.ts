import type { ClipSender } from './sender.js';

/** Drives every sender from one timer, so hundreds of bots cost one timer callback per tick. */
export class Pacer {
  readonly #senders = new Set<ClipSender>();
  readonly #timer: NodeJS.Timeout;

  constructor(tickMs = 4) {
    this.#timer = setInterval(() => {
      const now = performance.now();
      for (const s of this.#senders) s.tick(now);
    }, tickMs);
  }

  add(sender: ClipSender): void {
    this.#senders.add(sender);
  }

  remove(sender: ClipSender): void {
    this.#senders.delete(sender);
  }

  get sent(): number {
    let n = 0;
    for (const s of this.#senders) n += s.sent;
    return n;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#senders.clear();
  }
}
