import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Video } from '@parley/server-sdk';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { joinRoomFromBrowser, pageEvents, videoClient } from './support/rooms.js';

type Cell = { memberId: string; position: string; videoMuted: string; handraised: string; left: string; top: string; width: string };
const cells = (page: Page): Promise<Cell[]> => page.evaluate(() => (window as any).room.layoutDom());
const colours = (page: Page): Promise<Record<string, { r: number; g: number; b: number } | null>> => page.evaluate(() => (window as any).room.cellColours());

/**
 * The browser SDK draws the room's layout into rootElement: the right member's decoded video in
 * the right cell, following setLayout, positions, hidden muted video and prioritised raised hands.
 */
describe('room layout rendered in the browser', () => {
  const env = useServerAndBrowser();
  const RED: [number, number, number] = [224, 0, 0];
  const GREEN: [number, number, number] = [0, 192, 0];
  const BLUE: [number, number, number] = [0, 0, 224];
  let viewer: { page: Page; memberId: string };
  let green: { page: Page; memberId: string };
  let blue: { page: Page; memberId: string };
  let video: Video.Client;
  let room: Video.RoomSession;

  const waitCells = (what: string, ok: (c: Cell[]) => boolean) =>
    waitFor(what, async () => {
      const c = await cells(viewer.page);
      return ok(c) ? c : undefined;
    }, 10_000);

  it('grid-responsive: every member\'s own video in its cell', async () => {
    video = await videoClient(env.server);
    const perms = ['room.self.video_unmute', 'room.self.video_mute'];
    viewer = await joinRoomFromBrowser(env, { room_name: 'layout', user_name: 'Red', permissions: perms }, { colour: '#e00000' });
    green = await joinRoomFromBrowser(env, { room_name: 'layout', user_name: 'Green', permissions: perms }, { colour: '#00c000' });
    blue = await joinRoomFromBrowser(env, { room_name: 'layout', user_name: 'Blue', permissions: perms }, { colour: '#0000e0' });
    room = (await video.getRoomSessionsInProgress()).roomSessions[0]!;
    await waitCells('three cells', (c) => c.length === 3);
    const shown = await waitFor('decoded video in all three cells', async () => {
      const c = await colours(viewer.page);
      return [viewer, green, blue].every((m) => c[m.memberId] && Math.max(c[m.memberId]!.r, c[m.memberId]!.g, c[m.memberId]!.b) > 100) ? c : undefined;
    }, 20_000);
    expectColour(shown[viewer.memberId]!, RED, 'own cell');
    expectColour(shown[green.memberId]!, GREEN, 'green cell');
    expectColour(shown[blue.memberId]!, BLUE, 'blue cell');
    // 3 members in grid-responsive: a 2x2 grid, in join order.
    const c = await cells(viewer.page);
    expect(c.find((x) => x.memberId === viewer.memberId)).toMatchObject({ position: 'standard-1', left: '0%', top: '0%', width: '50%' });
    expect(c.find((x) => x.memberId === blue.memberId)).toMatchObject({ position: 'standard-3', left: '0%', top: '50%' });
  });

  it('setLayout with positions puts the named member in the highlight', async () => {
    await room.setLayout({ name: 'highlight-1-responsive', positions: { [green.memberId]: 'reserved-1' } });
    const c = await waitCells('green in reserved-1', (c) => c.some((x) => x.memberId === green.memberId && x.position === 'reserved-1'));
    expect(c.find((x) => x.memberId === green.memberId)).toMatchObject({ width: '75%', top: '0%' });
    expect(await viewer.page.evaluate(() => (window as any).room.layoutName())).toBe('highlight-1-responsive');
    await waitFor('big cell shows green', async () => {
      const col = (await colours(viewer.page))[green.memberId];
      return col && col.g > 150 && col.r < 80 ? true : undefined;
    }, 10_000);
    const events = await pageEvents(viewer.page);
    expect(events.filter((e) => e.name === 'layout.changed').at(-1)!.e.layout.name).toBe('highlight-1-responsive');
  });

  it('off-canvas removes a member from the canvas; hideVideoMuted hides a muted one', async () => {
    await room.setMemberPosition({ memberId: blue.memberId, position: 'off-canvas' });
    await waitCells('blue off the canvas', (c) => c.length === 2 && !c.some((x) => x.memberId === blue.memberId));
    await room.setMemberPosition({ memberId: blue.memberId, position: 'auto' });
    await waitCells('blue back', (c) => c.length === 3);
    await room.videoMute({ memberId: blue.memberId });
    await waitCells('blue shown as muted', (c) => c.some((x) => x.memberId === blue.memberId && x.videoMuted === 'true'));
    await room.setHideVideoMuted(true);
    await waitCells('muted blue hidden', (c) => c.length === 2 && !c.some((x) => x.memberId === blue.memberId));
    // Blue hears of its own state on its own socket: the viewer's cells may change first.
    const self = await waitFor('blue sees itself muted and hidden', async () => {
      const s = await blue.page.evaluate(() => (window as any).room.self());
      return s?.videoMuted === true && s?.visible === false ? s : undefined;
    }, 10_000);
    expect(self).toMatchObject({ videoMuted: true, visible: false });
    await room.setHideVideoMuted(false);
    await room.videoUnmute({ memberId: blue.memberId });
    await waitCells('blue visible again', (c) => c.some((x) => x.memberId === blue.memberId && x.videoMuted === 'false'));
  });

  it('a raised hand takes the highlight when hands are prioritised', async () => {
    await room.setPositions({ positions: { [green.memberId]: 'auto' } });
    await room.setRaisedHand({ memberId: blue.memberId, raised: true });
    let c = await waitCells('blue shows a raised hand', (c) => c.some((x) => x.memberId === blue.memberId && x.handraised === 'true'));
    expect(c.find((x) => x.position === 'reserved-1')!.memberId).toBe(viewer.memberId);
    expect(await room.setPrioritizeHandraise(true)).toBe(true);
    c = await waitCells('blue in the highlight', (c) => c.some((x) => x.memberId === blue.memberId && x.position === 'reserved-1'));
    await waitFor('big cell shows blue', async () => {
      const col = (await colours(viewer.page))[blue.memberId];
      return col && col.b > 150 && col.r < 80 ? true : undefined;
    }, 10_000);
  });

  it('fixed layouts: 1x1, 2x1, 5up, 10x10', async () => {
    await room.setLayout({ name: '1x1' });
    await waitCells('1x1: one cell', (c) => c.length === 1 && c[0]!.width === '100%');
    await room.setLayout({ name: '2x1' });
    await waitCells('2x1: two half cells', (c) => c.length === 2 && c.every((x) => x.width === '50%'));
    await room.setLayout({ name: '5up' });
    await waitCells('5up: three members, big one first', (c) => c.length === 3 && c.some((x) => x.position === 'reserved-1' && x.width === '75%'));
    await room.setLayout({ name: '10x10' });
    await waitCells('10x10: small cells', (c) => c.length === 3 && c.every((x) => x.width === '10%'));
    expect((await room.getLayouts()).layouts).toEqual(expect.arrayContaining(['grid-responsive', 'highlight-1-responsive', '1x1', '2x1', '2x2', '10x10', '5up']));
    video.disconnect();
  });
});
