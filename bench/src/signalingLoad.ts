import type { ParleyServerProcess } from './parleyServer.js';
import { CpuMeter } from './procStat.js';
import { SignalClient } from './signalClient.js';

export interface SignalingResult {
  joins: number;
  joinsPerSec: number;
  nodeMsPerJoin: number;
  sessions: number;
  msgsPerSec: number;
  nodeUsPerMsg: number;
}

/**
 * Load on the Node side only: many clients joining at once, then many sessions sending requests as
 * fast as the per-session rate limit allows. Reports achieved rates and Node CPU per join/message.
 */
export async function measureSignaling(server: ParleyServerProcess, joins = 100, sessions = 100, seconds = 5): Promise<SignalingResult> {
  const meetingId = await server.createMeeting(`signaling-${Date.now()}`);
  const tokens = await Promise.all(Array.from({ length: joins }, (_, i) => server.createAttendee(meetingId, `sig${i}`)));
  const cpu = new CpuMeter([server.pid]);
  cpu.start();
  const t0 = performance.now();
  const clients = await Promise.all(tokens.map(async (token) => {
    const c = await SignalClient.connect(server.signalingUrl);
    await c.request('join', { protocol: 1, token });
    await c.request('createTransport', { direction: 'recv' });
    await c.request('setRtpCapabilities', { rtpCapabilities: { codecs: [], headerExtensions: [] } });
    return c;
  }));
  const joinWall = performance.now() - t0;
  const joinCpu = cpu.read().cpuUs;

  // Request flood: every 10 ms each session sends one ping (just under the per-session rate limit of
  // 100/s), so the server's whole signaling path (parse, validate, queue, respond) is exercised.
  const active = clients.slice(0, sessions);
  const before = active.reduce((n, c) => n + c.messages, 0);
  cpu.start();
  await new Promise<void>((resolve) => {
    const until = performance.now() + seconds * 1000;
    const timer = setInterval(() => {
      if (performance.now() >= until) {
        clearInterval(timer);
        resolve();
        return;
      }
      for (const c of active) c.request('ping').catch(() => undefined);
    }, 10);
  });
  await new Promise((r) => setTimeout(r, 200));
  const r = cpu.read();
  const msgs = active.reduce((n, c) => n + c.messages, 0) - before;
  for (const c of clients) c.close();
  return {
    joins,
    joinsPerSec: joins / (joinWall / 1000),
    nodeMsPerJoin: joinCpu / 1000 / joins,
    sessions,
    msgsPerSec: msgs / (r.wallMs / 1000),
    nodeUsPerMsg: r.cpuUs / msgs,
  };
}
