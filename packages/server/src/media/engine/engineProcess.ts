import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { ErrorCode, TypedEmitter } from '@parley/protocol';
import { ParleyError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * The control channel to a media engine process (a GStreamer pipeline in Python, see
 * engine/*.py). One JSON object per line each way:
 *   Node -> engine: {"id": 7, "cmd": "add_input", ...args}
 *   engine -> Node: {"id": 7, "ok": true, "result": {...}} | {"id": 7, "ok": false, "error": {"code", "message"}}
 *                   {"event": "name", ...fields}   (unsolicited; the first is always {"event": "ready"})
 * stderr is the engine's log. The engine exits when stdin closes, so it cannot outlive Node.
 */
export interface EngineEvent {
  event: string;
  [field: string]: unknown;
}

export type EngineProcessEvents = {
  /** An unsolicited event from the engine (not "ready"). */
  event: [EngineEvent];
  /** The process ended: by stop() (expected = true), or on its own / by a signal (a crash). */
  exit: [info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
};

export interface EngineProcessOptions {
  /** Path of the engine's Python script. */
  script: string;
  args?: string[];
  logger: Logger;
  /** How long the engine may take to say ready. */
  startTimeoutMs?: number;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** An engine's .py beside the module `moduleUrl`; after `tsc` the module runs from dist/, the script stays in src/. */
export function engineScript(moduleUrl: string, name: string): string {
  const here = fileURLToPath(new URL(`./${name}`, moduleUrl));
  return existsSync(here) ? here : here.replace(/([/\\])dist([/\\])/, '$1src$2');
}

/** Debian's interpreter: its python3-gi has the GStreamer bindings (a pyenv python3 on PATH has not). */
export const ENGINE_PYTHON = process.env.PARLEY_PYTHON ?? '/usr/bin/python3';

export class EngineProcess extends TypedEmitter<EngineProcessEvents> {
  readonly #child: ChildProcess;
  readonly #log: Logger;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exited = false;
  #stopping = false;
  readonly #exitPromise: Promise<void>;

  private constructor(child: ChildProcess, logger: Logger) {
    super();
    this.#child = child;
    this.#log = logger;
    this.onListenerError = (event, err) => logger.error({ err, event }, 'media engine listener threw');
    this.#exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exited = true;
        const err = new ParleyError(ErrorCode.MediaError, `media engine exited (${signal ?? `code ${code}`})`);
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer);
          p.reject(err);
        }
        this.#pending.clear();
        const expected = this.#stopping;
        if (!expected) logger.error({ code, signal, pid: child.pid }, 'media engine exited unexpectedly');
        else logger.info({ code, signal, pid: child.pid }, 'media engine stopped');
        this.emit('exit', { code, signal, expected });
        resolve();
      });
    });
  }

  /** Spawns the engine and waits for its "ready" line. */
  static async start(options: EngineProcessOptions): Promise<EngineProcess> {
    const child = spawn(ENGINE_PYTHON, ['-u', options.script, ...(options.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    const engine = new EngineProcess(child, options.logger.child({ enginePid: child.pid }));
    await engine.#waitReady(options.startTimeoutMs ?? 10_000);
    return engine;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /** Sends a command; resolves with its result, rejects with the engine's error (a ParleyError). */
  request<T = Record<string, unknown>>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    if (this.#exited || this.#stopping) return Promise.reject(new ParleyError(ErrorCode.MediaError, 'media engine is not running'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ParleyError(ErrorCode.MediaError, `media engine did not answer ${cmd} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer });
      this.#child.stdin!.write(`${JSON.stringify({ ...args, id, cmd })}\n`);
    });
  }

  /** Asks the engine to finish (it finalises its outputs), then kills it if it has not exited. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.#exited) return;
    if (!this.#stopping) {
      this.#stopping = true;
      this.#child.stdin!.end();
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    await this.#exitPromise;
    clearTimeout(timer);
  }

  /** For tests and the supervisor: signal the process directly. */
  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const child = this.#child;
    createInterface({ input: child.stderr! }).on('line', (line) => this.#log.debug({ engine: line.slice(0, 2000) }, 'media engine log'));
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new ParleyError(ErrorCode.MediaError, `media engine did not start in ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new ParleyError(ErrorCode.MediaError, `media engine could not start: ${err.message}`, { cause: err }));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new ParleyError(ErrorCode.MediaError, `media engine exited at start (${signal ?? `code ${code}`})`));
      });
      lines.on('line', (line) => {
        const msg = parse(line);
        if (!msg) {
          this.#log.warn({ line: line.slice(0, 500) }, 'media engine wrote a line that is not JSON');
          return;
        }
        if (msg.event === 'ready') {
          clearTimeout(timer);
          resolve();
          return;
        }
        this.#handle(msg);
      });
    });
  }

  #handle(msg: Record<string, unknown>): void {
    if (typeof msg.id === 'number') {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok === true) p.resolve(msg.result ?? {});
      else {
        const e = (msg.error ?? {}) as { code?: string; message?: string };
        const code = Object.values(ErrorCode).includes(e.code as ErrorCode) ? (e.code as ErrorCode) : ErrorCode.MediaError;
        p.reject(new ParleyError(code, e.message ?? 'media engine error'));
      }
      return;
    }
    if (typeof msg.event === 'string') this.emit('event', msg as EngineEvent);
  }
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
