import type { Browser, Page } from 'playwright-core';
import { waitFor } from './expectations.js';
import { api, type startTestServer } from './testServer.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** A CreateMeeting response, exactly as the REST API returned it. */
export async function createChimeMeeting(server: TestServer, name: string): Promise<{ Meeting: { MeetingId: string } }> {
  const res = await api<any>(server, 'POST', '/meetings', { ClientRequestToken: name, ExternalMeetingId: name });
  if (res.status >= 300) throw new Error(`CreateMeeting failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface ChimePage {
  page: Page;
  attendeeId: string;
  name: string;
  /** Lines the page's app code printed with console.log. */
  logs(): Promise<string[]>;
  /** Waits until a printed line matches. */
  waitForLog(match: string | RegExp, timeoutMs?: number): Promise<string>;
  run<T = any>(useCase: number, spec?: Record<string, unknown>): Promise<T>;
  eval<T = any>(fn: string): Promise<T>;
}

/**
 * A fresh browser context on the Chime snippet page with a meeting session built from real
 * CreateMeeting/CreateAttendee responses (the setup snippet).
 */
export async function openChimePage(env: { server: TestServer; browser: Browser }, meeting: unknown, name: string): Promise<ChimePage> {
  const meetingId = (meeting as { Meeting: { MeetingId: string } }).Meeting.MeetingId;
  const attendee = await api<any>(env.server, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: name });
  if (attendee.status >= 300) throw new Error(`CreateAttendee failed: ${attendee.status} ${JSON.stringify(attendee.body)}`);
  const page = await (await env.browser.newContext()).newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error`, err));
  await page.goto(`${env.server.url}/e2e/chime/meeting.html`);
  await page.waitForFunction(() => (window as any).ready === true);
  const attendeeId: string = await page.evaluate(([m, a]) => (window as any).t.setup(m, a), [meeting, attendee.body] as const);
  const logs = () => page.evaluate(() => [...(window as any).t.logs] as string[]);
  return {
    page,
    attendeeId,
    name,
    logs,
    waitForLog: (match, timeoutMs = 15_000) =>
      waitFor(`${name} prints ${String(match)}`, async () => (await logs()).find((l) => (typeof match === 'string' ? l.includes(match) : match.test(l))), timeoutMs),
    run: (useCase, spec = {}) => bounded(`${name} use case ${useCase}`, page.evaluate(([n, s]) => (window as any).t.run(n, s), [useCase, spec] as const)),
    eval: (fn) => bounded(`${name}: ${fn}`, page.evaluate(fn)),
  };
}

/** A page call that hangs fails with what it was doing, instead of timing out the whole test. */
function bounded<T>(what: string, promise: Promise<T>, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
