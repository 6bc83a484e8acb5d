import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * The address limits count a request against. Behind a reverse proxy (trustProxy) that is the
 * first X-Forwarded-For entry; otherwise the socket's peer, which a client cannot forge.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
    if (first) return limitKeyOfAddress(first);
  }
  return limitKeyOfAddress(req.socket.remoteAddress ?? 'unknown');
}

/**
 * IPv4 as is (an IPv4-mapped IPv6 address as its IPv4 form); IPv6 by its /64, the prefix one
 * host or home network is given, so a client cannot step round its limit inside its own subnet.
 */
export function limitKeyOfAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}
