import { JanusBot, JanusProcess, type JanusFeeds } from './janus.js';
import type { BenchMedia } from './media.js';
import type { Pacer } from './pacer.js';
import { ParleyBot, type SendLogs, type Viewport } from './parleyBot.js';
import { ParleyServerProcess } from './parleyServer.js';
import type { ReceiveTally, StreamReceiver } from './receiver.js';

/** A synthetic participant, whichever SFU it is on. */
export interface Bot {
  readonly startedAt: number;
  readonly receivers: StreamReceiver[];
  /** `simulcast`: video as the 3-layer simulcast of `media.simulcast` (Parley only; Janus publishes one layer). */
  publish(what: { audio: boolean; video: boolean; simulcast?: boolean }): Promise<void>;
  /** Receives everything published in the room so far (except its own). */
  /** `viewport`: the size it says it renders videos at (Parley's setConsumerPreferences; the layer policy picks the layer from it). */
  subscribe(viewport?: Viewport): Promise<void>;
  /** Parley: the worker's bandwidth estimate toward this bot (its receive transport's availableOutgoingBitrate, null when it has none). */
  outgoingEstimate?(): Promise<number | null>;
  close(): void;
}

export interface BenchRoom {
  join(name: string): Promise<Bot>;
}

/** An SFU under test: Parley (its own process) or Janus. */
export interface Target {
  readonly name: string;
  /** Processes that forward media (mediasoup workers; janus). */
  readonly mediaPids: number[];
  /** The Node process (signaling, room logic) for Parley; none for Janus (one process). */
  readonly controlPids: number[];
  createRoom(name: string, publishers: number): Promise<BenchRoom>;
  close(): Promise<void>;
}

export class ParleyTarget implements Target {
  readonly name: string;
  readonly server: ParleyServerProcess;
  readonly #ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally };

  constructor(name: string, server: ParleyServerProcess, ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally }) {
    this.name = name;
    this.server = server;
    this.#ctx = ctx;
  }

  /** receiversPerRouter: when set, a room spreads its receivers over workers after this many per router. */
  static async start(workers: number, ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally }, receiversPerRouter?: number): Promise<ParleyTarget> {
    const env: Record<string, string> = receiversPerRouter ? { PARLEY_RTC_RECEIVERS_PER_ROUTER: String(receiversPerRouter) } : {};
    return new ParleyTarget(`Parley (${workers} worker${workers > 1 ? 's' : ''})`, await ParleyServerProcess.start(workers, env), ctx);
  }

  get mediaPids(): number[] {
    return this.server.workerPids;
  }

  get controlPids(): number[] {
    return [this.server.pid];
  }

  async createRoom(name: string): Promise<BenchRoom> {
    const meetingId = await this.server.createMeeting(name);
    const logs: SendLogs = new Map();
    const { media, pacer, tally } = this.#ctx;
    const server = this.server;
    return {
      async join(user: string): Promise<Bot> {
        const bot = await ParleyBot.join(server.signalingUrl, await server.createAttendee(meetingId, user));
        return {
          startedAt: bot.startedAt,
          receivers: bot.receivers,
          publish: (what) => bot.publish(media, pacer, logs, what),
          subscribe: (viewport) => bot.subscribe(tally, logs, viewport),
          outgoingEstimate: async () => (await bot.signal.request<{ recv: { availableOutgoingBitrate: number | null } | null }>('getTransportStats', {})).recv?.availableOutgoingBitrate ?? null,
          close: () => bot.close(),
        };
      },
    };
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}

export class JanusTarget implements Target {
  readonly name: string;
  readonly janus: JanusProcess;
  readonly #ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally };

  private constructor(janus: JanusProcess, ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally }) {
    this.name = `Janus ${JanusProcess.version()} VideoRoom`;
    this.janus = janus;
    this.#ctx = ctx;
  }

  static async start(ctx: { media: BenchMedia; pacer: Pacer; tally: ReceiveTally }): Promise<JanusTarget> {
    return new JanusTarget(await JanusProcess.start(), ctx);
  }

  get mediaPids(): number[] {
    return [this.janus.pid];
  }

  get controlPids(): number[] {
    return [];
  }

  async createRoom(_name: string, publishers: number): Promise<BenchRoom> {
    const room = await JanusBot.createRoom(this.janus.wsUrl, Math.max(publishers, 1) + 1);
    const feeds: JanusFeeds = new Map();
    const { media, pacer, tally } = this.#ctx;
    const url = this.janus.wsUrl;
    return {
      async join(): Promise<Bot> {
        const bot = await JanusBot.connect(url);
        return {
          startedAt: bot.startedAt,
          receivers: bot.receivers,
          publish: (what) => bot.publish(room, media, pacer, feeds, what),
          subscribe: () => bot.subscribe(room, feeds, tally),
          close: () => bot.close(),
        };
      },
    };
  }

  async close(): Promise<void> {
    await this.janus.close();
  }
}
