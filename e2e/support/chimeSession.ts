import { waitFor } from './expectations.js';
import { openChimePage, type ChimePage } from './chimePage.js';

/** What the Chime snippet page recorded of the observer callbacks (t.record()). */
export interface Recorded { name: string; args: any[]; t: number }
export const events = (p: ChimePage) => p.eval<Recorded[]>('t.events');
export const named = async (p: ChimePage, name: string) => (await events(p)).filter((e) => e.name === name);

/** A page with a started session, a tone and (optionally) a colour camera, recording callbacks. */
export async function joinStarted(env: Parameters<typeof openChimePage>[0], meeting: unknown, name: string, media: { colour?: string; frequency: number }, before = ''): Promise<ChimePage> {
  const p = await openChimePage(env, meeting, name);
  await p.eval(`t.record()`);
  if (before) await p.eval(before);
  await p.page.evaluate((m) => (window as any).t.chooseSynthetic(m), media);
  await p.eval(`t.session.audioVideo.bindAudioElement(document.getElementById('audio')); t.session.audioVideo.start()`);
  await waitFor(`${name} started`, async () => ((await named(p, 'audioVideoDidStart')).length ? true : undefined), 15_000);
  return p;
}

export const remoteTiles = (p: ChimePage) => p.eval<Array<{ tileId: number; boundAttendeeId: string; active: boolean; isContent: boolean }>>(
  `t.session.audioVideo.getAllRemoteVideoTiles().map((s) => ({ tileId: s.tileId, boundAttendeeId: s.boundAttendeeId, active: s.active, isContent: s.isContent }))`,
);
