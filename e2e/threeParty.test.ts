import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api } from './support/testServer.js';
import { expectColour, waitFor } from './support/expectations.js';
import { createMeeting, joinFromBrowser, useServerAndBrowser } from './support/harness.js';
interface Party { name: string; colour: string; rgb: [number, number, number]; frequency: number; page?: Page; attendeeId?: string }

const parties: Party[] = [
  { name: 'red', colour: '#e00000', rgb: [224, 0, 0], frequency: 440 },
  { name: 'green', colour: '#00c000', rgb: [0, 192, 0], frequency: 660 },
  { name: 'blue', colour: '#0000e0', rgb: [0, 0, 224], frequency: 990 },
];

describe('three browsers in one meeting through the SFU', () => {
  const env = useServerAndBrowser();
  let meetingId: string;

  it('each receives the other two: decoded colour and tone frequency', async () => {
    const meeting = await createMeeting(env.server, 'three-party');
    meetingId = meeting.meetingId;
    for (const p of parties) Object.assign(p, await joinFromBrowser(env, meeting, `user-${p.name}`, { colour: p.colour, frequency: p.frequency }));

    for (const p of parties) {
      const others = parties.filter((o) => o !== p);
      const received = await waitFor(`${p.name} receives both others`, async () => {
        const r = await p.page!.evaluate(() => (window as any).harness.received());
        const ok = others.every((o) => {
          const got = r[o.attendeeId!];
          return got?.video && got.video.width > 0 && got.audio && Math.abs(got.audio.frequency - o.frequency) < 25 && got.audio.dB > -70;
        });
        return ok ? r : undefined;
      }, 30_000);
      for (const o of others) {
        expectColour(received[o.attendeeId!].video, o.rgb, `${p.name} sees ${o.name}`);
        expect(Math.abs(received[o.attendeeId!].audio.frequency - o.frequency), `${p.name} hears ${o.name}`).toBeLessThan(25);
      }
      // Nothing of its own comes back.
      expect(received[p.attendeeId!]).toBeUndefined();
    }
    // The SFU's cost for a 3-party call (3 x audio+video in, 6 x audio+video out), steady state.
    const cpuBefore = await env.server.pool.resourceUsage();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 10_000));
    const cpuAfter = await env.server.pool.resourceUsage();
    const seconds = (Date.now() - t0) / 1000;
    const cpuMs = cpuAfter.reduce((n, w, i) => n + (w.usage.ru_utime + w.usage.ru_stime) - (cpuBefore[i]!.usage.ru_utime + cpuBefore[i]!.usage.ru_stime), 0);
    console.log(`[3-party] SFU worker CPU: ${cpuMs} ms over ${seconds.toFixed(1)} s = ${((cpuMs / 10) / seconds).toFixed(1)}% of one core`);
  });

  it('server-side volumes and active speaker reach everyone; mute stops the tone and zeroes the volume', async () => {
    const [a, b, c] = parties as [Party, Party, Party];
    const volumes = await waitFor('volumes for all three', async () => {
      const v = await b.page!.evaluate(() => (window as any).harness.volumes());
      return v[a.attendeeId!] > 0.1 && v[c.attendeeId!] > 0.1 ? v : undefined;
    }, 10_000);
    expect(volumes[a.attendeeId!]).toBeLessThanOrEqual(1);
    const speakers: string[] = await b.page!.evaluate(() => (window as any).harness.speakers());
    expect(speakers.some((s) => [a, b, c].some((p) => p.attendeeId === s))).toBe(true);

    await a.page!.evaluate(() => (window as any).harness.setMuted(true));
    for (const p of [b, c]) {
      await waitFor(`${p.name} sees ${a.name} muted, silent, volume 0`, async () => {
        const muted = await p.page!.evaluate(() => (window as any).harness.muted());
        const v = await p.page!.evaluate(() => (window as any).harness.volumes());
        const r = await p.page!.evaluate(() => (window as any).harness.received());
        const heard = r[a.attendeeId!]?.audio;
        return muted[a.attendeeId!] === true && v[a.attendeeId!] === 0 && (!heard || heard.dB < -90 || Math.abs(heard.frequency - a.frequency) > 25) ? true : undefined;
      }, 10_000);
    }
    await a.page!.evaluate(() => (window as any).harness.setMuted(false));
    await waitFor(`${b.name} hears ${a.name} again`, async () => {
      const r = await b.page!.evaluate(() => (window as any).harness.received());
      const muted = await b.page!.evaluate(() => (window as any).harness.muted());
      return muted[a.attendeeId!] === false && Math.abs(r[a.attendeeId!]?.audio?.frequency - a.frequency) < 25 && r[a.attendeeId!].audio.dB > -70 ? true : undefined;
    }, 10_000);
  });

  it('a party that leaves is gone for the others, with its media', async () => {
    const [a, b, c] = parties as [Party, Party, Party];
    await c.page!.evaluate(() => (window as any).harness.leave());
    for (const p of [a, b]) {
      await waitFor(`${p.name} sees ${c.name} leave`, async () => {
        const present: string[] = await p.page!.evaluate(() => (window as any).harness.presentAttendees());
        const r = await p.page!.evaluate(() => (window as any).harness.received());
        return !present.includes(c.attendeeId!) && !r[c.attendeeId!] ? true : undefined;
      }, 10_000);
      const events = await p.page!.evaluate(() => (window as any).harness.events());
      expect(events).toContainEqual(expect.objectContaining({ type: 'attendeeLeft', data: { id: c.attendeeId, reason: 'left' } }));
    }
    // The two who stayed still hear each other.
    const r = await a.page!.evaluate(() => (window as any).harness.received());
    expect(Math.abs(r[b.attendeeId!].audio.frequency - b.frequency)).toBeLessThan(25);
  });

  it('DELETE /meetings ends the session for everyone left with AudioCallEnded', async () => {
    const del = await api(env.server, 'DELETE', `/meetings/${meetingId}`);
    expect(del.status).toBe(204);
    for (const p of parties.slice(0, 2)) {
      const ended = await waitFor(`${p.name} is told the meeting ended`, async () => {
        const events: Array<{ type: string; data: { reason: string } }> = await p.page!.evaluate(() => (window as any).harness.events());
        return events.find((e) => e.type === 'ended');
      }, 10_000);
      expect(ended.data.reason).toBe('AudioCallEnded');
    }
    expect(env.server.rooms.get(meetingId)).toBeUndefined();
  });
});
