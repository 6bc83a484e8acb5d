import type { WebSocket, RawData } from 'ws';
import type { types } from 'mediasoup';
import {
  CloseCode, ErrorCode, PROTOCOL_VERSION, Permission, RequestEnvelope, Requests, SessionEndReason,
  contentAttendeeId, isRequestMethod, type EventData, type EventName, type RequestMethod, type RequestParams, type RequestResult,
} from '@parley/protocol';
import type { JoinTokens } from '../auth/joinTokens.js';
import type { RateLimits } from '../limits/rateLimits.js';
import { ParleyError, toParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MemberChannel, Member } from '../rooms/member.js';
import type { Room } from '../rooms/room.js';
import type { RoomManager } from '../rooms/roomManager.js';
import type { MeetingStore } from '../store/types.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { TokenBucket } from './tokenBucket.js';
import { memberRoom, roomHandlers } from './roomRequests.js';

export interface SignalingDeps {
  rooms: RoomManager;
  tokens: JoinTokens;
  store: MeetingStore;
  limits: { heartbeatIntervalMs: number; heartbeatTimeoutMs: number; maxVideoTiles: number };
  logger: Logger;
  /** Message, error and join-latency figures go here. */
  telemetry?: Telemetry | undefined;
  /** Joins per attendee (and the upgrade's per-address limits, in SignalingServer). */
  rateLimits?: RateLimits | undefined;
}

type Handlers = { [M in RequestMethod]: (params: RequestParams<M>) => Promise<RequestResult<M>> };

/** A client that sends this many bad messages is closed: it is broken or hostile. */
const MAX_ERRORS_PER_SESSION = 500;
const JOIN_TIMEOUT_MS = 15_000;

/**
 * One client's WebSocket: validates every message, runs requests one at a time in arrival
 * order, and is the member's channel for room notifications.
 */
export class SignalingSession implements MemberChannel {
  readonly #ws: WebSocket;
  readonly #deps: SignalingDeps;
  #log: Logger;
  #queue: Promise<void> = Promise.resolve();
  #room: Room | undefined;
  #member: Member | undefined;
  #closed = false;
  #errors = 0;
  #lastSeen = Date.now();
  readonly #bucket = new TokenBucket(200, 100);
  /** Data messages have their own budget: the room throttles them at ~100/s (Chime's rate, answered with throttled echoes); this caps a flood. */
  readonly #dataBucket = new TokenBucket(400, 300);
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #handlers: Handlers;

  constructor(ws: WebSocket, deps: SignalingDeps) {
    this.#ws = ws;
    this.#deps = deps;
    this.#log = deps.logger;
    this.#handlers = this.#createHandlers();
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#lastSeen = Date.now()));
    ws.on('close', () => this.#onClose());
    ws.on('error', (err) => this.#log.debug({ err }, 'websocket error'));
    deps.telemetry?.signalingConnection(1);
    this.#timers.push(setInterval(() => this.#heartbeat(), deps.limits.heartbeatIntervalMs));
    this.#timers.push(setTimeout(() => {
      if (!this.#member) this.#close(CloseCode.ProtocolError, 'join timeout');
    }, JOIN_TIMEOUT_MS));
  }

  notify<E extends EventName>(event: E, data: EventData<E>): void {
    this.#send({ event, data });
  }

  end(reason: SessionEndReason, message: string): void {
    // The room has already dropped us: nothing to leave on close.
    this.#member = undefined;
    this.#room = undefined;
    this.notify('sessionEnded', { reason, message });
    const code = reason === SessionEndReason.Removed ? CloseCode.Removed
      : reason === SessionEndReason.AudioJoinedFromAnotherDevice ? CloseCode.Replaced
      : reason === SessionEndReason.ServerShutdown ? CloseCode.ServerShutdown : CloseCode.SessionEnded;
    this.#close(code, reason);
  }

  disconnect(code: number, message: string): void {
    // The room has already dropped us: nothing to leave on close.
    this.#member = undefined;
    this.#room = undefined;
    this.#close(code, message);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    const receivedAt = performance.now();
    this.#lastSeen = Date.now();
    if (!(isDataMessage(data) ? this.#dataBucket : this.#bucket).take()) return this.#fail(null, new ParleyError(ErrorCode.RateLimited, 'too many messages'));
    if (isBinary) return this.#fail(null, new ParleyError(ErrorCode.BadRequest, 'binary messages are not supported'));
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return this.#fail(null, new ParleyError(ErrorCode.BadRequest, 'message is not valid JSON'));
    }
    const envelope = RequestEnvelope.safeParse(json);
    if (!envelope.success) {
      const id = typeof (json as { id?: unknown } | null)?.id === 'number' ? (json as { id: number }).id : null;
      return this.#fail(id, new ParleyError(ErrorCode.BadRequest, 'message must be {id, method, params}'));
    }
    const { id, method, params } = envelope.data;
    this.#deps.telemetry?.signalingMessage(isRequestMethod(method) ? method : 'unknown');
    if (!isRequestMethod(method)) return this.#fail(id, new ParleyError(ErrorCode.UnknownMethod, `unknown method "${method.slice(0, 64)}"`));
    const parsed = Requests[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'params';
      return this.#fail(id, new ParleyError(ErrorCode.InvalidParams, `${method}: ${where}: ${issue?.message ?? 'invalid'}`));
    }
    this.#queue = this.#queue.then(() => this.#run(id, method, parsed.data, receivedAt));
  }

  async #run(id: number, method: RequestMethod, params: unknown, receivedAt: number): Promise<void> {
    if (this.#closed) return;
    try {
      if (method !== 'join' && method !== 'ping' && !this.#member) throw new ParleyError(ErrorCode.NotJoined, `join before ${method}`);
      const handler = this.#handlers[method] as (p: unknown) => Promise<unknown>;
      const result = await handler(params);
      this.#send({ id, ok: true, result });
      if (method === 'join') this.#deps.telemetry?.join((performance.now() - receivedAt) / 1000, 'ok');
    } catch (err) {
      const error = toParleyError(err);
      if (error.code === ErrorCode.Internal) this.#log.error({ err, method }, 'request failed');
      this.#fail(id, error);
      if (method === 'join') {
        this.#deps.telemetry?.join((performance.now() - receivedAt) / 1000, 'error');
        this.#close(CloseCode.AuthFailed, error.code);
      }
    }
  }

  #createHandlers(): Handlers {
    const member = (): Member => this.#member!;
    const room = (): Room => this.#room!;
    return {
      join: (p) => this.#join(p),
      createTransport: (p) => room().createTransport(member(), p.direction),
      connectTransport: async (p) => {
        await member().peer.connectTransport(p.transportId, p.dtlsParameters);
        return {};
      },
      restartIce: async (p) => ({ iceParameters: await member().peer.restartIce(p.transportId) }),
      setRtpCapabilities: async (p) => {
        await room().setRtpCapabilities(member(), p.rtpCapabilities as unknown as types.RtpCapabilities);
        return {};
      },
      produce: async (p) => ({
        producerId: await room().produce(member(), p.transportId, p.kind, p.source, p.rtpParameters, p.paused ?? false, { width: p.width, height: p.height }),
      }),
      closeProducer: async (p) => {
        room().closeProducer(member(), p.producerId);
        return {};
      },
      pauseProducer: async (p) => {
        await room().pauseProducer(member(), p.producerId);
        return {};
      },
      resumeProducer: async (p) => {
        await room().resumeProducer(member(), p.producerId);
        return {};
      },
      resumeConsumer: async (p) => {
        await room().resumeConsumer(member(), p.consumerId);
        return {};
      },
      pauseConsumer: async (p) => {
        await room().pauseConsumer(member(), p.consumerId);
        return {};
      },
      setConsumerPreferences: async (p) => {
        room().setConsumerPreferences(member(), p.consumerId, p);
        return {};
      },
      getTransportStats: () => member().peer.transportStats(),
      leave: async () => {
        const m = this.#member;
        this.#member = undefined;
        if (m) this.#room?.leave(m.attendeeId, 'left');
        setImmediate(() => this.#close(CloseCode.Normal, 'left'));
        return {};
      },
      ping: async () => ({ now: Date.now() }),
      sendDataMessage: async (p) => {
        room().sendDataMessage(member(), p);
        return {};
      },
      ...roomHandlers((roomSessionId) => ({
        control: memberRoom(this.#deps.rooms.controlOf(room().meetingId), roomSessionId),
        caller: { kind: 'member', member: member() },
      })),
    };
  }

  async #join(p: RequestParams<'join'>): Promise<RequestResult<'join'>> {
    if (this.#member) throw new ParleyError(ErrorCode.AlreadyJoined, 'already joined');
    if (p.protocol !== PROTOCOL_VERSION) throw new ParleyError(ErrorCode.UnsupportedProtocol, `server speaks protocol ${PROTOCOL_VERSION}, not ${p.protocol}`);
    const claims = await this.#deps.tokens.verify(p.token);
    const { store, rooms, limits } = this.#deps;
    if (!store.getMeeting(claims.meetingId)) throw new ParleyError(ErrorCode.MeetingNotFound, 'meeting not found or ended');
    if (!store.getAttendee(claims.meetingId, claims.attendeeId)) throw new ParleyError(ErrorCode.AttendeeNotFound, 'attendee not found or removed');
    const isContent = p.content === true;
    if (isContent && !claims.permissions.includes(Permission.SelfScreenshare)) {
      throw new ParleyError(ErrorCode.Forbidden, 'missing permission room.self.screenshare');
    }
    const attendeeId = isContent ? contentAttendeeId(claims.attendeeId) : claims.attendeeId;
    // Counted only for a verified token, so a stranger cannot spend an attendee's joins.
    await this.#deps.rateLimits?.takeJoin(claims.meetingId, attendeeId);
    const joined = await rooms.join(claims.meetingId, { ...claims, attendeeId, isContent }, this);
    if (this.#closed) {
      // The socket went away while we were joining.
      joined.room.leave(attendeeId, 'dropped');
      throw new ParleyError(ErrorCode.NotJoined, 'connection closed during join');
    }
    if (p.e2ee) joined.room.sfu.markEncrypted();
    this.#room = joined.room;
    this.#member = joined.member;
    this.#log = this.#log.child({ meetingId: claims.meetingId, attendeeId });
    return {
      meetingId: claims.meetingId,
      attendeeId,
      externalUserId: claims.externalUserId,
      name: claims.name,
      role: claims.role,
      permissions: joined.member.permissions,
      routerRtpCapabilities: { ...joined.room.sfu.rtpCapabilities },
      attendees: joined.room.members.map((m) => m.info()),
      activeSpeakerId: joined.room.activeSpeakerId,
      heartbeatIntervalMs: limits.heartbeatIntervalMs,
      maxVideoTiles: limits.maxVideoTiles,
      videoSlotsUsed: joined.room.videoSlotsUsed,
    };
  }

  #fail(id: number | null, error: ParleyError): void {
    this.#deps.telemetry?.signalingError(error.code);
    this.#send({ id, ok: false, error: { code: error.code, message: error.message } });
    if (++this.#errors > MAX_ERRORS_PER_SESSION) this.#close(CloseCode.ProtocolError, 'too many bad messages');
  }

  #send(message: unknown): void {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(JSON.stringify(message));
  }

  #heartbeat(): void {
    if (Date.now() - this.#lastSeen > this.#deps.limits.heartbeatTimeoutMs) {
      this.#log.info('heartbeat timeout: peer is gone');
      this.#ws.terminate();
      return;
    }
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.ping();
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#ws.close(code, reason.slice(0, 120));
    // The close handshake may never finish with a dead peer.
    this.#timers.push(setTimeout(() => this.#ws.terminate(), 2000).unref());
  }

  #onClose(): void {
    this.#closed = true;
    this.#deps.telemetry?.signalingConnection(-1);
    for (const t of this.#timers) clearTimeout(t);
    const member = this.#member;
    this.#member = undefined;
    if (member) this.#room?.leave(member.attendeeId, 'dropped');
  }
}

/** Cheap pre-parse look at the method (the rate limit runs before JSON.parse); a wrong guess only picks the other budget. */
function isDataMessage(data: RawData): boolean {
  return Buffer.isBuffer(data) && data.length < 4096 && data.includes('"method":"sendDataMessage"');
}
