import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { api, startTestServer } from './testServer.js';

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** Starts a server and a Chromium for the enclosing describe block; closes both after. */
export function useServerAndBrowser(overrides: Parameters<typeof startTestServer>[0] = {}): { readonly server: TestServer; readonly browser: Browser } {
  const env = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    env.server = await startTestServer(overrides);
    env.browser = await launchChromium();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

export async function createMeeting(server: TestServer, clientRequestToken: string): Promise<{ meetingId: string; signalingUrl: string }> {
  const res = await api<any>(server, 'POST', '/meetings', { ClientRequestToken: clientRequestToken, ExternalMeetingId: clientRequestToken });
  if (res.status >= 300) throw new Error(`CreateMeeting failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { meetingId: res.body.Meeting.MeetingId, signalingUrl: res.body.Meeting.MediaPlacement.SignalingUrl };
}

export interface HarnessMedia {
  colour?: string;
  frequency?: number;
  videoCodec?: 'VP8' | 'H264';
}

/** Creates an attendee through the REST API and joins it from a fresh browser context. */
export async function joinFromBrowser(env: { server: TestServer; browser: Browser }, meeting: { meetingId: string; signalingUrl: string }, externalUserId: string, media: HarnessMedia): Promise<{ page: Page; attendeeId: string }> {
  const att = await api<any>(env.server, 'POST', `/meetings/${meeting.meetingId}/attendees`, { ExternalUserId: externalUserId });
  if (att.status >= 300) throw new Error(`CreateAttendee failed: ${att.status} ${JSON.stringify(att.body)}`);
  const page = await (await env.browser.newContext()).newPage();
  page.on('pageerror', (err) => console.error(`[${externalUserId}] page error`, err));
  await page.goto(`${env.server.url}/e2e/engine.html`);
  await page.waitForFunction(() => (window as any).harnessReady === true);
  const joined = await page.evaluate((a) => (window as any).harness.join(a), { signalingUrl: meeting.signalingUrl, token: att.body.Attendee.JoinToken, ...media });
  if (joined.attendeeId !== att.body.Attendee.AttendeeId) throw new Error('joined as the wrong attendee');
  return { page, attendeeId: joined.attendeeId };
}
