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
      await p.run(23);
      await p.run(24);
      await p.run(5, { audioElement: true });
    }
    for (const [p] of parties) await p.waitForLog('Started');
    for (const [p] of parties) {
      const present = await waitFor(`${p.name} sees all three present`, async () => {
        const set: string[] = await p.eval('[...t.results[21]]');
        return [a, b, c].every((x) => set.includes(x.attendeeId)) ? set : undefined;
      }, 10_000).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${(await p.logs()).join('\n')}`);
      });
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

  it('use cases 7-11: mute, can-unmute, volume indicator and active speaker; a forced mute silences that attendee for the others', async () => {
    for (const p of [a, b, c]) await p.waitForLog('You can share your video');
    await a.run(10);
    const line = await a.waitForLog(new RegExp(`${a.attendeeId}'s volume data: .*"volume":0\\.[1-9]`));
    expect(line).toContain('"muted":false');
    await a.run(11);
    const speaker = await a.waitForLog('is the most active speaker');
    expect([a, b, c].some((p) => speaker.startsWith(p.attendeeId))).toBe(true);

    await b.run(7);
    await b.waitForLog('Other attendees can hear your audio');
    await b.run(8);
    expect((await b.logs()).filter((l) => l === 'Other attendees can hear your audio')).toHaveLength(2);

    await c.run(9);
    await c.waitForLog('false is false. You cannot unmute yourself');
    await c.run(8);
    await c.waitForLog('You are muted');
    // The others stop hearing c, and its volume indicator says muted at volume 0.
    for (const p of [a, b]) {
      await waitFor(`${p.name} no longer hears carol`, async () => {
        const o = await p.eval<{ tones: Array<{ frequency: number | null; dB: number | null }> }>('t.audioOut()');
        const hearsC = o.tones.some((t) => t.frequency !== null && Math.abs(t.frequency - C.frequency) < 25 && (t.dB ?? -200) > -70);
        const v = await p.eval<{ muted?: boolean; volume?: number }>(`t.volumeState('${c.attendeeId}')`);
        return !hearsC && v.muted === true && v.volume === 0 ? true : undefined;
      }, 10_000);
    }
    // b still hears a.
    await waitFor('bob still hears alice', async () => {
      const o = await b.eval<{ tones: Array<{ frequency: number; dB: number }> }>('t.audioOut()');
      return o.tones.some((t) => Math.abs(t.frequency - A.frequency) < 25 && t.dB > -70) ? true : undefined;
    }, 10_000);
  });

  it('use cases 12-15: local video is mirrored; one attendee view; a 16-cell grid gets each remote camera; stopping and removing the local tile', async () => {
    await c.run(15, { videoElements: true });
    await b.run(14, { videoElement: 'one' });
    await a.run(12, { videoElement: 'local' });
    await b.page.evaluate((m) => (window as any).t.chooseSynthetic({ colour: m.colour }), B);
    await b.eval('t.session.audioVideo.startLocalVideoTile()');

    const local = await waitFor('alice sees her own camera', async () => {
      const col = await a.eval<{ width: number } | null>(`t.colourOf('local')`);
      return col && col.width > 0 ? col : undefined;
    }, 15_000);
    expect(local.width).toBeGreaterThan(0);
    expect(await a.eval(`t.transformOf('local')`)).toBe('rotateY(180deg)');

    // carol's grid: bob's green tile and alice's camera, in the first two cells.
    const grid = await waitFor('carol sees both cameras in her grid', async () => {
      const cells = await c.eval<Array<{ r: number; g: number; b: number; width: number } | null>>(`[0,1,2].map((i) => t.colourOf('grid-' + i))`);
      return cells[0]?.width && cells[1]?.width ? cells : undefined;
    }, 20_000);
    const green = grid.find((cell) => cell && cell.g > 150 && cell.r < 100);
    expectColour(green ?? null, B.rgb, 'carol sees bob');
    expect(grid[2], 'third cell stays empty').toBeNull();
    expect(await c.eval(`t.transformOf('grid-0') + t.transformOf('grid-1')`)).toBe('');
    // bob's single view shows alice (the only other camera).
    await waitFor('bob sees alice in his one view', async () => {
      const col = await b.eval<{ width: number } | null>(`t.colourOf('one')`);
      return col && col.width > 0 ? col : undefined;
    }, 15_000);

    await a.run(13, { videoElement: 'local' });
    await a.waitForLog('If you called stopLocalVideoTile, false is false.');
    await a.waitForLog('You called removeLocalVideoTile. videoElement can be bound to another tile.');
    // carol's grid lets go of alice's cell when her tile is removed.
    await waitFor('carol releases the cell of alice', async () => {
      const map = await c.eval<Record<string, number>>('JSON.parse(JSON.stringify(t.results[15]))');
      return Object.keys(map).length === 1 ? map : undefined;
    }, 10_000);
  });

  it('use cases 16-20: screen and file content shares appear as content tiles; a third share is refused; stopping releases the tile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-content-'));
    const file = join(dir, 'yellow.webm');
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0xe0e000:s=320x240:r=15', '-t', '30', '-c:v', 'libvpx', '-b:v', '200k', file]);

    await b.run(20, { videoElementStack: true });
    await a.run(16);
    await a.waitForLog('Screen share started');
    await a.waitForLog('You called startContentShareFromScreenCapture');
    await b.waitForLog(`${a.attendeeId} is sharing screen now`);
    const screen = await waitFor('bob sees alice\'s screen', async () => {
      const col = await b.eval<{ width: number } | null>(`t.colourOf('content-1')`);
      return col && col.width > 0 ? col : undefined;
    }, 15_000);
    expect(screen.width).toBeGreaterThan(0);
    // The content attendee is present for everyone.
    await c.waitForLog(`Attendee ID: ${a.attendeeId}#content Present: true`);

    await c.run(18, { videoElement: 'file-video', inputElement: true });
    await c.page.setInputFiles('#file', file);
    await b.waitForLog(`${c.attendeeId} is sharing screen now`);
    const yellow = await waitFor('bob sees carol\'s video file', async () => {
      const col = await b.eval<{ r: number; g: number; b: number; width: number } | null>(`t.colourOf('content-0')`);
      return col && col.width > 0 && col.r > 150 && col.g > 150 ? col : undefined;
    }, 15_000);
    expectColour(yellow, [224, 224, 0], 'bob sees the file carol shares');

    // Two shares already run: bob's is refused and he hears contentShareDidStop.
    await b.run(16);
    await b.waitForLog('Screen share stopped');
    expect(await b.logs()).not.toContain('Screen share started');

    await a.run(19);
    await a.waitForLog('Content share stopped');
    await c.waitForLog(`Attendee ID: ${a.attendeeId}#content Present: false`);
    await waitFor('bob releases alice\'s content element', async () => {
      const map = await b.eval<Record<string, unknown>>('Object.keys(t.results[20])');
      return Array.isArray(map) && map.length === 1 ? map : undefined;
    }, 10_000);

    // Use case 17 (Electron): the SDK captures exactly the given desktop source without a picker.
    // Chromium only accepts source ids issued by its own picker API, so here the capture request
    // itself is checked, and the browser's refusal must reach the app as a rejected promise.
    const attempt = await a.page.evaluate(async () => {
      const t = (window as any).t;
      const seen: unknown[] = [];
      const gum = navigator.mediaDevices.getUserMedia;
      navigator.mediaDevices.getUserMedia = (c) => {
        seen.push(c);
        return gum.call(navigator.mediaDevices, c);
      };
      try {
        await t.run(17, { sourceId: 'screen:0:0' });
        return { seen, error: null };
      } catch (err) {
        return { seen, error: String(err) };
      } finally {
        navigator.mediaDevices.getUserMedia = gum;
      }
    });
    expect(attempt.seen).toEqual([{ audio: false, video: { mandatory: { chromeMediaSource: 'desktop', chromeMediaSourceId: 'screen:0:0', maxFrameRate: 15 } } }]);
    expect(attempt.error).not.toBeNull();
  });

  it('use cases 23-26: video metrics and alerts; leaving; the meeting ending', async () => {
    const health = await b.waitForLog(/Sending bitrate in kilobits per second: [1-9]\d* and [1-9]/);
    expect(health).toMatch(/and \d+$/);
    await b.waitForLog(/Sending bandwidth changed from 0 to [1-9]/);
    await b.waitForLog(/Receiving bandwidth changed from 0 to [1-9]/);

    await a.run(26);
    await c.run(26);
    await b.run(25);
    await b.waitForLog('You left the session');
    await a.waitForLog(`Attendee ID: ${b.attendeeId} Present: false`);

    const del = await api(env.server, 'DELETE', `/meetings/${meeting.Meeting.MeetingId}`);
    expect(del.status).toBe(204);
    await a.waitForLog('The session has ended');
    await c.waitForLog('The session has ended');
  });
});
