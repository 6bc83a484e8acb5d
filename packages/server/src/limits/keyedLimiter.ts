import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** `points` events per `seconds` per key (a fixed window); points 0 = unlimited. */
export interface RateWindow {
  points: number;
  seconds: number;
}

/** Why a take was refused: how long until the key has points again. */
export interface Refusal {
  retryAfterMs: number;
}

/**
 * One counter per key (an IP, an API key, an attendee) over a window, in memory: the one limiter
 * behind REST, WebSocket upgrades and joins. rate-limiter-flexible keeps the keys and expires
 * them with the window (unref'd timers), so a spray of addresses costs memory for one window only.
 */
export class KeyedLimiter {
  readonly window: RateWindow;
  readonly #limiter: RateLimiterMemory | undefined;

  constructor(window: RateWindow) {
    this.window = window;
    this.#limiter = window.points > 0 ? new RateLimiterMemory({ points: window.points, duration: window.seconds }) : undefined;
  }

  /** Counts one event for key: undefined when allowed, else how long to wait. */
  async take(key: string): Promise<Refusal | undefined> {
    if (!this.#limiter) return undefined;
    try {
      await this.#limiter.consume(key);
      return undefined;
    } catch (res) {
      // The memory store rejects only with a RateLimiterRes; anything else is a bug worth seeing.
      if (res instanceof RateLimiterRes) return { retryAfterMs: Math.max(1, res.msBeforeNext) };
      throw res;
    }
  }
}

/** Retry-After is whole seconds, at least 1. */
export function retryAfterSeconds(refusal: Refusal): number {
  return Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
}
