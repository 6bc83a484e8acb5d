import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EngineProcess, type EngineEvent } from './engineProcess.js';

const engineDir = dirname(fileURLToPath(import.meta.url));
const script = join(mkdtempSync(join(tmpdir(), 'parley-engine-')), 'echo.py');
writeFileSync(script, `import sys
sys.path.insert(0, ${JSON.stringify(engineDir)})
import os
from gi.repository import GLib
from engine_channel import serve, event, EngineError
loop = GLib.MainLoop()
def fail(m): raise EngineError("invalid_params", "bad x")
def tick(m):
    event("tick", n=m["n"])
    return {}
serve({"echo": lambda m: {"echo": m.get("x")}, "fail": fail, "tick": tick, "crash": lambda m: os._exit(3)}, loop.quit)
loop.run()
`);
const logger = pino({ level: 'silent' });

describe('EngineProcess', () => {
  it('answers requests in order, reports engine errors with their code, forwards events, stops on stdin close', async () => {
    const engine = await EngineProcess.start({ script, logger });
    const events: EngineEvent[] = [];
    engine.on('event', (e) => events.push(e));
    expect(await Promise.all([1, 2, 3].map((x) => engine.request('echo', { x })))).toEqual([{ echo: 1 }, { echo: 2 }, { echo: 3 }]);
    await expect(engine.request('fail')).rejects.toMatchObject({ code: 'invalid_params', message: 'bad x' });
    await expect(engine.request('nope')).rejects.toMatchObject({ code: 'invalid_params' });
    await engine.request('tick', { n: 5 });
    expect(events).toEqual([{ event: 'tick', n: 5 }]);
    const exits: boolean[] = [];
    engine.on('exit', ({ expected }) => exits.push(expected));
    await engine.stop();
    expect(exits).toEqual([true]);
    expect(engine.alive).toBe(false);
    await expect(engine.request('echo')).rejects.toMatchObject({ code: 'media_error' });
  });

  it('a crash rejects what is pending and is reported as unexpected', async () => {
    const engine = await EngineProcess.start({ script, logger });
    const exit = new Promise((resolve) => engine.once('exit', resolve));
    await expect(engine.request('crash')).rejects.toMatchObject({ code: 'media_error' });
    expect(await exit).toMatchObject({ code: 3, expected: false });
  });

  it('SIGKILL is an unexpected exit', async () => {
    const engine = await EngineProcess.start({ script, logger });
    const exit = new Promise((resolve) => engine.once('exit', resolve));
    engine.kill('SIGKILL');
    expect(await exit).toMatchObject({ signal: 'SIGKILL', expected: false });
  });
});
