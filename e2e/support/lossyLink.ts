import { execFileSync } from 'node:child_process';
import type { UdpFlow } from './linkShaper.js';

// Random loss on one UDP flow of the loopback interface, made with nftables: a table of its own
// (inet parley_loss_<pid>_<n>, so two test processes on one machine do not remove each other's)
// with a chain on the prerouting hook and one rule that matches the flow (127.0.0.1:srcPort ->
// 127.0.0.1:dstPort) and drops a share of its packets picked by `numgen random`. Two named
// counters say how many packets of the flow went by and how many the rule dropped. This kernel
// has no netem (and no tc actions), but nf_tables with numgen.
// Prerouting, not output: a packet dropped on the output hook fails the sender's sendmsg with
// EPERM, and mediasoup's worker then sends it again (uv_udp_try_send fails, uv_udp_send retries),
// so the loss would be neither silent nor the share asked for. On prerouting the packet has left
// the sender, as on a real network.
// Other loopback traffic (HTTP, WebSocket, other flows' media) is not touched.
// Needs root (CAP_NET_ADMIN) and nft.

const PREFIX = 'parley_loss';
/** numgen draws from 0..STEPS-1: the drop fraction's resolution is 1/STEPS. */
const STEPS = 1000;
let instances = 0;

function nft(script: string): string {
  return execFileSync('nft', ['-f', '-'], { input: script, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the tables a test process that is gone left behind (it crashed before close()). */
function clearLeftovers(): void {
  const tables = execFileSync('nft', ['list', 'tables', 'inet'], { encoding: 'utf8' });
  for (const m of tables.matchAll(new RegExp(`^table inet (${PREFIX}_(?:trial_)?(\\d+)(?:_\\d+)?)$`, 'gm'))) {
    if (!alive(Number(m[2]))) nft(`delete table inet ${m[1]}\n`);
  }
}

function tableExists(table: string): boolean {
  try {
    execFileSync('nft', ['list', 'table', 'inet', table], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Can this process drop packets on loopback (root, nft, and a table it creates)? */
export function canDropOnLoopback(): boolean {
  if (process.getuid?.() !== 0) return false;
  const trial = `${PREFIX}_trial_${process.pid}`;
  try {
    if (tableExists(trial)) nft(`delete table inet ${trial}\n`);
    nft([
      `add table inet ${trial}`,
      `add chain inet ${trial} in { type filter hook prerouting priority 0; policy accept; }`,
      `add rule inet ${trial} in ip protocol udp udp sport 9 udp dport 9 numgen random mod ${STEPS} < 1 drop`,
      `delete table inet ${trial}`,
      '',
    ].join('\n'));
    return true;
  } catch {
    return false;
  }
}

export interface LossCounters {
  /** Packets of the flow that reached the rule. */
  matched: number;
  /** Of those, dropped. */
  dropped: number;
}

/** One lossy flow on loopback; close() removes the table. */
export class LossyLink {
  readonly #table = `${PREFIX}_${process.pid}_${++instances}`;
  #flow: UdpFlow | undefined;

  /** Starts dropping `fraction` (0..1) of the flow's packets, picked at random. */
  drop(flow: UdpFlow, fraction: number): void {
    this.close();
    clearLeftovers();
    this.#flow = flow;
    nft([
      `add table inet ${this.#table}`,
      `add counter inet ${this.#table} matched`,
      `add counter inet ${this.#table} dropped`,
      `add chain inet ${this.#table} in { type filter hook prerouting priority 0; policy accept; }`,
      ...this.#rules(fraction),
      '',
    ].join('\n'));
  }

  /** Changes the share dropped; the counters keep counting (one nft transaction, no gap). */
  change(fraction: number): void {
    if (!this.#flow) throw new Error('no flow made lossy yet');
    nft([`flush chain inet ${this.#table} in`, ...this.#rules(fraction), ''].join('\n'));
  }

  /** Packets of the flow seen and dropped since drop(). */
  counters(): LossCounters {
    const out = execFileSync('nft', ['-j', 'list', 'counters', 'table', 'inet', this.#table], { encoding: 'utf8' });
    const found: Record<string, number> = {};
    for (const item of (JSON.parse(out) as { nftables: Array<{ counter?: { name: string; packets: number } }> }).nftables) {
      if (item.counter) found[item.counter.name] = item.counter.packets;
    }
    return { matched: found.matched ?? 0, dropped: found.dropped ?? 0 };
  }

  /** Removes the table (idempotent). drop() also clears what a crashed run left. */
  close(): void {
    if (tableExists(this.#table)) nft(`delete table inet ${this.#table}\n`);
    this.#flow = undefined;
  }

  #rules(fraction: number): string[] {
    if (!(fraction >= 0 && fraction <= 1)) throw new Error(`drop fraction ${fraction} is not in 0..1`);
    const f = this.#flow!;
    const match = `ip saddr 127.0.0.1 ip daddr 127.0.0.1 ip protocol udp udp sport ${f.srcPort} udp dport ${f.dstPort}`;
    const below = Math.round(fraction * STEPS);
    // The drop rule is left out at 0: `< 0` would never match anyway.
    return [
      `add rule inet ${this.#table} in ${match} counter name matched`,
      ...(below > 0 ? [`add rule inet ${this.#table} in ${match} numgen random mod ${STEPS} < ${below} counter name dropped drop`] : []),
    ];
  }
}
