import type { BenchMedia } from '../media.js';
import type { Pacer } from '../pacer.js';
import { ParleyBot, type SendLogs } from '../parleyBot.js';
import type { ReceiveTally } from '../receiver.js';

/** What the churn needs of a server: the signaling URL and attendee tokens (ParleyServerProcess has both). */
export interface ChurnServer {
  readonly signalingUrl: string;
  createMeeting(name: string): Promise<string>;
  createAttendee(meetingId: string, user: string): Promise<string>;
}

export interface ChurnOptions {
  participants: number;
  rooms: number;
  /** How long a participant stays before it leaves, seconds (uniform in [min, max]). */
  stayS: [number, number];
  /** Pause between leaving and joining again, seconds. */
  awayS: [number, number];
  /** Every n-th participant also publishes video (all publish audio). */
  videoEvery: number;
  /** Seed of the stay/away/leave-style choices, so a run replays. */
  seed: number;
}

export interface ChurnCounts {
  joins: number;
  /** Left with a `leave` request, then closed. */
  leaves: number;
  /** Dropped: the socket and peer connections closed with no `leave` (a crashed tab). */
  drops: number;
  failures: number;
  /** First few failure messages, for the report. */
  failureSamples: string[];
}

/**
 * Synthetic participants joining, publishing, subscribing and leaving in a loop, spread over a
 * few rooms: the churn a soak runs for an hour and a CI test for seconds. Half the leaves are
 * polite (`leave`), half abrupt (socket closed), since both paths must release everything.
 */
export class Churn {
  readonly counts: ChurnCounts = { joins: 0, leaves: 0, drops: 0, failures: 0, failureSamples: [] };
  readonly #server: ChurnServer;
  readonly #ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally };
  readonly #opts: ChurnOptions;
  readonly #live = new Set<ParleyBot>();
  readonly #stopped: Promise<void>;
  #stop!: () => void;
  #running = false;
  #loops: Array<Promise<void>> = [];
  #rand: number;

  constructor(server: ChurnServer, ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally }, opts: ChurnOptions) {
    this.#server = server;
    this.#ctx = ctx;
    this.#opts = opts;
    this.#rand = opts.seed >>> 0 || 1;
    this.#stopped = new Promise((r) => (this.#stop = r));
  }

  /** Participants connected right now. */
  get live(): number {
    return this.#live.size;
  }

  async start(): Promise<void> {
    const rooms = await Promise.all(Array.from({ length: this.#opts.rooms }, (_, i) => this.#server.createMeeting(`soak-${Date.now()}-${i}`)));
    const logs: SendLogs[] = rooms.map(() => new Map());
    this.#running = true;
    this.#loops = Array.from({ length: this.#opts.participants }, (_, i) => this.#participant(i, rooms[i % rooms.length]!, logs[i % rooms.length]!));
  }

  /** Everyone leaves (each the way its loop chooses) and no one rejoins. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stop();
    await Promise.all(this.#loops);
  }

  #next(): number {
    let x = this.#rand;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rand = x >>> 0;
    return this.#rand / 0x100000000;
  }

  #between([lo, hi]: [number, number]): number {
    return (lo + this.#next() * (hi - lo)) * 1000;
  }

  /** Waits `ms` or until stop(), whichever is first. */
  #wait(ms: number): Promise<void> {
    return Promise.race([new Promise<void>((r) => setTimeout(r, ms).unref()), this.#stopped]);
  }

  async #participant(index: number, meetingId: string, logs: SendLogs): Promise<void> {
    // Staggered start, so 50 joins do not all land in the first second.
    await this.#wait(index * 150);
    for (let round = 0; this.#running; round++) {
      let bot: ParleyBot | undefined;
      try {
        bot = await ParleyBot.join(this.#server.signalingUrl, await this.#server.createAttendee(meetingId, `soak-${index}-${round}`));
        this.#live.add(bot);
        this.counts.joins++;
        await bot.publish(this.#ctx.media, this.#ctx.pacer, logs, { audio: true, video: index % this.#opts.videoEvery === 0 });
        await bot.subscribe(this.#ctx.tally, logs);
        await this.#wait(this.#between(this.#opts.stayS));
        if (this.#next() < 0.5) {
          await bot.signal.request('leave').catch(() => undefined);
          this.counts.leaves++;
        } else {
          this.counts.drops++;
        }
      } catch (err) {
        this.counts.failures++;
        if (this.counts.failureSamples.length < 5) this.counts.failureSamples.push(String((err as Error).message ?? err));
      } finally {
        if (bot) {
          bot.close();
          this.#live.delete(bot);
        }
      }
      await this.#wait(this.#between(this.#opts.awayS));
    }
  }
}
