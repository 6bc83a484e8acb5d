import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPids } from './procStat.js';

const MAIN = fileURLToPath(new URL('../../packages/server/dist/main.js', import.meta.url));
export const SECRET = 'bench-secret-0123456789abcdef';

/** Child processes (servers) the bench started: killed if the bench itself exits or is interrupted. */
const children = new Set<ChildProcess>();
export function ownChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => process.exit(130));
}

/** Stops a child the bench started (SIGTERM, then SIGKILL after 5 s) and removes its scratch folder. */
export async function stopChild(child: ChildProcess, scratchDir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(scratchDir, { recursive: true, force: true });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/** A Parley server in its own process (as deployed), so its Node and worker CPU are measured apart from the bench. */
export class ParleyServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The first worker's media port (UDP and TCP); worker n listens on rtcPort + n. */
  readonly rtcPort: number;
  readonly #dataDir: string;
  workerPids: number[] = [];

  private constructor(child: ChildProcess, url: string, rtcPort: number, dataDir: string) {
    this.child = child;
    this.url = url;
    this.rtcPort = rtcPort;
    this.#dataDir = dataDir;
  }

  static async start(workers: number, extraEnv: Record<string, string> = {}): Promise<ParleyServerProcess> {
    const port = await freePort();
    const rtcPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env, PARLEY_HOST: '127.0.0.1', PARLEY_PORT: String(port), PARLEY_RTC_LISTEN_IP: '127.0.0.1', PARLEY_RTC_ANNOUNCED_IP: '127.0.0.1',
        PARLEY_RTC_PORT: String(rtcPort), PARLEY_RTC_WORKERS: String(workers), PARLEY_DATA_DIR: dataDir, PARLEY_LOG_LEVEL: 'warn', PARLEY_API_SECRET: SECRET,
        // Previews are a media engine per room: off for the SFU scenarios, on where the media services are measured.
        PARLEY_STATIC_DIR: '/nonexistent', PARLEY_PREVIEWS: 'off',
        // Hundreds of bots connect and join from 127.0.0.1 within seconds: the per-address and per-attendee rates are off.
        PARLEY_RATE_LIMITS: 'off', ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    ownChild(child);
    const server = new ParleyServerProcess(child, `http://127.0.0.1:${port}`, rtcPort, dataDir);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Parley server did not start in 20 s')), 20_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('Parley is running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`Parley server exited with ${code}`)));
    });
    server.workerPids = childPids(child.pid!, 'mediasoup');
    if (server.workerPids.length !== workers) throw new Error(`expected ${workers} mediasoup workers, found ${server.workerPids.length}`);
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Its PARLEY_DATA_DIR (recordings go under recordings/). */
  get dataDir(): string {
    return this.#dataDir;
  }

  get signalingUrl(): string {
    return `${this.url.replace('http', 'ws')}/signaling`;
  }

  async #api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`parley-dev-key:${SECRET}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async createMeeting(name: string): Promise<string> {
    const r = await this.#api<{ Meeting: { MeetingId: string } }>('POST', '/meetings', { ClientRequestToken: name, ExternalMeetingId: name });
    return r.Meeting.MeetingId;
  }

  async createAttendee(meetingId: string, user: string): Promise<string> {
    const r = await this.#api<{ Attendee: { JoinToken: string } }>('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: user });
    return r.Attendee.JoinToken;
  }

  close(): Promise<void> {
    return stopChild(this.child, this.#dataDir);
  }
}
