import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { hears, joinRoomFromBrowser, pageEvents } from './support/rooms.js';

type Decoded = Record<string, { width: number; height: number; colour: { r: number; g: number; b: number } | null }>;
type Cell = { memberId: string; position: string };
const remoteVideo = (page: Page): Promise<Decoded> => page.evaluate(() => (window as any).room.remoteVideo());
const members = (page: Page): Promise<Array<{ id: string; type: string; parentId?: string; name: string }>> => page.evaluate(() => (window as any).room.members());
const cells = (page: Page): Promise<Cell[]> => page.evaluate(() => (window as any).room.layoutDom());
const colours = (page: Page): Promise<Record<string, { r: number; g: number; b: number } | null>> => page.evaluate(() => (window as any).room.cellColours());
const roomFn = (page: Page, fn: string, arg?: unknown): Promise<any> => page.evaluate(([f, a]) => (window as any).room[f as string](a), [fn, arg] as const);
const lastMemberList = async (page: Page): Promise<string[] | undefined> => {
  const ev = (await pageEvents(page)).filter((e) => e.name === 'memberList.updated').at(-1);
  return ev ? (ev.e.members as Array<{ id: string }>).map((m) => m.id).sort() : undefined;
};

/**
 * RoomSession completeness in Chromium, checked by what the others receive: startScreenShare
 * joins a member of type "screen" whose content the others decode and see in the layout,
 * leave() removes it; updateCamera / updateMicrophone change what the others decode / hear;
 * updateSpeaker moves the output; memberList.updated carries the full list.
 */
describe('RoomSession screen share, device switching, memberList.updated', () => {
  const env = useServerAndBrowser();
  const BLUE: [number, number, number] = [0, 0, 224];
  const YELLOW: [number, number, number] = [224, 224, 0];
  let a: { page: Page; memberId: string };
  let b: { page: Page; memberId: string };
  const shareId = () => `${a.memberId}#content`;

  it('memberList.updated carries the full member list on join and when members join', async () => {
    const media = ['room.self.audio_mute', 'room.self.audio_unmute', 'room.self.video_mute', 'room.self.video_unmute'];
    const perms = ['room.self.screenshare', ...media];
    a = await joinRoomFromBrowser(env, { room_name: 'share', user_name: 'Alice', permissions: perms }, { colour: '#e00000', frequency: 440 });
    b = await joinRoomFromBrowser(env, { room_name: 'share', user_name: 'Bob', permissions: media }, { colour: '#00c000', frequency: 660 });
    expect(await lastMemberList(b.page)).toEqual([a.memberId, b.memberId].sort());
    await waitFor('Alice gets memberList.updated with Bob', async () => {
      const ids = await lastMemberList(a.page);
      return ids?.length === 2 ? ids : undefined;
    }, 10_000);
    const first = (await pageEvents(a.page)).find((e) => e.name === 'memberList.updated');
    expect(first?.e.members.map((m: { id: string }) => m.id)).toEqual([a.memberId]);
  });

  it('startScreenShare: the others get a member of type screen, decode its content and see it in the layout', async () => {
    const started = await roomFn(a.page, 'startScreenShare', { colour: '#0000e0', width: 640, height: 360 });
    expect(started, JSON.stringify(started)).toMatchObject({ ok: true, id: shareId(), parentId: a.memberId });
    const screen = await waitFor('Bob sees the screen member', async () => (await members(b.page)).find((m) => m.id === shareId()), 10_000);
    expect(screen).toMatchObject({ type: 'screen', parentId: a.memberId });
    const joined = (await pageEvents(b.page)).find((e) => e.name === 'member.joined' && e.id === shareId());
    expect(joined?.e.member).toMatchObject({ type: 'screen', parentId: a.memberId });
    expect(await waitFor('memberList.updated with the screen', async () => {
      const ids = await lastMemberList(b.page);
      return ids?.length === 3 ? ids : undefined;
    }, 10_000)).toEqual([a.memberId, b.memberId, shareId()].sort());
    const decoded = await waitFor('Bob decodes the shared blue 640x360', async () => {
      const v = (await remoteVideo(b.page))[`${shareId()}:screen`];
      return v?.width === 640 && v.colour ? v : undefined;
    }, 20_000);
    console.log('[roomScreenShare] Bob decodes the share at', `${decoded.width}x${decoded.height}`, JSON.stringify(decoded.colour));
    expect(decoded.height).toBe(360);
    expectColour(decoded.colour, BLUE, 'shared content');
    await waitFor('the screen member has a layout cell showing blue', async () => {
      const c = await cells(b.page);
      if (!c.some((x) => x.memberId === shareId())) return undefined;
      const col = (await colours(b.page))[shareId()];
      return col && col.b > 100 && col.r < 80 ? col : undefined;
    }, 20_000);
    expect((await cells(b.page)).map((c) => c.memberId).sort()).toEqual([a.memberId, b.memberId, shareId()].sort());
  });

  it('updateCamera with new constraints changes the size the others decode; a track is sent as it is', async () => {
    const before = await waitFor('Bob decodes Alice\'s camera', async () => {
      const v = (await remoteVideo(b.page))[`${a.memberId}:camera`];
      return v?.width ? v : undefined;
    }, 20_000);
    expect(before.width / before.height).toBeCloseTo(4 / 3, 1);
    const devices: Array<{ kind: string; deviceId: string }> = await roomFn(a.page, 'devices');
    const cam = devices.find((d) => d.kind === 'videoinput');
    expect(cam, 'Chromium\'s fake camera').toBeDefined();
    const updated = await roomFn(a.page, 'updateCamera', { deviceId: { exact: cam!.deviceId }, width: { exact: 640 }, height: { exact: 360 } });
    expect(updated, JSON.stringify(updated)).toMatchObject({ ok: true, cameraId: cam!.deviceId, size: { width: 640, height: 360 } });
    const after = await waitFor('Bob decodes a 16:9 camera now', async () => {
      const v = (await remoteVideo(b.page))[`${a.memberId}:camera`];
      return v?.width && Math.abs(v.width / v.height - 16 / 9) < 0.05 ? v : undefined;
    }, 20_000);
    console.log('[roomScreenShare] Alice camera decoded by Bob', `${before.width}x${before.height}`, '->', `${after.width}x${after.height}`);
    const canvas = await roomFn(a.page, 'updateCamera', { colour: '#e0e000', width: 480, height: 480 });
    expect(canvas.ok, JSON.stringify(canvas)).toBe(true);
    const square = await waitFor('Bob decodes the square yellow track', async () => {
      const v = (await remoteVideo(b.page))[`${a.memberId}:camera`];
      return v?.width && v.width === v.height && v.colour && v.colour.r > 100 && v.colour.g > 100 && v.colour.b < 80 ? v : undefined;
    }, 20_000);
    expectColour(square.colour, YELLOW, 'camera after updateCamera(track)');
  });

  it('updateMicrophone: the others hear the new microphone', async () => {
    expect(await waitFor('Bob hears 440 Hz', async () => (await hears(b.page, a.memberId, 440)) || undefined, 15_000)).toBe(true);
    const res = await roomFn(a.page, 'updateMicrophone', { frequency: 880 });
    expect(res.ok, JSON.stringify(res)).toBe(true);
    expect(await waitFor('Bob hears 880 Hz', async () => (await hears(b.page, a.memberId, 880)) || undefined, 15_000)).toBe(true);
    const devices: Array<{ kind: string; deviceId: string }> = await roomFn(a.page, 'devices');
    const mic = devices.find((d) => d.kind === 'audioinput');
    const dev = await roomFn(a.page, 'updateMicrophone', { deviceId: { exact: mic!.deviceId } });
    expect(dev, JSON.stringify(dev)).toMatchObject({ ok: true, microphoneId: mic!.deviceId });
    // The fake microphone beeps; the tone is gone.
    expect(await waitFor('Bob no longer hears 880 Hz', async () => (await hears(b.page, a.memberId, 880)) ? undefined : true, 15_000)).toBe(true);
  });

  it('updateSpeaker moves the room audio to an output device', async () => {
    const devices: Array<{ kind: string; deviceId: string; label: string }> = await roomFn(b.page, 'devices');
    const outputs = devices.filter((d) => d.kind === 'audiooutput');
    console.log('[roomScreenShare] audio outputs', JSON.stringify(outputs));
    const target = outputs.find((d) => d.deviceId !== 'default') ?? outputs[0];
    const res = await roomFn(b.page, 'updateSpeaker', target?.deviceId ?? '');
    expect(res, JSON.stringify(res)).toMatchObject({ ok: true, speakerId: target?.deviceId ?? '' });
    const bad = await roomFn(b.page, 'updateSpeaker', 'no-such-device');
    expect(bad.ok).toBe(false);
  });

  it('leave() removes the screen member for the others', async () => {
    expect(await roomFn(a.page, 'stopScreenShare')).toBe(0);
    const left = await waitFor('Bob gets member.left for the screen', async () => (await pageEvents(b.page)).find((e) => e.name === 'member.left' && e.id === shareId()), 10_000);
    expect(left.e.member).toMatchObject({ type: 'screen' });
    expect(await waitFor('memberList.updated without the screen', async () => {
      const ids = await lastMemberList(b.page);
      return ids?.length === 2 ? ids : undefined;
    }, 10_000)).toEqual([a.memberId, b.memberId].sort());
    await waitFor('no screen cell', async () => ((await cells(b.page)).some((c) => c.memberId === shareId()) ? undefined : true), 10_000);
    await waitFor('no screen track', async () => (Object.keys(await remoteVideo(b.page)).some((k) => k.startsWith(shareId())) ? undefined : true), 10_000);
    expect((await pageEvents(a.page)).some((e) => e.name === 'screenShare.destroy')).toBe(true);
  });

  it('without a stream startScreenShare captures the screen; without room.self.screenshare it is refused', async () => {
    const shared = await roomFn(a.page, 'startScreenShare', { display: true });
    expect(shared, JSON.stringify(shared)).toMatchObject({ ok: true, id: shareId() });
    const v = await waitFor('Bob decodes the captured screen', async () => {
      const d = (await remoteVideo(b.page))[`${shareId()}:screen`];
      return d?.width ? d : undefined;
    }, 20_000);
    console.log('[roomScreenShare] captured screen decoded at', `${v.width}x${v.height}`, 'sent', JSON.stringify(shared.size));
    expect(await roomFn(a.page, 'stopScreenShare')).toBe(0);
    const refused = await roomFn(b.page, 'startScreenShare', { colour: '#0000e0' });
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });
  });
});
