import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startParleyServer, type ParleyServer } from '../server.js';
// The generator lives with the bench, which sends 100,000 of these; CI sends a few thousand.
import { runRestFuzz } from '../../../../bench/src/fuzz/restFuzz.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const REQUESTS = 3000;

describe('REST fuzz against a live server', () => {
  let server: ParleyServer;
  let auth: string;
  const ids: string[] = [];

  beforeAll(async () => {
    // Rates off: 3,000 requests in seconds from one address would otherwise mostly test the 429 path.
    server = await startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 }, rateLimits: { enabled: false } }, {}, {});
    auth = `Basic ${Buffer.from(`${server.config.apiKey}:${server.config.apiSecret}`).toString('base64')}`;
    // Live objects for the fuzz to hit: a meeting with an attendee, a native room.
    const m = await (await fetch(`${server.url}/meetings`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ ClientRequestToken: 'fuzz-target' }) })).json() as { Meeting: { MeetingId: string } };
    const a = await (await fetch(`${server.url}/meetings/${m.Meeting.MeetingId}/attendees`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ ExternalUserId: 'fuzz-user' }) })).json() as { Attendee: { AttendeeId: string } };
    await fetch(`${server.url}/api/rooms`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz-room' }) });
    ids.push(m.Meeting.MeetingId, a.Attendee.AttendeeId, 'fuzz-room', server.config.apiKey);
  });
  afterAll(() => server.close());

  it(`answers ${REQUESTS} fuzzed requests (paths, methods, bodies, headers, SigV4 variants) without a 500, and stays up`, async () => {
    const { hostname, port } = new URL(server.url);
    const r = await runRestFuzz({ host: hostname, port: Number(port), apiKey: server.config.apiKey, apiSecret: server.config.apiSecret, ids }, REQUESTS, SEED, 8);
    console.log(`[rest fuzz] seed ${SEED}: ${r.sent} requests in ${r.seconds.toFixed(1)} s; statuses`, r.byStatus, 'codes', r.byCode, 'no answer', r.noAnswer);
    expect(r.sent).toBe(REQUESTS);
    // 503 is documented (ServiceUnavailable: not ready, media pipelines without media); 500 never is.
    expect(r.serverErrors.filter((e) => e.status !== 503), JSON.stringify(r.serverErrors)).toEqual([]);
    expect(r.unhealthy).toBe(0);
    // Only a malformed request line may go unanswered (the connection is closed); a parsed request always gets a status.
    expect(r.noAnswer - r.noAnswerRaw, r.noAnswerSamples.join('; ')).toBe(0);
    // The fuzz reached the handlers, not only the auth check: valid credentials got through.
    expect(r.byStatus[200] ?? 0).toBeGreaterThan(0);
    expect(r.byCode.BadRequest ?? 0).toBeGreaterThan(0);
    expect(r.byCode.Unauthorized ?? 0).toBeGreaterThan(0);
    expect((r.byStatus[404] ?? 0)).toBeGreaterThan(0);
    // Still serving: a normal call works and the target meeting is intact.
    const after = await fetch(`${server.url}/meetings/${ids[0]}`, { headers: { authorization: auth } });
    expect([200, 404]).toContain(after.status);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
