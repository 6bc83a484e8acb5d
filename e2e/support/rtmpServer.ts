import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/**
 * A one-publisher RTMP server on loopback for tests: ffmpeg listening, copying what it receives
 * into an FLV file (an RTMP ingest like YouTube's, without the internet).
 */
export class RtmpServer {
  readonly port: number;
  readonly file: string;
  readonly #child: ChildProcess;
  #exited: Promise<void>;

  private constructor(port: number, file: string, child: ChildProcess) {
    this.port = port;
    this.file = file;
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(file: string, port?: number): Promise<RtmpServer> {
    const p = port ?? (await freePort());
    const child = spawn('ffmpeg', ['-v', 'error', '-y', '-listen', '1', '-analyzeduration', '500000', '-probesize', '200000', '-i', `rtmp://127.0.0.1:${p}/live/key`, '-c', 'copy', '-flush_packets', '1', '-f', 'flv', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    const server = new RtmpServer(p, file, child);
    await waitListening(p);
    return server;
  }

  get url(): string {
    return `rtmp://127.0.0.1:${this.port}/live/key`;
  }

  /** SIGKILL: the receiving server goes away mid-stream. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** Ends cleanly once the publisher stops (or is killed after `ms`). */
  async stop(ms = 3000): Promise<void> {
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), ms);
    this.#child.kill('SIGTERM');
    await this.#exited;
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Waits for the LISTEN socket in /proc/net/tcp (a probing connect would be taken as the one publisher). */
async function waitListening(port: number, timeoutMs = 5000): Promise<void> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (await readFile('/proc/net/tcp', 'utf8')).split('\n').map((l) => l.trim().split(/\s+/));
    if (rows.some((r) => r[1] === local && r[3] === '0A')) return;
    if (Date.now() > deadline) throw new Error(`RTMP test server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
