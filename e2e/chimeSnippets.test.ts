import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api } from './support/testServer.js';
import { expectColour, waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { createChimeMeeting, openChimePage, type ChimePage } from './support/chimePage.js';

// The README's 26 use cases, each run verbatim (import changed) in real Chromium pages against a
// live server, in the order an app would use them. Three attendees with distinct media:
const A = { colour: '#e00000', rgb: [224, 0, 0] as [number, number, number], frequency: 440 };
const B = { colour: '#00c000', rgb: [0, 192, 0] as [number, number, number], frequency: 660 };
const C = { colour: '#0000e0', rgb: [0, 0, 224] as [number, number, number], frequency: 990 };

describe('the Chime SDK README snippets against Parley', () => {
  const env = useServerAndBrowser();
  let meeting: any;
  let a: ChimePage;
  let b: ChimePage;
  let c: ChimePage;

  it('use cases 1-4: devices are listed with labels, chosen by id, released with null; device changes reach the observer', async () => {
    meeting = await createChimeMeeting(env.server, 'snippets');
    a = await openChimePage(env, meeting, 'alice');
    const lists = await a.run(1);
    for (const kind of ['audioInputDevices', 'audioOutputDevices', 'videoInputDevices']) {
      expect(lists[kind].length, kind).toBeGreaterThan(0);
    }
    expect(lists.audioInputDevices[0].label).not.toBe('');
    await a.waitForLog(/Device ID: .+ Microphone: .+/);

    await a.run(2, { firstDevices: true });
    const micLabel = await a.eval<string>('t.session.deviceController.audioInputStream().getAudioTracks()[0].label');
    const cameras = async () => (await a.eval<Array<{ kind: string; state: string }>>('t.openedTracks()')).filter((t) => t.kind === 'video');
    const before = (await cameras()).length;
    await a.run(3, { firstDevices: true });
    const after = await cameras();
    expect(micLabel).not.toBe('');
    expect(after.length - before, 'use case 3 opened the camera').toBe(1);
    expect(after.every((t) => t.state === 'ended'), 'camera released after choosing null').toBe(true);
    expect(await a.eval('t.session.deviceController.videoInputStream()')).toBeNull();

    await a.run(4);
    await a.page.evaluate(() => navigator.mediaDevices.dispatchEvent(new Event('devicechange')));
    await a.waitForLog('Audio outputs updated');
    await a.waitForLog('Video inputs updated');
  });

  it('use cases 5, 6, 21, 22: sessions start, everyone is present, the roster fills, all remote audio plays through one element', async () => {
    b = await openChimePage(env, meeting, 'bob');
    c = await openChimePage(env, meeting, 'carol');
    const parties: Array<[ChimePage, typeof A]> = [[a, A], [b, B], [c, C]];
    for (const [p, media] of parties) {
      await p.page.evaluate((m) => (window as any).t.chooseSynthetic({ frequency: m.frequency }), media);
      await p.run(21);
      await p.run(22);
      await p.run(6);
      await p.run(5, { audioElement: true });
    }
    for (const [p] of parties) await p.waitForLog('Started');
    for (const [p] of parties) {
      const present = await waitFor(`${p.name} sees all three present`, async () => {
        const set: string[] = await p.eval('[...t.results[21]]');
        return [a, b, c].every((x) => set.includes(x.attendeeId)) ? set : undefined;
      }, 10_000);
      expect(present).toHaveLength(3);
      await p.waitForLog(`Attendee ID: ${a.attendeeId} Present: true`);
      const roster = await waitFor(`${p.name} roster has volumes`, async () => {
        const r = await p.eval<Record<string, any>>('JSON.parse(JSON.stringify(t.results[22]))');
        return Object.keys(r).length === 3 ? r : undefined;
      }, 10_000);
      expect(Object.keys(roster).sort()).toEqual([a, b, c].map((x) => x.attendeeId).sort());
    }
    // a hears b's and c's tones through its one bound <audio> element.
    const out = await waitFor('alice plays both tones through her audio element', async () => {
      const o = await a.eval<{ playing: boolean; tones: Array<{ frequency: number; dB: number }> }>('t.audioOut()');
      const hears = (f: number) => o.tones.some((t) => Math.abs(t.frequency - f) < 25 && t.dB > -70);
      return o.playing && o.tones.length === 2 && hears(B.frequency) && hears(C.frequency) ? o : undefined;
    }, 20_000);
    expect(out.tones).toHaveLength(2);
  });
});
