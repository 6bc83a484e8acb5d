import { readFileSync } from 'node:fs';

/** UDP sockets of this network namespace, split into those bound to one port (the SFU's) and all others (the bots'). */
export interface UdpSocketStats {
  /** Datagrams dropped because the receive buffer was full, at the port's sockets. */
  drops: number;
  /** The same at all other sockets. */
  otherDrops: number;
  /** Bytes waiting in the port's receive queues now. */
  queuedBytes: number;
}

/** Reads /proc/net/udp{,6} (rx_queue and drops columns). */
export function udpSocketStats(port: number): UdpSocketStats {
  const s: UdpSocketStats = { drops: 0, otherDrops: 0, queuedBytes: 0 };
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const localPort = parseInt(cols[1]?.split(':')[1] ?? '', 16);
      const drops = Number(cols[cols.length - 1]);
      if (localPort === port) {
        s.drops += drops;
        s.queuedBytes += parseInt(cols[4]?.split(':')[1] ?? '0', 16);
      } else {
        s.otherDrops += drops;
      }
    }
  }
  return s;
}
