import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import nodeDataChannel from 'node-datachannel';
import type { BenchMedia } from './media.js';
import type { Pacer } from './pacer.js';
import { localDescription, newPc, trackOpen, trackOutput } from './parleyBot.js';
import { ReceiveTally, StreamReceiver } from './receiver.js';
import { rtcpKeyframeSsrcs } from './rtp.js';
import { ClipSender, type SendLog } from './sender.js';
import { freePort, ownChild, stopChild } from './parleyServer.js';

const { Video, Audio } = nodeDataChannel;
type PC = ReturnType<typeof newPc>;
const LIB = '/usr/lib/x86_64-linux-gnu/janus';

/** Janus 1.1.x (Debian `janus`), started from a private config dir: VideoRoom + WebSockets on 127.0.0.1 only. */
export class JanusProcess {
  readonly child: ChildProcess;
  readonly wsUrl: string;
  readonly #dir: string;

  private constructor(child: ChildProcess, wsUrl: string, dir: string) {
    this.child = child;
    this.wsUrl = wsUrl;
    this.#dir = dir;
  }

  static available(): boolean {
    return existsSync('/usr/bin/janus') && existsSync(`${LIB}/plugins/libjanus_videoroom.so`);
  }

  static version(): string {
    try {
      return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'janus'], { encoding: 'utf8' });
    } catch {
      return 'unknown';
    }
  }

  static async start(): Promise<JanusProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-janus-'));
    const rtpBase = 30000 + Math.floor(Math.random() * 20000);
    writeFileSync(join(dir, 'janus.jcfg'), `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 3
  session_timeout = 0
  protected_folders = []
}
certificates: {}
media: {
  ipv6 = false
  rtp_port_range = "${rtpBase}-${rtpBase + 4000}"
}
nat: {
  nice_debug = false
  ice_enforce_list = "${process.env.PARLEY_BENCH_JANUS_IFACE ?? 'lo'}"
  ignore_mdns = true
}
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so" }
loggers: { disable = "libjanus_jsonlog.so" }
events: { broadcast = false disable = "libjanus_gelfevh.so,libjanus_mqttevh.so,libjanus_nanomsgevh.so,libjanus_rabbitmqevh.so,libjanus_sampleevh.so,libjanus_wsevh.so" }
`);
    writeFileSync(join(dir, 'janus.transport.websockets.jcfg'), `general: {
  json = "plain"
  ws = true
  ws_port = ${port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: { admin_ws = false admin_wss = false }
`);
    writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {}\n');
    const child = spawn('janus', ['-F', dir, '-C', join(dir, 'janus.jcfg'), '--disable-colors', '-d', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (process.env.JANUS_DEBUG) { child.stdout?.pipe(process.stdout); child.stderr?.pipe(process.stderr); }
    ownChild(child);
    let log = '';
    const grab = (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    };
    child.stdout?.on('data', grab);
    child.stderr?.on('data', grab);
    const janus = new JanusProcess(child, `ws://127.0.0.1:${port}`, dir);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`janus exited: ${log}`);
      try {
        const s = await JanusSession.connect(janus.wsUrl);
        s.close();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`janus did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return janus;
  }

  get pid(): number {
    return this.child.pid!;
  }

  close(): Promise<void> {
    return stopChild(this.child, this.#dir);
  }
}

type JanusMsg = { janus: string; transaction?: string; session_id?: number; sender?: number; data?: { id: number }; plugindata?: { data: Record<string, unknown> }; jsep?: { type: string; sdp: string }; error?: { reason: string } };

/** One Janus API session over WebSocket (janus-protocol). */
export class JanusSession {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, { resolve: (m: JanusMsg) => void; reject: (e: Error) => void; ackOk: boolean }>();
  readonly #events = new Map<number, (m: JanusMsg) => void>();
  sessionId = 0;
  #tx = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as JanusMsg;
      if (process.env.JANUS_DEBUG) console.log("janus <", raw.toString().slice(0, 3000));
      if (m.janus === 'ack') return;
      const p = m.transaction ? this.#pending.get(m.transaction) : undefined;
      if (p) {
        this.#pending.delete(m.transaction!);
        if (m.janus === 'error') p.reject(new Error(`janus: ${m.error?.reason}`));
        else p.resolve(m);
        return;
      }
      if (m.sender !== undefined) this.#events.get(m.sender)?.(m);
    });
  }

  static async connect(url: string): Promise<JanusSession> {
    const ws = new WebSocket(url, 'janus-protocol');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const s = new JanusSession(ws);
    const created = await s.send({ janus: 'create' });
    s.sessionId = created.data!.id;
    return s;
  }

  send(body: Record<string, unknown>): Promise<JanusMsg> {
    const transaction = `t${++this.#tx}`;
    this.#ws.send(JSON.stringify({ ...body, transaction, ...(this.sessionId ? { session_id: this.sessionId } : {}) }));
    return new Promise((resolve, reject) => this.#pending.set(transaction, { resolve, reject, ackOk: true }));
  }

  async attach(): Promise<number> {
    const r = await this.send({ janus: 'attach', plugin: 'janus.plugin.videoroom' });
    return r.data!.id;
  }

  /** A plugin request whose answer comes as an asynchronous event (join, configure, start). */
  async message(handleId: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<JanusMsg> {
    let timer: NodeJS.Timeout | undefined;
    const event = new Promise<JanusMsg>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`janus: no event for ${String(body.request)}`)), 15_000);
      this.#events.set(handleId, (m) => {
        if (m.janus !== 'event') return;
        clearTimeout(timer);
        const err = m.plugindata?.data.error;
        if (err) reject(new Error(`janus: ${String(err)}`));
        else resolve(m);
      });
    });
    event.catch(() => undefined);
    const r = await this.send({ janus: 'message', handle_id: handleId, body, ...(jsep ? { jsep } : {}) });
    if (r.janus === 'event') {
      // Janus answered on the request's own transaction.
      clearTimeout(timer);
      this.#events.delete(handleId);
      const err = r.plugindata?.data.error;
      if (err) throw new Error(`janus: ${String(err)}`);
      return r;
    }
    if (r.janus === 'success') {
      // A synchronous request: its answer is this response.
      clearTimeout(timer);
      this.#events.delete(handleId);
      return r;
    }
    return event;
  }

  /** Our candidates were all in the SDP. */
  async trickleDone(handleId: number): Promise<void> {
    // Janus only acks a trickle: nothing to wait for.
    this.#ws.send(JSON.stringify({ janus: 'trickle', handle_id: handleId, candidate: { completed: true }, transaction: `t${++this.#tx}`, session_id: this.sessionId }));
    await Promise.resolve();
  }

  close(): void {
    this.#ws.close();
  }
}

/** The publishers' feed ids and their send logs by kind, so subscribers can time packets. */
export type JanusFeeds = Map<number, { audio?: SendLog; video?: SendLog }>;

/** A synthetic participant on Janus VideoRoom with the same media and libdatachannel stack as ParleyBot. */
export class JanusBot {
  readonly #session: JanusSession;
  readonly #pcs: PC[] = [];
  readonly #senders: ClipSender[] = [];
  readonly receivers: StreamReceiver[] = [];
  /** Received tracks must stay referenced: node-datachannel stops delivering to a collected Track. */
  readonly #tracks: unknown[] = [];
  readonly startedAt: number;
  #pacer: Pacer | undefined;
  feedId = 0;

  private constructor(session: JanusSession, startedAt: number) {
    this.#session = session;
    this.startedAt = startedAt;
  }

  static async connect(url: string): Promise<JanusBot> {
    const startedAt = performance.now();
    return new JanusBot(await JanusSession.connect(url), startedAt);
  }

  static async createRoom(url: string, publishers: number): Promise<number> {
    const s = await JanusSession.connect(url);
    const h = await s.attach();
    const r = await s.message(h, { request: 'create', publishers, bitrate: 0, fir_freq: 0, audiocodec: 'opus', videocodec: 'vp8', notify_joining: false, audiolevel_event: false, record: false });
    s.close();
    return Number(r.plugindata!.data.room);
  }

  async publish(room: number, media: BenchMedia, pacer: Pacer, feeds: JanusFeeds, what: { audio: boolean; video: boolean }): Promise<void> {
    this.#pacer = pacer;
    const handle = await this.#session.attach();
    const pc = newPc('janus-pub', janusBindAddress());
    this.#pcs.push(pc);
    const kinds: Array<'video' | 'audio'> = [];
    if (what.video) kinds.push('video');
    if (what.audio) kinds.push('audio');
    const plan = kinds.map((kind, i) => {
      const ssrc = 0x2000_0000 + Math.floor(Math.random() * 0x0fff_ffff);
      const pt = kind === 'video' ? 96 : 111;
      const desc = kind === 'video' ? new Video(String(i), 'SendOnly') : new Audio(String(i), 'SendOnly');
      if (desc instanceof Video) desc.addVP8Codec(pt);
      else desc.addOpusCodec(pt);
      desc.addSSRC(ssrc, 'janus-bot', 'stream', `${kind}-track`);
      const track = pc.addTrack(desc);
      return { kind, ssrc, pt, track };
    });
    const offer = await gatheredDescription(pc, () => pc.setLocalDescription());
    const joined = await this.#session.message(handle, { request: 'joinandconfigure', room, ptype: 'publisher', display: 'bot', audio: what.audio, video: what.video }, { type: 'offer', sdp: offer });
    this.feedId = Number(joined.plugindata!.data.id);
    if (!joined.jsep) throw new Error('janus: publisher got no answer');
    pc.setRemoteDescription(joined.jsep.sdp, 'answer');
    await this.#session.trickleDone(handle);
    const logs: { audio?: SendLog; video?: SendLog } = {};
    for (const p of plan) {
      const clip = p.kind === 'video' ? media.video : media.audio;
      const sender = new ClipSender(clip, trackOutput(p.track), p.pt, p.ssrc, p.kind === 'video' ? 90000 : 48000, performance.now() - Math.random() * 1000);
      p.track.onMessage((msg) => {
        if (rtcpKeyframeSsrcs(msg).length > 0) sender.requestKeyframe();
      });
      logs[p.kind] = sender.log;
      this.#senders.push(sender);
    }
    feeds.set(this.feedId, logs);
    await Promise.all(plan.map((p) => trackOpen(p.track)));
    for (const s of this.#senders) pacer.add(s);
  }

  /** Subscribes to every given feed (except its own) on one multistream subscriber handle. */
  async subscribe(room: number, feeds: JanusFeeds, tally: ReceiveTally): Promise<void> {
    const ids = [...feeds.keys()].filter((f) => f !== this.feedId);
    if (ids.length === 0) return;
    const handle = await this.#session.attach();
    const attached = await this.#session.message(handle, { request: 'join', room, ptype: 'subscriber', streams: ids.map((feed) => ({ feed })) });
    if (!attached.jsep) throw new Error('janus: subscriber got no offer');
    const streams = (attached.plugindata!.data.streams ?? []) as Array<{ mid: string; type: string; feed_id: number }>;
    const byMid = new Map(streams.map((s) => [s.mid, s]));
    const pc = newPc('janus-sub', janusBindAddress());
    this.#pcs.push(pc);
    const opened: Array<Promise<void>> = [];
    pc.onTrack((track) => {
      const s = byMid.get(track.mid());
      if (!s || (s.type !== 'audio' && s.type !== 'video')) return;
      const rx = new StreamReceiver(s.type, tally, feeds.get(s.feed_id)?.[s.type]);
      this.receivers.push(rx);
      this.#tracks.push(track);
      track.onMessage((msg) => rx.handle(msg));
      opened.push(trackOpen(track));
    });
    const sdp = attached.jsep.sdp;
    const answer = await gatheredDescription(pc, () => pc.setRemoteDescription(sdp, 'offer'));
    await this.#session.message(handle, { request: 'start' }, { type: 'answer', sdp: answer });
    await this.#session.trickleDone(handle);
    await Promise.all(opened);
  }


  close(): void {
    for (const s of this.#senders) this.#pacer?.remove(s);
    for (const pc of this.#pcs) pc.close();
    this.#session.close();
  }
}

/** Janus gathers candidates on a non-loopback interface only (libnice skips loopback): the bench's own veth in its own namespace. */
export function janusBindAddress(): string {
  return process.env.PARLEY_BENCH_JANUS_IP ?? '127.0.0.1';
}

/** The local description once ICE gathering is complete (Janus gets our candidates in the SDP, no trickle). */
async function gatheredDescription(pc: PC, trigger: () => void): Promise<string> {
  const gathered = new Promise<void>((resolve) => pc.onGatheringStateChange((s) => {
    if (s === 'complete') resolve();
  }));
  await localDescription(pc, trigger);
  if (pc.gatheringState() !== 'complete') await gathered;
  return pc.localDescription()!.sdp;
}

export { ReceiveTally };
