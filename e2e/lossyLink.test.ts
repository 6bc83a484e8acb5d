import { execFileSync, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { canDropOnLoopback, LossyLink } from './support/lossyLink.js';

// The loss the browser tests induce: one loopback UDP flow loses the share asked for, other flows
// lose nothing, the sender does not notice, and the counters match what the receiver got.

async function socket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}
const port = (s: dgram.Socket) => (s.address() as AddressInfo).port;

let sendErrors = 0;

/** Sends `n` datagrams from `from` to `to` (paced, so no socket buffer overflows) and counts arrivals. */
async function send(from: dgram.Socket, to: dgram.Socket, n: number): Promise<number> {
  let got = 0;
  const count = () => got++;
  to.on('message', count);
  for (let i = 0; i < n; i++) {
    from.send(Buffer.alloc(200), port(to), '127.0.0.1', (err) => {
      if (err) sendErrors++;
    });
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 200));
  to.off('message', count);
  return got;
}

describe('lossy loopback link', () => {
  it.skipIf(!canDropOnLoopback())('drops the asked share of one flow only, counts it, and cleans up', async () => {
    const [server, browser, other] = await Promise.all([socket(), socket(), socket()]);
    // What a crashed run leaves: a table named after a process that is gone.
    const gone = spawnSync('true').pid;
    execFileSync('nft', ['add', 'table', 'inet', `parley_loss_${gone}_1`]);
    const link = new LossyLink();
    try {
      link.drop({ srcPort: port(server), dstPort: port(browser) }, 0.1);
      const got = await send(server, browser, 4000);
      const c = link.counters();
      expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }), 'a crashed run\'s table is cleared').not.toContain(`parley_loss_${gone}_`);
      expect(c.matched).toBe(4000);
      expect(got, 'what arrived is what the rule let through').toBe(c.matched - c.dropped);
      // Silent, as on a network: a sender that saw its drops (EPERM) could resend them, and mediasoup does.
      expect(sendErrors, 'the sender sees no error').toBe(0);
      // Binomial(4000, 0.1): sd 19; 300..500 is more than 5 sd either way.
      expect(c.dropped).toBeGreaterThan(300);
      expect(c.dropped).toBeLessThan(500);
      expect(await send(browser, server, 500), 'the reverse direction is untouched').toBe(500);
      expect(await send(other, browser, 500), 'another flow is untouched').toBe(500);

      link.change(0);
      expect(await send(server, browser, 1000), 'no loss at 0').toBe(1000);
      expect(link.counters(), 'counters keep counting across change()').toEqual({ matched: 5000, dropped: c.dropped });
    } finally {
      link.close();
      link.close();
      for (const s of [server, browser, other]) s.close();
    }
    expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' })).not.toContain('parley_loss');
  });
});
