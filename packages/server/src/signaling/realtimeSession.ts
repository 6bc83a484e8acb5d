import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, ErrorCode, RequestEnvelope, RoomRequests, type RoomEventName } from '@parley/protocol';
import { constantTimeEqual } from '../auth/sigv4.js';
import type { ProjectTokens } from '../auth/projectTokens.js';
import { ParleyError, toParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RoomControl } from '../rooms/roomControl.js';
import type { RoomManager } from '../rooms/roomManager.js';
import { roomHandlers, type RoomHandlers } from './roomRequests.js';
import { TokenBucket } from './tokenBucket.js';

export const REALTIME_PATH = '/api/realtime';

export interface RealtimeDeps {
  rooms: RoomManager;
  credentials: { apiKey: string; apiSecret: string };
  projectTokens: ProjectTokens;
  heartbeatIntervalMs: number;
  logger: Logger;
}

/**
 * Authenticates a realtime upgrade: `Authorization: Basic base64(project:token)` where project
 * is the API key and token is the API secret (every permission) or a project token (its list).
 */
export async function authenticateRealtime(req: IncomingMessage, deps: RealtimeDeps): Promise<ReadonlySet<string> | 'all'> {
  const header = req.headers.authorization ?? '';
  const [scheme, value = ''] = header.split(' ');
  if (scheme?.toLowerCase() !== 'basic') throw new ParleyError(ErrorCode.Unauthorized, 'use Authorization: Basic base64(project:token)');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const project = decoded.slice(0, Math.max(0, colon));
  const token = decoded.slice(colon + 1);
  const keyOk = constantTimeEqual(project, deps.credentials.apiKey);
  const secretOk = constantTimeEqual(token, deps.credentials.apiSecret);
  if (!keyOk) throw new ParleyError(ErrorCode.Unauthorized, 'unknown project');
  if (secretOk) return 'all';
  return deps.projectTokens.verify(token);
}

/**
 * A backend's server-to-server WebSocket (the server SDK's Video.Client): sees every room
 * session of this server, receives all their events after `realtime.subscribe`, and calls
 * room methods naming a roomSessionId, with the permissions it authenticated with.
 */
export class RealtimeSession {
  readonly #ws: WebSocket;
  readonly #deps: RealtimeDeps;
  readonly #log: Logger;
  readonly #handlers: RoomHandlers;
  readonly #bucket = new TokenBucket(200, 100);
  readonly #timer: NodeJS.Timeout;
  readonly #forward = (control: RoomControl, event: RoomEventName, data: unknown) => this.#send({ event, data });
  #subscribed = false;
  #alive = true;

  constructor(ws: WebSocket, deps: RealtimeDeps, permissions: ReadonlySet<string> | 'all') {
    this.#ws = ws;
    this.#deps = deps;
    this.#log = deps.logger.child({ sub: 'realtime' });
    this.#handlers = roomHandlers((roomSessionId) => {
      if (!roomSessionId) throw new ParleyError(ErrorCode.InvalidParams, 'roomSessionId is required');
      const control = deps.rooms.control(roomSessionId);
      if (!control) throw new ParleyError(ErrorCode.NotFound, `no live room session ${roomSessionId.slice(0, 128)}`);
      return { control, caller: { kind: 'server', permissions } };
    });
    ws.on('message', (data, isBinary) => void this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', () => this.#onClose());
    ws.on('error', (err) => this.#log.debug({ err }, 'realtime websocket error'));
    this.#timer = setInterval(() => {
      if (!this.#alive) return void ws.terminate();
      this.#alive = false;
      ws.ping();
    }, deps.heartbeatIntervalMs * 2);
  }

  async #onMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (!this.#bucket.take()) return this.#send({ id: null, ok: false, error: { code: ErrorCode.RateLimited, message: 'too many messages' } });
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      json = undefined;
    }
    const envelope = RequestEnvelope.safeParse(json);
    if (!envelope.success) return this.#send({ id: null, ok: false, error: { code: ErrorCode.BadRequest, message: 'message must be {id, method, params}' } });
    const { id, method, params } = envelope.data;
    try {
      this.#send({ id, ok: true, result: await this.#run(method, params ?? {}) });
    } catch (err) {
      const error = toParleyError(err);
      if (error.code === ErrorCode.Internal) this.#log.error({ err, method }, 'realtime request failed');
      this.#send({ id, ok: false, error: { code: error.code, message: error.message } });
    }
  }

  async #run(method: string, params: unknown): Promise<unknown> {
    if (method === 'ping') return { now: Date.now() };
    if (method === 'realtime.subscribe') {
      if (!this.#subscribed) this.#deps.rooms.on('roomEvent', this.#forward);
      this.#subscribed = true;
      return { room_sessions: this.#deps.rooms.controls.map((c) => c.fullState()) };
    }
    if (!Object.hasOwn(RoomRequests, method)) throw new ParleyError(ErrorCode.UnknownMethod, `unknown method "${method.slice(0, 64)}"`);
    const name = method as keyof typeof RoomRequests;
    const parsed = RoomRequests[name].params.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ParleyError(ErrorCode.InvalidParams, `${method}: ${issue?.path.join('.') || 'params'}: ${issue?.message ?? 'invalid'}`);
    }
    const handler = this.#handlers[name] as (p: unknown) => Promise<unknown>;
    return handler(parsed.data);
  }

  #send(message: unknown): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(message));
  }

  close(): void {
    this.#ws.close(CloseCode.ServerShutdown, 'server shutting down');
  }

  #onClose(): void {
    clearInterval(this.#timer);
    this.#deps.rooms.off('roomEvent', this.#forward);
  }
}
