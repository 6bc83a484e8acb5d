import type { Browser, Page } from 'playwright-core';
import { ALL_PERMISSIONS } from '@parley/protocol';
import { RestClient, Video, type CreateRoomTokenParams } from '@parley/server-sdk';
import type { TestServer } from './harness.js';

export { ALL_PERMISSIONS };

export function restClient(server: TestServer): RestClient {
  return new RestClient({ baseUrl: server.url, apiKey: server.config.apiKey, apiSecret: server.config.apiSecret });
}

/** A server SDK Video.Client; `token` defaults to the API secret (every permission). */
export async function videoClient(server: TestServer, token = server.config.apiSecret): Promise<Video.Client> {
  const client = new Video.Client({ project: server.config.apiKey, token, host: server.url });
  await client.connect();
  return client;
}

export interface RoomMedia {
  colour?: string;
  frequency?: number;
}

/** Gets a room token through the REST API and joins with a RoomSession in a fresh browser context. */
export async function joinRoomFromBrowser(env: { server: TestServer; browser: Browser }, params: CreateRoomTokenParams, media: RoomMedia = {}): Promise<{ page: Page; memberId: string }> {
  const { token } = await restClient(env.server).roomTokens.create(params);
  const page = await openRoomPage(env);
  const { memberId } = await page.evaluate((a) => (window as any).room.join(a), { token, ...media });
  return { page, memberId };
}

export async function openRoomPage(env: { server: TestServer; browser: Browser }): Promise<Page> {
  const page = await (await env.browser.newContext()).newPage();
  page.on('pageerror', (err) => console.error('[room page] error', err));
  await page.goto(`${env.server.url}/e2e/room.html`);
  await page.waitForFunction(() => (window as any).roomReady === true);
  return page;
}

export const call = (page: Page, method: string, ...args: unknown[]): Promise<{ ok: boolean; code?: string; message?: string; result?: any }> =>
  page.evaluate(([m, a]) => (window as any).room.call(m, a), [method, args] as const);

export const received = (page: Page): Promise<Record<string, { frequency: number; dB: number }>> => page.evaluate(() => (window as any).room.received());
export const pageEvents = (page: Page): Promise<Array<{ name: string; t: number; id?: string; updated?: string[]; e: any }>> => page.evaluate(() => (window as any).room.events());

type AudioStats = Record<string, { packets: number; energy: number }>;
const audioStats = (page: Page): Promise<AudioStats> => page.evaluate(() => (window as any).room.audioStats());

/**
 * Audio packets `page` receives from member `from` over `ms`, and the tone it decodes.
 * (A receiver that gets no packets plays concealment of the last audio, so a tone probe alone
 * cannot tell that the server stopped forwarding: the packet count can.)
 */
export async function audioFrom(page: Page, from: string, ms = 800): Promise<{ packets: number; frequency: number | undefined; dB: number | undefined }> {
  const before = (await audioStats(page))[from]?.packets ?? 0;
  await new Promise((r) => setTimeout(r, ms));
  const after = (await audioStats(page))[from]?.packets ?? 0;
  const tone = (await received(page))[from];
  return { packets: after - before, frequency: tone?.frequency, dB: tone?.dB };
}

/** Does `page` receive the tone of `frequency` from member `from` right now? */
export async function hears(page: Page, from: string, frequency: number): Promise<boolean> {
  const got = await audioFrom(page, from);
  return got.packets > 10 && got.frequency !== undefined && Math.abs(got.frequency - frequency) < 25 && (got.dB ?? -200) > -70;
}

/** `page` receives no audio packets at all from member `from`. */
export async function receivesNothingFrom(page: Page, from: string): Promise<boolean> {
  return (await audioFrom(page, from)).packets === 0;
}
