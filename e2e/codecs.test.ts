import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { api, startTestServer } from './support/testServer.js';
import { expectColour, waitFor } from './support/expectations.js';

describe('video codecs', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an H.264 publisher and a VP8 publisher each decode the other', async () => {
    const m = await api<any>(server, 'POST', '/meetings', { ClientRequestToken: 'codecs' });
    const meetingId: string = m.body.Meeting.MeetingId;
    const parties = [
      { name: 'h264', colour: '#d000d0', rgb: [208, 0, 208] as [number, number, number], videoCodec: 'H264' },
      { name: 'vp8', colour: '#d0d000', rgb: [208, 208, 0] as [number, number, number], videoCodec: 'VP8' },
    ];
    const joined = [];
    for (const p of parties) {
      const att = await api<any>(server, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: `user-${p.name}` });
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${server.url}/e2e/engine.html`);
      await page.waitForFunction(() => (window as any).harnessReady === true);
      const j = await page.evaluate((a) => (window as any).harness.join(a), {
        signalingUrl: m.body.Meeting.MediaPlacement.SignalingUrl, token: att.body.Attendee.JoinToken, colour: p.colour, videoCodec: p.videoCodec,
      });
      joined.push({ ...p, page, attendeeId: j.attendeeId as string });
    }
    // The server forwards what each sent: check the producers' codecs.
    const room = server.rooms.get(meetingId)!;
    for (const p of joined) {
      const producer = [...room.member(p.attendeeId)!.peer.producers.values()].find((x) => x.kind === 'video')!;
      expect(producer.rtpParameters.codecs[0]!.mimeType).toBe(`video/${p.videoCodec}`);
    }
    for (const [me, other] of [[joined[0]!, joined[1]!], [joined[1]!, joined[0]!]]) {
      const got = await waitFor(`${me.name} decodes ${other.name}`, async () => {
        const r = await me.page.evaluate(() => (window as any).harness.received());
        return r[other.attendeeId]?.video?.width ? r[other.attendeeId].video : undefined;
      }, 20_000);
      expectColour(got, other.rgb, `${me.name} sees ${other.name} (${other.videoCodec})`);
    }
  });
});
