import { waitFor } from './expectations.js';
import { createChimeMeeting, openChimePage, type ChimePage } from './chimePage.js';

type Env = Parameters<typeof openChimePage>[0];

export interface SyntheticMedia {
  colour?: string;
  frequency: number;
  width?: number;
  height?: number;
  /** Random blocks around a solid centre, so each simulcast layer costs what a camera's would. */
  textured?: boolean;
}

interface Recorded { name: string; args: unknown[] }

/** Opens a Chime-style page with synthetic devices and starts its meeting session (audio bound). */
export async function joinChime(env: Env, meeting: unknown, name: string, media: SyntheticMedia): Promise<ChimePage> {
  const p = await openChimePage(env, meeting, name);
  await p.eval(`t.record()`);
  await p.page.evaluate((m) => (window as any).t.chooseSynthetic(m), media);
  await p.eval(`t.session.audioVideo.bindAudioElement(document.getElementById('audio')); t.session.audioVideo.start()`);
  await waitFor(`${name} started`, async () => ((await p.eval<Recorded[]>('t.events')).some((e) => e.name === 'audioVideoDidStart') ? true : undefined), 15_000);
  return p;
}

/**
 * Alice publishes a red 1280x720 camera (three simulcast layers) and a 440 Hz tone; bob (660 Hz)
 * shows her tile in a 1280x720 <video id=tileId> bound with bindVideoElement.
 */
export async function aliceToBob(env: Env, name: string, { textured, tileId }: { textured: boolean; tileId: string }): Promise<{ meeting: { Meeting: { MeetingId: string } }; alice: ChimePage; bob: ChimePage }> {
  const meeting = await createChimeMeeting((env as { server: Parameters<typeof createChimeMeeting>[0] }).server, name);
  const alice = await joinChime(env, meeting, 'alice', { colour: '#e00000', frequency: 440, width: 1280, height: 720, textured });
  const bob = await joinChime(env, meeting, 'bob', { frequency: 660 });
  await alice.eval(`t.session.audioVideo.startLocalVideoTile()`);
  const tile = await waitFor('bob gets alice\'s tile', async () => {
    const tiles = await bob.eval<Array<{ tileId: number; boundAttendeeId: string; active: boolean }>>(
      `t.session.audioVideo.getAllRemoteVideoTiles().map((s) => ({ tileId: s.tileId, boundAttendeeId: s.boundAttendeeId, active: s.active }))`,
    );
    return tiles.find((x) => x.boundAttendeeId === alice.attendeeId && x.active);
  }, 15_000);
  await bob.page.evaluate(([id, elementId]) => {
    const v = document.createElement('video');
    v.id = elementId;
    v.style.display = 'block';
    v.style.width = '1280px';
    v.style.height = '720px';
    document.body.append(v);
    (window as any).t.session.audioVideo.bindVideoElement(id, v);
  }, [tile.tileId, tileId] as const);
  return { meeting, alice, bob };
}

/**
 * The UDP address pair of a peer's receive transport. Chromium may nominate its ICE-TCP pair first
 * on a busy machine (the UDP check came back later) and switch to the better UDP pair a moment
 * after: wait for that rather than shaping a flow that is not carrying the media.
 */
export async function udpRecvTuple(peer: { iceTuple(direction: 'recv'): { protocol: string; localPort: number; remotePort?: number } | undefined }): Promise<{ srcPort: number; dstPort: number }> {
  const tuple = await waitFor('the receive transport runs over UDP', async () => {
    const t = peer.iceTuple('recv');
    return t?.protocol === 'udp' && t.remotePort !== undefined ? t : undefined;
  }, 15_000, 200);
  return { srcPort: tuple.localPort, dstPort: tuple.remotePort! };
}
