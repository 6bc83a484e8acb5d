import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { ErrorCode, PROTOCOL_VERSION } from '@parley/protocol';
import { api } from './support/testServer.js';
import { expectColour, waitFor } from './support/expectations.js';
import { Fuzzer, signalingTemplates } from './support/fuzz.js';
import { createMeeting, joinFromBrowser, useServerAndBrowser } from './support/harness.js';
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const MESSAGES = 4000;
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

describe('signaling fuzz against a live server', () => {
  const env = useServerAndBrowser();
  const pages: Array<{ page: Page; attendeeId: string; colour: string; rgb: [number, number, number]; frequency: number }> = [];


  it(`stays up, answers ${MESSAGES} random and mutated messages with stable codes, and another room keeps flowing`, async () => {
    // Room B: two real browsers exchanging colour and tone.
    const roomB = await createMeeting(env.server, 'fuzz-room-b');
    for (const [name, colour, rgb, frequency] of [['amber', '#e0a000', [224, 160, 0], 500], ['teal', '#00a0a0', [0, 160, 160], 800]] as const) {
      const joined = await joinFromBrowser(env, roomB, `user-${name}`, { colour, frequency });
      pages.push({ ...joined, colour, rgb: [...rgb] as [number, number, number], frequency });
    }
    const [p1, p2] = pages as [typeof pages[0], typeof pages[0]];
    await waitFor('room B media flows', async () => {
      const r = await p1.page.evaluate(() => (window as any).harness.received());
      return r[p2.attendeeId]?.video?.width && r[p2.attendeeId]?.audio?.dB > -70 ? true : undefined;
    }, 30_000);
    const framesBefore = (await p1.page.evaluate(() => (window as any).harness.framesDecoded()))[p2.attendeeId];

    // Room A: the fuzzer's own meeting, with attendees whose valid tokens let fuzzing reach the
    // handlers behind join.
    const a = await api<any>(env.server, 'POST', '/meetings', { ClientRequestToken: 'fuzz-room-a' });
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) tokens.push((await api<any>(env.server, 'POST', `/meetings/${a.body.Meeting.MeetingId}/attendees`, { ExternalUserId: `fuzz-${i}` })).body.Attendee.JoinToken);

    const fuzz = new Fuzzer(SEED);
    const ids: string[] = ['nope', '', 'x'.repeat(128), a.body.Meeting.MeetingId, roomB.meetingId];
    const templates = signalingTemplates(PROTOCOL_VERSION, tokens[0]!);

    const stats = { sent: 0, ok: 0, errors: new Map<string, number>(), internal: 0, closes: new Map<number, number>() };
    const wsUrl = roomB.signalingUrl;
    let conn = 0;
    while (stats.sent < MESSAGES) {
      const joined = conn % 2 === 0;
      const ws = new WebSocket(wsUrl);
      await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
      const replies: any[] = [];
      const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
      ws.on('message', (d) => replies.push(JSON.parse(String(d))));
      if (joined) {
        ws.send(JSON.stringify({ id: 0, method: 'join', params: { protocol: PROTOCOL_VERSION, token: tokens[conn % tokens.length] } }));
        const joinReply = await waitFor('fuzz join', async () => replies.find((r) => r.id === 0), 5000);
        if (joinReply.ok) {
          // Learn real ids so mutations hit live objects too.
          ws.send(JSON.stringify({ id: 1, method: 'createTransport', params: { direction: 'send' } }));
          const t = await waitFor('fuzz transport', async () => replies.find((r) => r.id === 1), 5000);
          if (t.ok) ids.push(t.result.id);
        }
      }
      const batch = 150;
      let sentHere = 0;
      for (; sentHere < batch && ws.readyState === WebSocket.OPEN; sentHere++) {
        ws.send(fuzz.message(templates, ids));
        stats.sent++;
      }
      await new Promise((r) => setTimeout(r, 300));
      ws.close();
      stats.closes.set(await closed, (stats.closes.get(await closed) ?? 0) + 1);
      for (const r of replies) {
        if ('event' in r) continue;
        if (r.ok) stats.ok++;
        else {
          expect(KNOWN_CODES.has(r.error.code), `unknown code ${r.error.code}`).toBe(true);
          if (r.error.code === ErrorCode.Internal) stats.internal++;
          stats.errors.set(r.error.code, (stats.errors.get(r.error.code) ?? 0) + 1);
        }
      }
      conn++;
      // Pace the fuzz so the per-connection rate limit is not all it exercises.
      await new Promise((r) => setTimeout(r, 20));
    }
    console.log(`[fuzz] seed ${SEED}: ${stats.sent} messages over ${conn} connections; ok ${stats.ok}; errors`, Object.fromEntries(stats.errors), 'closes', Object.fromEntries(stats.closes));
    expect(stats.internal, 'no internal errors').toBe(0);
    expect(stats.errors.get(ErrorCode.InvalidParams) ?? 0).toBeGreaterThan(0);

    // The server is up and room B never noticed.
    expect((await fetch(`${env.server.url}/health`)).status).toBe(200);
    expect(env.server.rooms.get(roomB.meetingId)?.members.map((m) => m.attendeeId).sort()).toEqual([p1.attendeeId, p2.attendeeId].sort());
    const framesAfter = (await p1.page.evaluate(() => (window as any).harness.framesDecoded()))[p2.attendeeId];
    expect(framesAfter - framesBefore, 'frames kept decoding during the fuzz').toBeGreaterThan(30);
    const r = await p1.page.evaluate(() => (window as any).harness.received());
    expectColour(r[p2.attendeeId].video, p2.rgb, 'room B video after fuzz');
    expect(Math.abs(r[p2.attendeeId].audio.frequency - p2.frequency)).toBeLessThan(25);
  });
});
