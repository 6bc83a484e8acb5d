import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import { TypedEmitter, type WebhookEvent, type WebhookEventBody } from '@parley/protocol';
import type { Logger } from '../logger.js';

/** One answered REST request: `route` is the route's pattern (/meetings/:MeetingId), never the raw URL. */
export interface HttpRequestSample {
  method: string;
  route: string;
  status: number;
  seconds: number;
}

export type JoinOutcome = 'ok' | 'error';

export type TelemetryEvents = {
  /** A room or participant lifecycle event, with its id and time (what webhooks send). */
  lifecycle: [WebhookEvent];
  /** A signaling request arrived and parsed (method is a known method name). */
  signalingMessage: [method: string];
  /** A signaling request or message was refused or failed, with the code the client got. */
  signalingError: [code: string];
  /** A signaling join finished: seconds from the request to the reply. */
  join: [seconds: number, outcome: JoinOutcome];
  /** A signaling WebSocket opened (+1) or closed (-1). */
  signalingConnection: [delta: 1 | -1];
  httpRequest: [HttpRequestSample];
  /** A mediasoup worker was started (first start or replacement): its observer is open to subscribers. */
  workerStarted: [types.Worker];
  workerDied: [pid: number];
  /** A limit refused something: scope is what was counted (ip, api_key, attendee, member, room), reason what was asked. */
  rateLimited: [scope: string, reason: string];
};

/**
 * The server's one telemetry sink. Code that sees something happen reports it here through the
 * small methods below; metrics and webhooks subscribe. It holds no state and no references to
 * the components feeding it, and a throwing subscriber is logged, never propagated.
 */
export class Telemetry extends TypedEmitter<TelemetryEvents> {
  constructor(logger?: Logger) {
    super();
    this.onListenerError = (event, err) => logger?.error({ err, event }, 'telemetry subscriber threw');
  }

  lifecycle(body: WebhookEventBody): WebhookEvent {
    const event = { ...body, id: randomUUID(), created_at: Date.now() / 1000 } as WebhookEvent;
    this.emit('lifecycle', event);
    return event;
  }

  signalingMessage(method: string): void {
    this.emit('signalingMessage', method);
  }

  signalingError(code: string): void {
    this.emit('signalingError', code);
  }

  join(seconds: number, outcome: JoinOutcome): void {
    this.emit('join', seconds, outcome);
  }

  signalingConnection(delta: 1 | -1): void {
    this.emit('signalingConnection', delta);
  }

  httpRequest(sample: HttpRequestSample): void {
    this.emit('httpRequest', sample);
  }

  workerStarted(worker: types.Worker): void {
    this.emit('workerStarted', worker);
  }

  workerDied(pid: number): void {
    this.emit('workerDied', pid);
  }

  rateLimited(scope: string, reason: string): void {
    this.emit('rateLimited', scope, reason);
  }
}
