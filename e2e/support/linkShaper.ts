import { execFileSync } from 'node:child_process';

// A bottleneck on one UDP flow of the loopback interface, made with tc: an htb qdisc at the root
// of `lo` whose default class passes everything untouched, and a second class whose tbf child
// limits the rate and queue of the one flow a u32 filter (server port -> browser port) steers
// into it. Other loopback traffic (HTTP, WebSocket, other peers' media) is not touched.
// This kernel has htb, tbf and u32 but no netem, so random loss is made with nftables instead
// (lossyLink.ts).
// Needs root (CAP_NET_ADMIN) and tc.

export interface Bottleneck {
  /** Rate, kbit/s. */
  rateKbps: number;
  /** The longest a packet may wait in the queue before the bottleneck drops it, ms (a shallow access-link queue). */
  queueMs: number;
}

export interface UdpFlow {
  srcPort: number;
  dstPort: number;
}

const DEV = 'lo';

function tc(...args: string[]): void {
  execFileSync('tc', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Can this process shape loopback traffic (root, tc, and the htb/tbf/u32 it uses)? */
export function canShapeLoopback(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function tbfArgs(b: Bottleneck): string[] {
  const bytesPerMs = (b.rateKbps * 1000) / 8 / 1000;
  // A burst of at least one full packet (plus headroom) or tbf can never send.
  const burst = Math.max(3000, Math.round(bytesPerMs * 5));
  return ['tbf', 'rate', `${b.rateKbps}kbit`, 'burst', String(burst), 'latency', `${b.queueMs}ms`];
}

/** One bottlenecked flow on loopback; close() restores the interface. */
export class LoopbackShaper {
  #installed = false;

  /** Starts limiting the flow (IPv4 UDP, matched by source and destination port). */
  shape(flow: UdpFlow, bottleneck: Bottleneck): void {
    this.close();
    tc('qdisc', 'add', 'dev', DEV, 'root', 'handle', '1:', 'htb', 'default', '1', 'r2q', '1000');
    this.#installed = true;
    tc('class', 'add', 'dev', DEV, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10gbit');
    tc('class', 'add', 'dev', DEV, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit');
    tc('qdisc', 'add', 'dev', DEV, 'parent', '1:10', 'handle', '10:', ...tbfArgs(bottleneck));
    tc('filter', 'add', 'dev', DEV, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
      'match', 'ip', 'protocol', '17', '0xff',
      'match', 'ip', 'sport', String(flow.srcPort), '0xffff',
      'match', 'ip', 'dport', String(flow.dstPort), '0xffff',
      'flowid', '1:10');
  }

  /** Changes the bottleneck of the flow being shaped (e.g. the link recovers). */
  change(bottleneck: Bottleneck): void {
    if (!this.#installed) throw new Error('nothing shaped yet');
    tc('qdisc', 'change', 'dev', DEV, 'parent', '1:10', 'handle', '10:', ...tbfArgs(bottleneck));
  }

  /** What the bottleneck counted: packets sent on, and dropped for a full queue. */
  counters(): { sent: number; dropped: number } {
    const out = execFileSync('tc', ['-s', 'qdisc', 'show', 'dev', DEV, 'parent', '1:10'], { encoding: 'utf8' });
    const m = /Sent \d+ bytes (\d+) pkt \(dropped (\d+)/.exec(out);
    return { sent: Number(m?.[1] ?? 0), dropped: Number(m?.[2] ?? 0) };
  }

  /** Removes everything this shaper added (idempotent; also clears what a crashed run left). */
  close(): void {
    try {
      tc('qdisc', 'del', 'dev', DEV, 'root');
    } catch {
      // Nothing installed: the default qdisc is back already.
    }
    this.#installed = false;
  }
}
