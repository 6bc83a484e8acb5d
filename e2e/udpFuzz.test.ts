import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api } from './support/testServer.js';
import { expectColour, waitFor } from './support/expectations.js';
import { UdpFuzzTarget } from './support/fuzz.js';
import { createMeeting, joinFromBrowser, useServerAndBrowser } from './support/harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const DATAGRAMS = 20_000;

interface Member { page: Page; attendeeId: string; rgb: [number, number, number]; frequency: number }

describe('UDP fuzz at the WebRtcServer port', () => {
  const env = useServerAndBrowser();

  it(`${DATAGRAMS} random and mutated STUN/DTLS/RTP/RTCP datagrams leave a Chromium room decoding its colour and tone, and the worker up`, async () => {
    const room = await createMeeting(env.server, 'udp-fuzz-canary');
    const members: Member[] = [];
    for (const [name, colour, rgb, frequency] of [['amber', '#e0a000', [224, 160, 0], 500], ['teal', '#00a0a0', [0, 160, 160], 800]] as const) {
      const joined = await joinFromBrowser(env, room, `user-${name}`, { colour, frequency });
      members.push({ ...joined, rgb: [...rgb] as [number, number, number], frequency });
    }
    const [a, b] = members as [Member, Member];
    const check = async (label: string) => {
      for (const [viewer, other] of [[a, b], [b, a]] as const) {
        const r = await viewer.page.evaluate(() => (window as any).harness.received());
        expectColour(r[other.attendeeId]?.video ?? null, other.rgb, `${label}: what ${viewer.attendeeId} decodes`);
        expect(Math.abs(r[other.attendeeId].audio.frequency - other.frequency), `${label}: tone`).toBeLessThan(25);
        expect(r[other.attendeeId].audio.dB, `${label}: tone level`).toBeGreaterThan(-70);
      }
    };
    await waitFor('the room decodes both ways', async () => {
      for (const [viewer, other] of [[a, b], [b, a]] as const) {
        const r = await viewer.page.evaluate(() => (window as any).harness.received());
        if (!(r[other.attendeeId]?.video?.r !== undefined && r[other.attendeeId]?.audio?.dB > -70)) return undefined;
      }
      return true;
    }, 30_000);
    await check('before');
    const frames = async () => (await a.page.evaluate(() => (window as any).harness.framesDecoded()))[b.attendeeId] as number;
    const framesBefore = await frames();
    const workerPids = env.server.pool.workerPids;

    // The fuzzer is a member of a meeting of its own: its ICE-validated tuple gets DTLS/RTP/RTCP garbage into a transport.
    const fuzzMeeting = await api<any>(env.server, 'POST', '/meetings', { ClientRequestToken: 'udp-fuzzer' });
    const token = (await api<any>(env.server, 'POST', `/meetings/${fuzzMeeting.body.Meeting.MeetingId}/attendees`, { ExternalUserId: 'fuzzer' })).body.Attendee.JoinToken;
    const target = await UdpFuzzTarget.open(env.server.url.replace('http', 'ws') + '/signaling', token);
    let midway = 0;
    const r = await target.run(DATAGRAMS, 4000, SEED, async (sent) => {
      if (!midway && sent >= DATAGRAMS / 2) midway = await frames();
    });
    target.close();
    console.log(`[udp fuzz] seed ${SEED}: ${r.sent} datagrams in ${r.seconds.toFixed(1)} s`, r.byShape, `${r.replies} replies; ICE check answered: ${r.iceConnected}`);
    expect(r.sent).toBe(DATAGRAMS);
    // The fuzz reached past the demultiplexer: the server answered its authenticated ICE checks.
    expect(r.iceConnected).toBe(true);
    expect(r.replies).toBeGreaterThan(0);

    expect(env.server.pool.workerPids, 'no worker died or was replaced').toEqual(workerPids);
    expect(midway, 'frames decoded during the fuzz').toBeGreaterThan(framesBefore);
    await waitFor('new frames after the fuzz', async () => ((await frames()) > midway + 10 ? true : undefined), 10_000);
    await check('after');
    expect((await fetch(`${env.server.url}/health`)).status).toBe(200);
    expect(env.server.rooms.get(room.meetingId)?.members.length).toBe(2);
  });
});
