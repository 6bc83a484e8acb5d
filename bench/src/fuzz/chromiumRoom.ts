import { chromium, type Browser, type Page } from 'playwright-core';

/** One member's view of the other: decoded colour (average RGB), tone (frequency, level) and frames so far. */
export interface MediaView {
  rgb: { r: number; g: number; b: number } | null;
  frequency: number;
  dB: number;
  frames: number;
}

export interface MediaCheck {
  at: string;
  ok: boolean;
  /** Each member's view of the other, with what was expected. */
  views: Array<{ of: string; want: { rgb: [number, number, number]; frequency: number }; got: MediaView; framesSinceLast: number; why: string[] }>;
}

interface Member { name: string; page: Page; attendeeId: string; rgb: [number, number, number]; frequency: number }

/** The server the room is on: it serves e2e/pages at / (PARLEY_STATIC_DIR) and the SDK bundle at /sdk/. */
export interface RoomServer {
  readonly url: string;
  createMeeting(name: string): Promise<string>;
  createAttendee(meetingId: string, user: string): Promise<string>;
}

/**
 * Two Chromium members (Debian's /usr/bin/chromium, fake devices) in one room of a separate server
 * process, each publishing a solid colour and a tone from the e2e engine page: the canary a fuzz
 * must not disturb. check() reads what each decodes of the other, not whether a connection is open.
 */
export class ChromiumRoom {
  readonly #browser: Browser;
  readonly #members: Member[];
  readonly #frames = new Map<string, number>();
  readonly checks: MediaCheck[] = [];

  private constructor(browser: Browser, members: Member[]) {
    this.#browser = browser;
    this.#members = members;
  }

  static async open(server: RoomServer, signalingUrl: string): Promise<ChromiumRoom> {
    const browser = await chromium.launch({
      executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection'],
    });
    try {
      const meetingId = await server.createMeeting(`fuzz-canary-${Date.now()}`);
      const members: Member[] = [];
      for (const [name, colour, rgb, frequency] of [['amber', '#e0a000', [224, 160, 0], 500], ['teal', '#00a0a0', [0, 160, 160], 800]] as const) {
        const token = await server.createAttendee(meetingId, `canary-${name}`);
        const page = await (await browser.newContext()).newPage();
        await page.goto(`${server.url}/engine.html`);
        await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true, undefined, { timeout: 20_000 });
        const joined = await page.evaluate((a) => (window as unknown as { harness: { join(a: unknown): Promise<{ attendeeId: string }> } }).harness.join(a), { signalingUrl, token, colour, frequency });
        members.push({ name, page, attendeeId: joined.attendeeId, rgb: [...rgb] as [number, number, number], frequency });
      }
      const room = new ChromiumRoom(browser, members);
      // Media flowing both ways before anything is measured.
      const deadline = Date.now() + 40_000;
      for (;;) {
        const c = await room.#look('setup', false);
        if (c.ok) break;
        if (Date.now() > deadline) throw new Error(`the Chromium room's media never flowed: ${JSON.stringify(c.views.map((v) => v.why))}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      return room;
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  async #look(at: string, record: boolean): Promise<MediaCheck> {
    const views: MediaCheck['views'] = [];
    for (const viewer of this.#members) {
      const other = this.#members.find((m) => m !== viewer)!;
      const got = await viewer.page.evaluate((id) => {
        const h = (window as unknown as { harness: { received(): Record<string, { video?: { r: number; g: number; b: number } | null; audio?: { frequency: number; dB: number } }>; framesDecoded(): Record<string, number> } }).harness;
        const r = h.received()[id];
        return { rgb: r?.video ?? null, frequency: r?.audio?.frequency ?? 0, dB: r?.audio?.dB ?? -120, frames: h.framesDecoded()[id] ?? 0 };
      }, other.attendeeId);
      const key = `${viewer.name}<-${other.name}`;
      const framesSinceLast = got.frames - (this.#frames.get(key) ?? 0);
      if (record) this.#frames.set(key, got.frames);
      const why: string[] = [];
      if (!colourMatches(got.rgb, other.rgb)) why.push(`colour ${JSON.stringify(got.rgb)}`);
      if (Math.abs(got.frequency - other.frequency) >= 25 || got.dB < -70) why.push(`tone ${got.frequency.toFixed(0)} Hz at ${got.dB.toFixed(0)} dB`);
      if (record && framesSinceLast <= 0) why.push('no new frames since the last check');
      views.push({ of: key, want: { rgb: other.rgb, frequency: other.frequency }, got, framesSinceLast, why });
    }
    return { at, ok: views.every((v) => v.why.length === 0), views };
  }

  /** Records what each member decodes now; `at` names the moment (before / during N / after). */
  async check(at: string): Promise<MediaCheck> {
    const c = await this.#look(at, true);
    this.checks.push(c);
    return c;
  }

  async close(): Promise<void> {
    await this.#browser.close();
  }
}

/**
 * Same hue as sent: codecs and YUV range change brightness, not direction, so the cosine of the
 * RGB vectors must be > 0.97 and the frame not dark (the e2e tests' rule).
 */
export function colourMatches(got: { r: number; g: number; b: number } | null, want: [number, number, number]): boolean {
  if (!got) return false;
  const g = [got.r, got.g, got.b];
  const cos = g.reduce((n, v, i) => n + v * want[i]!, 0) / (Math.hypot(...g) * Math.hypot(...want) || 1);
  return cos > 0.97 && Math.max(...g) > 100;
}
