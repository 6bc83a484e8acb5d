import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { audioFrom, hears, joinRoomFromBrowser, pageEvents, received, receivesNothingFrom, restClient, videoClient } from './support/rooms.js';
import type { Video } from '@parley/server-sdk';

/**
 * Room control with a measurable media effect, in real browsers: a moderator (the server SDK)
 * mutes, deafens, promotes and demotes; the tones each browser receives show the effect.
 */
describe('room control: moderation changes what the browsers receive', () => {
  const env = useServerAndBrowser();
  const A = { frequency: 440, colour: '#e00000' };
  const B = { frequency: 660, colour: '#00c000' };
  const C = { frequency: 990 };
  let a: { page: Page; memberId: string };
  let b: { page: Page; memberId: string };
  let c: { page: Page; memberId: string };
  let video: Video.Client;
  let room: Video.RoomSession;
  const roomEvents: Array<{ name: string; id?: string; t: number }> = [];

  it('members hear each other; the audience member receives both but cannot send', async () => {
    video = await videoClient(env.server);
    const started = new Promise<Video.RoomSession>((resolve) => video.on('room.started', resolve));
    const self = ['room.self.audio_mute', 'room.self.audio_unmute', 'room.self.video_mute', 'room.self.video_unmute'];
    a = await joinRoomFromBrowser(env, { room_name: 'moderation', user_name: 'Alice', permissions: self }, A);
    room = await started;
    for (const name of ['member.talking.started', 'member.talking.ended', 'member.updated'] as const) {
      room.on(name, (e) => roomEvents.push({ name, id: e.member.id, t: Date.now() }));
    }
    b = await joinRoomFromBrowser(env, { room_name: 'moderation', user_name: 'Bob', permissions: self }, B);
    c = await joinRoomFromBrowser(env, { room_name: 'moderation', user_name: 'Carol', join_as: 'audience', permissions: [] }, C);

    await waitFor('A hears B, B hears A', async () => ((await hears(a.page, b.memberId, B.frequency)) && (await hears(b.page, a.memberId, A.frequency)) ? true : undefined), 20_000);
    await waitFor('audience C hears A and B', async () => ((await hears(c.page, a.memberId, A.frequency)) && (await hears(c.page, b.memberId, B.frequency)) ? true : undefined), 20_000);
    const refused = await c.page.evaluate(() => (window as any).room.tryPublish());
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/audience/);
    const state = await room.subscribe();
    expect(state.members.find((m) => m.id === c.memberId)).toMatchObject({ type: 'audience' });
    expect(state.audienceCount).toBe(1);
    // Nothing from C reaches A.
    expect((await received(a.page))[c.memberId]).toBeUndefined();
  });

  it('audioMute: the others stop receiving that member\'s tone, its client shows it muted; audioUnmute restores', async () => {
    const t0 = Date.now();
    await room.audioMute({ memberId: a.memberId });
    await waitFor('B no longer hears A', async () => ((await receivesNothingFrom(b.page, a.memberId)) ? true : undefined), 10_000);
    const silentAfterMs = Date.now() - t0;
    await waitFor('A sees itself muted', async () => {
      const self = await a.page.evaluate(() => (window as any).room.self());
      const paused = await a.page.evaluate(() => (window as any).room.localPaused('microphone'));
      return self.audioMuted === true && paused === true ? true : undefined;
    }, 5000);
    const bEvents = await pageEvents(b.page);
    expect(bEvents.some((e) => e.name === 'member.updated' && e.id === a.memberId && e.updated?.includes('audioMuted'))).toBe(true);
    expect(bEvents.some((e) => e.name === 'member.updated.audioMuted' && e.id === a.memberId)).toBe(true);
    // Still muted a second later (the server holds the producer paused).
    await new Promise((r) => setTimeout(r, 1000));
    expect(await receivesNothingFrom(b.page, a.memberId)).toBe(true);
    expect(await receivesNothingFrom(c.page, a.memberId)).toBe(true);
    expect(await hears(a.page, b.memberId, B.frequency)).toBe(true);

    await room.audioUnmute({ memberId: a.memberId });
    await waitFor('B hears A again', async () => ((await hears(b.page, a.memberId, A.frequency)) ? true : undefined), 10_000);
    console.log(`[moderation] audioMute silenced A at B after ${silentAfterMs} ms`);
  });

  it('deaf: the member stops receiving the others (and is muted); undeaf restores both', async () => {
    await room.deaf({ memberId: b.memberId });
    await waitFor('B no longer hears A', async () => ((await receivesNothingFrom(b.page, a.memberId)) ? true : undefined), 10_000);
    await waitFor('A no longer hears B (deaf mutes)', async () => ((await receivesNothingFrom(a.page, b.memberId)) ? true : undefined), 10_000);
    const self = await b.page.evaluate(() => (window as any).room.self());
    expect(self).toMatchObject({ deaf: true, audioMuted: true });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await receivesNothingFrom(b.page, a.memberId)).toBe(true);
    expect(await hears(c.page, a.memberId, A.frequency)).toBe(true);

    await room.undeaf({ memberId: b.memberId });
    await waitFor('B hears A again, A hears B again', async () => ((await hears(b.page, a.memberId, A.frequency)) && (await hears(a.page, b.memberId, B.frequency)) ? true : undefined), 10_000);
  });

  it('talking events follow a tone switched on and off; input sensitivity is the threshold', async () => {
    await b.page.evaluate(() => (window as any).room.tone(false));
    await a.page.evaluate(() => (window as any).room.tone(false));
    await waitFor('A not talking', async () => ((await room.getMembers()).members.find((m) => m.id === a.memberId)?.talking === false ? true : undefined), 5000);
    const ended = roomEvents.length;
    const on = Date.now();
    await a.page.evaluate(() => (window as any).room.tone(true));
    const started = await waitFor('talking.started for A', async () => roomEvents.slice(ended).find((e) => e.name === 'member.talking.started' && e.id === a.memberId), 5000)
      .catch(async (err) => {
        console.log('talking debug', JSON.stringify(roomEvents.slice(-10)), JSON.stringify(await received(b.page)));
        throw err;
      });
    const off = Date.now();
    await a.page.evaluate(() => (window as any).room.tone(false));
    const stopped = await waitFor('talking.ended for A', async () => roomEvents.slice(ended).find((e) => e.name === 'member.talking.ended' && e.id === a.memberId && e.t > off), 5000);
    console.log(`[talking] started ${started.t - on} ms after tone on, ended ${stopped.t - off} ms after tone off`);
    // B's browser got the same events.
    await waitFor('B saw A start and stop talking', async () => {
      const ev = await pageEvents(b.page);
      return ev.some((e) => e.name === 'member.talking.started' && e.id === a.memberId) && ev.some((e) => e.name === 'member.talking.ended' && e.id === a.memberId) ? true : undefined;
    }, 5000);

    // Sensitivity 1 needs a level above -10.7 dBov: the tone (~-13.5 dBov) no longer counts.
    await room.setInputSensitivity({ memberId: a.memberId, value: 1 });
    const mark = roomEvents.length;
    await a.page.evaluate(() => (window as any).room.tone(true));
    await new Promise((r) => setTimeout(r, 2500));
    expect(roomEvents.slice(mark).some((e) => e.name === 'member.talking.started' && e.id === a.memberId)).toBe(false);
    await room.setInputSensitivity({ memberId: a.memberId, value: 30 });
    await waitFor('talking again at sensitivity 30', async () => roomEvents.slice(mark).find((e) => e.name === 'member.talking.started' && e.id === a.memberId), 5000);
    await b.page.evaluate(() => (window as any).room.tone(true));
  });

  it('setInputVolume is applied as gain at the member\'s client: the others receive it quieter', async () => {
    await waitFor('B hears A', async () => ((await hears(b.page, a.memberId, A.frequency)) ? true : undefined), 10_000);
    const before = (await audioFrom(b.page, a.memberId)).dB!;
    await room.setInputVolume({ memberId: a.memberId, volume: -40 }); // -20 dB
    const after = await waitFor('A at least 12 dB quieter at B', async () => {
      const got = await audioFrom(b.page, a.memberId, 400);
      return got.packets > 0 && got.dB !== undefined && got.dB < before - 12 ? got.dB : undefined;
    }, 10_000);
    expect((await a.page.evaluate(() => (window as any).room.self())).inputVolume).toBe(-40);
    console.log(`[input volume] A received at B: ${before} dB at volume 0, ${after} dB at volume -40`);
    await room.setInputVolume({ memberId: a.memberId, volume: 0 });
    await waitFor('A back to its level', async () => ((await audioFrom(b.page, a.memberId, 400)).dB! > before - 4 ? true : undefined), 10_000);
  });

  it('promote: the audience member starts sending; demote: it stops', async () => {
    const counts: number[] = [];
    room.on('room.audience_count', (e) => counts.push(e.total));
    await room.promote({ memberId: c.memberId, mediaAllowed: 'all', permissions: ['room.self.audio_mute', 'room.self.audio_unmute'] });
    await waitFor('A hears C after promote', async () => ((await hears(a.page, c.memberId, C.frequency)) ? true : undefined), 15_000);
    expect((await c.page.evaluate(() => (window as any).room.self())).type).toBe('member');
    await room.demote({ memberId: c.memberId, mediaAllowed: 'audio-only' });
    await waitFor('A no longer receives C', async () => ((await received(a.page))[c.memberId] === undefined ? true : undefined), 10_000);
    // Demoted to audio-only: C still hears A but gets no video any more.
    await waitFor('C hears A', async () => ((await hears(c.page, a.memberId, A.frequency)) ? true : undefined), 10_000);
    const videoTracks = await c.page.evaluate(() => (window as any).roomSession.remoteTracks.filter((t: any) => t.kind === 'video').length);
    expect(videoTracks).toBe(0);
    expect(counts).toEqual([0, 1]);
  });

  it('lock refuses new joins with room_locked; unlock lets them in', async () => {
    await room.lock();
    const rest = restClient(env.server);
    const { token } = await rest.roomTokens.create({ room_name: 'moderation', user_name: 'Late' });
    const page = await (await env.browser.newContext()).newPage();
    await page.goto(`${env.server.url}/e2e/room.html`);
    await page.waitForFunction(() => (window as any).roomReady === true);
    const refused = await page.evaluate((t) => (window as any).room.join({ token: t }).then(() => 'joined', (e: any) => e.code), token);
    expect(refused).toBe('room_locked');
    await room.unlock();
    const joined = await page.evaluate(async (t) => {
      const r = await (window as any).room.join({ token: t }).then(() => 'joined', (e: any) => e.code);
      return r;
    }, (await rest.roomTokens.create({ room_name: 'moderation', user_name: 'Late2' })).token);
    expect(joined).toBe('joined');
    await page.context().close();
  });

  it('removeMember sends one member away; removeAllMembers ends the session for everyone', async () => {
    await room.removeMember({ memberId: c.memberId });
    await waitFor('C is told it left', async () => ((await pageEvents(c.page)).find((e) => e.name === 'room.left')), 5000);
    const ended = new Promise((resolve) => room.once('room.ended', resolve));
    await room.removeAllMembers();
    await ended;
    for (const p of [a, b]) {
      const ev = await waitFor('room.ended and room.left at a member', async () => {
        const e = await pageEvents(p.page);
        return e.some((x) => x.name === 'room.ended') && e.some((x) => x.name === 'room.left') ? e : undefined;
      }, 5000);
      expect(ev.find((x) => x.name === 'room.left')!.e.reason).toBe('AudioCallEnded');
    }
    video.disconnect();
  });
});
