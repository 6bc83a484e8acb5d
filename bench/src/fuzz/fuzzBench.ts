import { fileURLToPath } from 'node:url';
import { ErrorCode, PROTOCOL_VERSION } from '@parley/protocol';
import { ParleyServerProcess, SECRET } from '../parleyServer.js';
import { CpuMeter } from '../procStat.js';
import { closingApi, sampleServer, type ServerSample } from '../soak/serverSample.js';
import { leftovers } from '../soak/soak.js';
import { f, sleep } from '../util.js';
import { ChromiumRoom, type MediaCheck } from './chromiumRoom.js';
import { runRestFuzz, type RestFuzzResult } from './restFuzz.js';
import { runSignalingFuzz, type SignalingFuzzResult } from './signalingFuzz.js';
import { UdpFuzzTarget, type UdpFuzzResult } from './udpFuzz.js';

export interface FuzzSizes {
  datagrams: number;
  messages: number;
  requests: number;
}
/** The default bench run's sizes (a few minutes); `--fuzz=full` runs the issue's full sizes. */
export const FUZZ_DEFAULT: FuzzSizes = { datagrams: 200_000, messages: 200_000, requests: 20_000 };
export const FUZZ_FULL: FuzzSizes = { datagrams: 1_000_000, messages: 1_000_000, requests: 100_000 };
/** Datagrams per second at the WebRtcServer port (a few times a busy room's media rate). */
const DATAGRAMS_PER_S = 20_000;
const SEED = 20261202;

export interface FuzzResult {
  sizes: FuzzSizes;
  udp?: UdpFuzzResult & { workerCores: number };
  signaling?: SignalingFuzzResult & { nodeCores: number };
  rest?: RestFuzzResult & { nodeCores: number };
  checks: MediaCheck[];
  start: ServerSample;
  end: ServerSample;
  left: string[];
  /** The server process's exit code if it exited during the fuzz (null: it stayed up). */
  serverExit: number | null;
  workerDeaths: number;
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * One server process (one worker, rate limits off) with a two-member Chromium room on it; then
 * fuzzed UDP datagrams at its WebRtcServer port, fuzzed signaling messages and fuzzed REST
 * requests, one after another, with the room's decoded colour and tone checked every 15 s.
 * Afterwards every object count must be back where it started.
 */
export async function runFuzz(sizes: FuzzSizes, log: (line: string) => void = console.log): Promise<FuzzResult> {
  const server = await ParleyServerProcess.start(1, { PARLEY_STATIC_DIR: fileURLToPath(new URL('../../../e2e/pages', import.meta.url)) });
  // REST calls on connections that close, so the end's descriptor count is not the bench's idle keep-alive pool.
  const api = closingApi(server, `Basic ${Buffer.from(`parley-dev-key:${SECRET}`).toString('base64')}`);
  let room: ChromiumRoom | undefined;
  const checks: MediaCheck[] = [];
  try {
    const start = await sampleServer(server, 0);
    room = await ChromiumRoom.open(api, server.signalingUrl);
    const canary = room;
    const check = async (at: string) => {
      const c = await canary.check(at);
      checks.push(c);
      log(`fuzz canary ${at}: ${c.ok ? 'ok' : 'FAILED'} ${c.views.map((v) => `${v.of} rgb(${v.got.rgb ? `${v.got.rgb.r},${v.got.rgb.g},${v.got.rgb.b}` : '-'}) ${f(v.got.frequency, 0)} Hz ${f(v.got.dB, 0)} dB +${v.framesSinceLast} frames${v.why.length ? ` [${v.why.join('; ')}]` : ''}`).join(', ')}`);
    };
    await check('before');
    // Checks the room every 15 s while a phase runs.
    const during = async <T>(label: string, work: Promise<T>): Promise<T> => {
      let done = false;
      const watcher = (async () => {
        for (let i = 1; ; i++) {
          for (let w = 0; w < 150 && !done; w++) await sleep(100);
          if (done) return;
          await check(`during ${label} (${i * 15} s)`);
        }
      })();
      try {
        return await work;
      } finally {
        done = true;
        await watcher;
      }
    };
    const result: FuzzResult = { sizes, checks, start, end: start, left: [], serverExit: null, workerDeaths: 0 };

    if (sizes.datagrams > 0) {
      const meetingId = await api.createMeeting('udp-fuzz');
      const target = await UdpFuzzTarget.open(server.signalingUrl, await api.createAttendee(meetingId, 'udp-fuzzer'));
      const cpu = new CpuMeter(server.workerPids);
      cpu.start();
      try {
        const r = await during('UDP', target.run(sizes.datagrams, DATAGRAMS_PER_S, SEED));
        result.udp = { ...r, workerCores: cpu.read().cores };
        log(`fuzz UDP: ${r.sent} datagrams in ${f(r.seconds, 0)} s (${JSON.stringify(r.byShape)}), ${r.replies} replies, ICE check answered: ${r.iceConnected}, worker ${f(result.udp.workerCores * 100, 0)}% of a core`);
      } finally {
        target.close();
      }
      await check('after UDP');
    }
    if (sizes.messages > 0) {
      const cpu = new CpuMeter([server.pid]);
      cpu.start();
      const r = await during('signaling', runSignalingFuzz(api, { count: sizes.messages, seed: SEED, protocol: PROTOCOL_VERSION, knownCodes: KNOWN_CODES, onProgress: (n) => log(`fuzz signaling: ${n} messages`) }));
      result.signaling = { ...r, nodeCores: cpu.read().cores };
      log(`fuzz signaling: ${r.sent} messages over ${r.connections} connections in ${f(r.seconds, 0)} s; ok ${r.ok}; errors ${JSON.stringify(r.errors)}; closes ${JSON.stringify(r.closes)}; unknown codes ${r.unknownCodes.length}`);
      await check('after signaling');
    }
    if (sizes.requests > 0) {
      const { hostname, port } = new URL(server.url);
      const meetingId = await api.createMeeting('rest-fuzz');
      const ids = [meetingId, 'parley-dev-key', 'rest-fuzz', 'udp-fuzz'];
      const cpu = new CpuMeter([server.pid]);
      cpu.start();
      const r = await during('REST', runRestFuzz({ host: hostname, port: Number(port), apiKey: 'parley-dev-key', apiSecret: SECRET, ids }, sizes.requests, SEED, 16, (n) => { if (n % 10_000 === 0) log(`fuzz REST: ${n} requests`); }));
      result.rest = { ...r, nodeCores: cpu.read().cores };
      log(`fuzz REST: ${r.sent} requests in ${f(r.seconds, 0)} s; statuses ${JSON.stringify(r.byStatus)}; codes ${JSON.stringify(r.byCode)}; 5xx ${JSON.stringify(r.serverErrors.slice(0, 5))}; no answer ${r.noAnswer} (raw ${r.noAnswerRaw}), resent ${r.resent}; unhealthy ${r.unhealthy}`);
    }
    await check('after');
    await room.close();
    room = undefined;
    // The canary and every fuzz connection have gone: the counts must come back to the start.
    let end = await sampleServer(server, 0);
    for (let i = 0; i < 30 && leftovers(start, end).length; i++) {
      await sleep(1000);
      end = await sampleServer(server, 0);
    }
    result.end = end;
    result.left = leftovers(start, end);
    result.workerDeaths = end.workerDeaths;
    result.serverExit = server.child.exitCode;
    log(`fuzz end: server ${result.serverExit === null ? 'up' : `exited ${result.serverExit}`}, worker deaths ${result.workerDeaths}, left over: ${result.left.join(', ') || 'nothing'}`);
    return result;
  } finally {
    await room?.close();
    await server.close();
  }
}

const top = (counts: Record<string, number>, n = 12): string => Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

/** The BENCHMARKS.md section of a fuzz run. */
export function fuzzSection(r: FuzzResult | undefined): string {
  if (!r) return '';
  const full = r.sizes.datagrams >= FUZZ_FULL.datagrams && r.sizes.messages >= FUZZ_FULL.messages && r.sizes.requests >= FUZZ_FULL.requests;
  const failed = r.checks.filter((c) => !c.ok);
  const u = r.udp;
  const s = r.signaling;
  const h = r.rest;
  const fiveXx = h ? Object.entries(h.byStatus).filter(([k]) => Number(k) >= 500).reduce((n, [, v]) => n + v, 0) : 0;
  return `## Fuzz: UDP datagrams, signaling messages, REST requests${full ? '' : ` (default sizes; \`npm run bench -- --fuzz=full\` runs ${FUZZ_FULL.datagrams.toLocaleString('en')} / ${FUZZ_FULL.messages.toLocaleString('en')} / ${FUZZ_FULL.requests.toLocaleString('en')})`}

One server process (one worker, rate limits off so the fuzz reaches the handlers) with a two-member Chromium room on it
(Debian Chromium, the e2e engine page: each member publishes a solid colour and a tone), then three phases one after
another, seeded (seed ${SEED}) so a failure replays. The room's decoded colour, tone and new frames were checked
${r.checks.length} times (before, every 15 s during each phase, after): ${failed.length ? `**${failed.length} checks failed: ${failed.map((c) => `${c.at} (${c.views.flatMap((v) => v.why).join('; ')})`).join(', ')}**` : 'every check saw the right colour and tone and new frames'}.

| phase | sent | time | CPU | outcome |
|---|---:|---:|---:|---|
${u ? `| UDP datagrams at the WebRtcServer port | ${u.sent.toLocaleString('en')} | ${f(u.seconds, 0)} s | worker ${f(u.workerCores * 100, 0)}% of a core | ${u.replies.toLocaleString('en')} replies (STUN answers, DTLS alerts); shapes: ${top(u.byShape)} |` : ''}
${s ? `| signaling messages | ${s.sent.toLocaleString('en')} over ${s.connections.toLocaleString('en')} connections | ${f(s.seconds, 0)} s | Node ${f(s.nodeCores * 100, 0)}% of a core | ${s.ok.toLocaleString('en')} ok; ${s.unknownCodes.length ? `**codes outside ErrorCode: ${s.unknownCodes.join(', ')}**` : 'every error code is one of ErrorCode'} |` : ''}
${h ? `| REST requests | ${h.sent.toLocaleString('en')} | ${f(h.seconds, 0)} s | Node ${f(h.nodeCores * 100, 0)}% of a core | statuses: ${top(h.byStatus)}; ${h.noAnswer} closed without an answer (${h.noAnswerRaw} of them raw malformed requests; ${h.resent} resent on a fresh connection after a pooled one the server had closed); /health failed ${h.unhealthy} times |` : ''}

- Server crashes: ${r.serverExit === null ? 0 : `**1 (exit ${r.serverExit})**`}; worker deaths: ${r.workerDeaths}; REST 5xx: ${fiveXx}${h?.serverErrors.length ? ` (**${h.serverErrors.slice(0, 5).map((e) => `${e.status} ${e.code} ${e.method} ${e.path}`).join('; ')}**)` : ''}.
${s ? `- Signaling error codes: ${top(s.errors, 30)}. Close codes: ${top(s.closes)}.` : ''}
${h ? `- REST error codes: ${top(h.byCode, 30)}.` : ''}
- Datagram shapes: STUN (random attributes, lying lengths), STUN checks signed with the fuzz transport's ICE password (half
  then bit-flipped), DTLS records and ClientHellos, RTP and RTCP with random headers, extensions and lengths, noise, and
  mutations of each; half from the fuzz member's own ICE-validated 5-tuple (so DTLS, RTP and RTCP reach a transport), half
  from unknown tuples.
- After the room and every fuzz connection closed: ${r.left.length ? `**not back at their start: ${r.left.join(', ')}**` : 'every worker object count, room, member and connection count was back at its start'}.`;
}
