import { Redis } from 'ioredis';

/** What a node tells the cluster about itself on every heartbeat. */
export interface NodeInfo {
  id: string;
  /** Base URL clients and other nodes reach this node's REST and signaling at. */
  url: string;
  /** 0..1 share of the node's cores in use. */
  cpu: number;
  participants: number;
  /** Bits per second sent and received by the SFU. */
  bandwidthBps: number;
  /** A draining node heartbeats on but takes no new placements. */
  draining: boolean;
  updatedAt: number;
}

export interface NodeRegistryOptions {
  redisUrl: string;
  /** Key prefix, so test runs (or several clusters) can share one Redis. */
  prefix?: string;
  /** How long a heartbeat keeps a node alive; a SIGKILLed node drops out after this. */
  ttlMs?: number;
  /** How often this node refreshes its heartbeat; well under ttlMs so one slow beat does not expire it. */
  intervalMs?: number;
}

/**
 * The node registry: one key per node holding its NodeInfo with a TTL (the heartbeat), so a node
 * that dies without a word (SIGKILL, a cut cable) leaves the live list when its key expires, with no
 * reaper to run. A set of node ids is only an index; liveness is the key's existence.
 */
export class NodeRegistry {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: NodeRegistryOptions) {
    // Commands fail fast while Redis is away instead of queueing without end; reconnects go on.
    this.#redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    this.#redis.on('error', () => { /* reconnects by itself; callers see the failed command */ });
    this.#prefix = options.prefix ?? 'parley:';
    this.#ttlMs = options.ttlMs ?? 5000;
    this.#intervalMs = options.intervalMs ?? Math.max(100, Math.floor(this.#ttlMs / 3));
  }

  async connect(): Promise<void> {
    await this.#redis.connect();
  }

  /** Writes this node's heartbeat now and then every intervalMs with the values load() returns. */
  async start(load: () => Omit<NodeInfo, 'updatedAt'>): Promise<void> {
    await this.beat(load());
    const tick = (): void => {
      if (this.#closed) return;
      this.beat(load()).catch(() => { /* Redis away: the next beat tries again */ }).finally(() => {
        if (!this.#closed) this.#timer = setTimeout(tick, this.#intervalMs);
      });
    };
    this.#timer = setTimeout(tick, this.#intervalMs);
  }

  async beat(info: Omit<NodeInfo, 'updatedAt'>): Promise<void> {
    const record: NodeInfo = { ...info, updatedAt: Date.now() };
    await this.#redis.multi()
      .set(this.#nodeKey(info.id), JSON.stringify(record), 'PX', this.#ttlMs)
      .sadd(`${this.#prefix}nodes`, info.id)
      .exec();
  }

  /** Nodes whose heartbeat has not expired; ids whose key is gone are dropped from the index. */
  async liveNodes(): Promise<NodeInfo[]> {
    const ids = await this.#redis.smembers(`${this.#prefix}nodes`);
    if (!ids.length) return [];
    const values = await this.#redis.mget(ids.map((id) => this.#nodeKey(id)));
    const live: NodeInfo[] = [];
    const gone: string[] = [];
    values.forEach((value, i) => {
      const node = value ? parseNode(value) : undefined;
      if (node) live.push(node);
      else gone.push(ids[i]!);
    });
    if (gone.length) await this.#redis.srem(`${this.#prefix}nodes`, ...gone);
    return live;
  }

  /** Removes this node at once (clean shutdown), rather than waiting for the TTL. */
  async deregister(id: string): Promise<void> {
    await this.#redis.multi().del(this.#nodeKey(id)).srem(`${this.#prefix}nodes`, id).exec();
  }

  /** Stops the heartbeat and the connection; safe to repeat. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#redis.disconnect();
  }

  #nodeKey(id: string): string {
    return `${this.#prefix}node:${id}`;
  }
}

/**
 * The least-loaded live node that takes placements: fewest participants, then lowest CPU, then id
 * (so every node picks the same one from the same list). Undefined when none is live.
 */
export function leastLoaded(nodes: readonly NodeInfo[]): NodeInfo | undefined {
  return nodes
    .filter((n) => !n.draining)
    .sort((a, b) => a.participants - b.participants || a.cpu - b.cpu || a.id.localeCompare(b.id))[0];
}

function parseNode(value: string): NodeInfo | undefined {
  try {
    const v = JSON.parse(value) as Partial<NodeInfo>;
    if (typeof v.id !== 'string' || typeof v.url !== 'string') return undefined;
    return {
      id: v.id,
      url: v.url,
      cpu: Number(v.cpu) || 0,
      participants: Number(v.participants) || 0,
      bandwidthBps: Number(v.bandwidthBps) || 0,
      draining: v.draining === true,
      updatedAt: Number(v.updatedAt) || 0,
    };
  } catch {
    return undefined;
  }
}
