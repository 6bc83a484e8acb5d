import { readdirSync } from 'node:fs';
import { get, request } from 'node:http';
import { rssBytes } from '../procStat.js';

/** What one soak sample reads of a Parley server process and its mediasoup workers. */
export interface ServerSample {
  /** Seconds since the soak started. */
  t: number;
  nodeRssMB: number;
  workersRssMB: number;
  /** V8 heap in use (nodejs_heap_size_used_bytes). */
  heapUsedMB: number;
  nodeFds: number;
  workersFds: number;
  /** What the workers hold by their own dumps (parley_sfu_worker_objects{object}). */
  objects: Record<string, number>;
  /** Node-side bookkeeping: live rooms, participants, producers and consumers (parley_* gauges). */
  rooms: number;
  participants: number;
  producers: number;
  consumers: number;
  signalingConnections: number;
  /** parley_worker_deaths_total: workers that died since the server started. */
  workerDeaths: number;
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd); NaN when it is gone. */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** Samples of one Prometheus text exposition: `name{labels} value` lines, label sets kept as written. */
export function parseMetrics(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * GET on a connection of its own that closes after the answer: a pooled keep-alive socket (fetch's)
 * would stay open in the server for its keep-alive timeout and read as a descriptor leak.
 */
export function getOnce(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** A server's REST calls the soak and fuzz make, each on a connection that closes (see getOnce). */
export interface ClosingApi {
  readonly url: string;
  readonly signalingUrl: string;
  createMeeting(name: string): Promise<string>;
  createAttendee(meetingId: string, user: string): Promise<string>;
}

export function closingApi(server: { url: string; signalingUrl: string }, auth: string): ClosingApi {
  const post = (path: string, body: unknown) => new Promise<Record<string, Record<string, string>>>((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(`${server.url}${path}`, { method: 'POST', agent: false, headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve(JSON.parse(text) as Record<string, Record<string, string>>) : reject(new Error(`POST ${path}: ${res.statusCode} ${text}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
  return {
    url: server.url,
    signalingUrl: server.signalingUrl,
    createMeeting: async (name) => (await post('/meetings', { ClientRequestToken: name, ExternalMeetingId: name })).Meeting!.MeetingId!,
    createAttendee: async (meetingId, user) => (await post(`/meetings/${meetingId}/attendees`, { ExternalUserId: user })).Attendee!.JoinToken!,
  };
}

const sum = (xs: Array<{ value: number }>): number => xs.reduce((n, x) => n + x.value, 0);

/**
 * One sample: memory and descriptors from /proc (the server runs as a child of the bench, so it
 * is read from outside, not asked), heap and object counts from the server's /metrics.
 */
export async function sampleServer(server: { url: string; pid: number; workerPids: number[] }, t: number): Promise<ServerSample> {
  const res = await getOnce(`${server.url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const metrics = parseMetrics(res.text);
  const named = (name: string) => metrics.filter((x) => x.name === name);
  const objects: Record<string, number> = {};
  for (const x of named('parley_sfu_worker_objects')) objects[x.labels.object ?? '?'] = x.value;
  const workers = server.workerPids;
  return {
    t,
    nodeRssMB: rssBytes(server.pid) / 2 ** 20,
    workersRssMB: workers.reduce((n, pid) => n + safe(() => rssBytes(pid)), 0) / 2 ** 20,
    heapUsedMB: sum(named('nodejs_heap_size_used_bytes')) / 2 ** 20,
    nodeFds: openFds(server.pid),
    workersFds: workers.reduce((n, pid) => n + openFds(pid), 0),
    objects,
    rooms: sum(named('parley_rooms')),
    participants: sum(named('parley_participants')),
    producers: sum(named('parley_producers')),
    consumers: sum(named('parley_consumers')),
    signalingConnections: sum(named('parley_signaling_connections')),
    workerDeaths: sum(named('parley_worker_deaths_total')),
  };
}

function safe(read: () => number): number {
  try {
    return read();
  } catch {
    return NaN;
  }
}

/** Least-squares slope of y over x (per unit of x); NaN with fewer than two points. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : NaN;
}
