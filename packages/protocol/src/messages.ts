import { z } from 'zod';
import { RoomEvents, RoomRequests } from './roomControl.js';

/**
 * The signaling wire format. Every message is one JSON object:
 *  - request  (client -> server): { id, method, params }
 *  - response (server -> client): { id, ok: true, result } | { id, ok: false, error }
 *  - notification (server -> client): { event, data }
 * Each method and event has one schema here, validated on both sides.
 */

const id = z.string().min(1).max(128);

/** Chime's limits for data messages. */
export const DATA_MESSAGE_TOPIC = /^[a-zA-Z0-9_-]{1,36}$/;
export const DATA_MESSAGE_MAX_BYTES = 2048;
export const DATA_MESSAGE_MAX_LIFETIME_MS = 300_000;

/** mediasoup objects are validated structurally here and in depth by mediasoup itself. */
const mediaObject = z.looseObject({});

export const MediaSource = z.enum(['microphone', 'camera', 'screen', 'screen-audio']);
export type MediaSource = z.infer<typeof MediaSource>;
export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

/** Why a participant left: on purpose, lost connection, removed by someone, or meeting ended. */
export const LeaveReason = z.enum(['left', 'dropped', 'removed', 'ended']);
export type LeaveReason = z.infer<typeof LeaveReason>;

/** A participant as every other participant sees it. */
export const AttendeeInfo = z.object({
  attendeeId: id,
  externalUserId: z.string(),
  name: z.string(),
  role: z.enum(['member', 'audience']),
  /** True for the content-share attendee "<attendeeId>#content". */
  isContent: z.boolean(),
  audioMuted: z.boolean(),
  videoMuted: z.boolean(),
});
export type AttendeeInfo = z.infer<typeof AttendeeInfo>;

export const TransportInfo = z.object({
  id,
  iceParameters: mediaObject,
  iceCandidates: z.array(mediaObject),
  dtlsParameters: mediaObject,
});
export type TransportInfo = z.infer<typeof TransportInfo>;

/** One server-side WebRtcTransport's figures, in bits per second and fractions. */
export const TransportStats = z.object({
  /** The server's estimate of what it can send to the client (transport-wide CC). */
  availableOutgoingBitrate: z.number().nullable(),
  recvBitrate: z.number(),
  sendBitrate: z.number(),
  /** The server's estimate of what the client can send to it. */
  availableIncomingBitrate: z.number().nullable(),
});
export type TransportStats = z.infer<typeof TransportStats>;

/** Request methods: params and result schemas. */
export const Requests = {
  join: {
    params: z.object({
      protocol: z.number().int(),
      token: z.string().min(1).max(8192),
      /** Join as the content-share attendee "<attendeeId>#content" of the token's attendee. */
      content: z.boolean().optional(),
      /** This member encrypts its media end to end: the room becomes encrypted (no server-side media services). */
      e2ee: z.boolean().optional(),
    }),
    result: z.object({
      meetingId: id,
      attendeeId: id,
      externalUserId: z.string(),
      name: z.string(),
      role: z.enum(['member', 'audience']),
      permissions: z.array(z.string()),
      routerRtpCapabilities: mediaObject,
      attendees: z.array(AttendeeInfo),
      /** The current dominant speaker (announced later only when it changes). */
      activeSpeakerId: z.string().nullable(),
      heartbeatIntervalMs: z.number(),
      maxVideoTiles: z.number(),
      /** Cameras being sent in the meeting now (the limit is maxVideoTiles). */
      videoSlotsUsed: z.number().int().min(0),
    }),
  },
  createTransport: {
    params: z.object({ direction: z.enum(['send', 'recv']) }),
    result: TransportInfo,
  },
  connectTransport: {
    params: z.object({ transportId: id, dtlsParameters: mediaObject }),
    result: z.object({}),
  },
  restartIce: {
    params: z.object({ transportId: id }),
    result: z.object({ iceParameters: mediaObject }),
  },
  /** Tells the server what the client can receive; it then starts consuming everyone's media. */
  setRtpCapabilities: {
    params: z.object({ rtpCapabilities: mediaObject }),
    result: z.object({}),
  },
  produce: {
    params: z.object({
      transportId: id,
      kind: MediaKind,
      source: MediaSource,
      rtpParameters: mediaObject,
      paused: z.boolean().optional(),
      /** The size the track is captured at (its top simulcast layer); the layer policy uses it. */
      width: z.number().int().positive().max(16384).optional(),
      height: z.number().int().positive().max(16384).optional(),
    }),
    result: z.object({ producerId: id }),
  },
  closeProducer: { params: z.object({ producerId: id }), result: z.object({}) },
  pauseProducer: { params: z.object({ producerId: id }), result: z.object({}) },
  resumeProducer: { params: z.object({ producerId: id }), result: z.object({}) },
  resumeConsumer: { params: z.object({ consumerId: id }), result: z.object({}) },
  /** Stops the server forwarding one received track to this client (a paused video tile). */
  pauseConsumer: { params: z.object({ consumerId: id }), result: z.object({}) },
  /**
   * How this client shows one received video: the size it renders it at (device pixels) and/or
   * the highest spatial layer it wants. The server forwards the smallest simulcast layer that
   * covers the size, within the client's bandwidth estimate.
   */
  setConsumerPreferences: {
    params: z.object({
      consumerId: id,
      width: z.number().int().min(0).max(16384).optional(),
      height: z.number().int().min(0).max(16384).optional(),
      maxSpatialLayer: z.number().int().min(0).max(7).optional(),
    }),
    result: z.object({}),
  },
  /** The server's view of this client's transports: its bandwidth estimate toward the client and what it receives. */
  getTransportStats: { params: z.object({}), result: z.object({ send: TransportStats.nullable(), recv: TransportStats.nullable() }) },
  leave: { params: z.object({}), result: z.object({}) },
  ping: { params: z.object({}), result: z.object({ now: z.number() }) },
  /**
   * A data message to everyone else in the meeting (Chime's realtimeSendDataMessage): data is
   * base64 of at most DATA_MESSAGE_MAX_BYTES; with lifetimeMs the server keeps it that long for
   * attendees who join later.
   */
  sendDataMessage: {
    params: z.object({
      topic: z.string().regex(DATA_MESSAGE_TOPIC, 'topic: 1-36 of a-z A-Z 0-9 _ -'),
      data: z.string().max(Math.ceil(DATA_MESSAGE_MAX_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'data: base64'),
      lifetimeMs: z.number().int().min(0).max(DATA_MESSAGE_MAX_LIFETIME_MS).optional(),
    }),
    result: z.object({}),
  },
  /** Room control (roomControl.ts). */
  ...RoomRequests,
} as const;
export type RequestMethod = keyof typeof Requests;
export type RequestParams<M extends RequestMethod> = z.infer<(typeof Requests)[M]['params']>;
export type RequestResult<M extends RequestMethod> = z.infer<(typeof Requests)[M]['result']>;

/** Notifications the server pushes. */
export const Events = {
  attendeeJoined: z.object({ attendee: AttendeeInfo }),
  attendeeLeft: z.object({ attendeeId: id, reason: LeaveReason }),
  attendeeUpdated: z.object({ attendee: AttendeeInfo }),
  newConsumer: z.object({
    consumerId: id,
    producerId: id,
    attendeeId: id,
    kind: MediaKind,
    source: MediaSource,
    rtpParameters: mediaObject,
    producerPaused: z.boolean(),
  }),
  consumerClosed: z.object({ consumerId: id }),
  consumerPaused: z.object({ consumerId: id }),
  consumerResumed: z.object({ consumerId: id }),
  /** Server-side audio levels, ~5 per second; volume is 0..1, attendees absent are silent. */
  volumes: z.object({ levels: z.array(z.object({ attendeeId: id, volume: z.number().min(0).max(1) })) }),
  activeSpeaker: z.object({ attendeeId: id }),
  sessionEnded: z.object({ reason: z.string(), message: z.string() }),
  /**
   * The server is shutting down: it sends this once to every member (and to those who join a
   * running meeting afterwards). Meetings go on until deadlineMs (epoch ms); then the server ends
   * what is left with SessionEndReason.ServerShutdown. No new meetings start on it meanwhile.
   */
  serverDraining: z.object({ deadlineMs: z.number(), message: z.string() }),
  /**
   * Dynacast: what the receivers of one of your video producers want now. When nobody receives it
   * (every receiver paused it), stop sending it; send again when wanted is true. With
   * maxSpatialLayer, no receiver needs the simulcast encodings above that index (lowest first):
   * stop them; absent, send every encoding.
   */
  producerDemand: z.object({ producerId: id, wanted: z.boolean(), maxSpatialLayer: z.number().int().min(0).max(15).optional() }),
  /** A data message from another attendee; throttled: yours, not delivered (you sent too many). */
  dataMessage: z.object({
    topic: z.string(),
    data: z.string(),
    senderAttendeeId: id,
    senderExternalUserId: z.string(),
    timestampMs: z.number(),
    throttled: z.boolean(),
  }),
  /** How many cameras are being sent in the meeting, whenever that changes. */
  videoSlots: z.object({ used: z.number().int().min(0), limit: z.number().int().min(0) }),
  /** Room control events (roomControl.ts). */
  ...RoomEvents,
} as const;
export type EventName = keyof typeof Events;
export type EventData<E extends EventName> = z.infer<(typeof Events)[E]>;

export const ErrorBody = z.object({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const RequestEnvelope = z.object({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

export const ResponseEnvelope = z.union([
  z.object({ id: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().nullable(), ok: z.literal(false), error: ErrorBody }),
]);
export type ResponseEnvelope = z.infer<typeof ResponseEnvelope>;

export const NotificationEnvelope = z.object({ event: z.string(), data: z.unknown() });
export type NotificationEnvelope = z.infer<typeof NotificationEnvelope>;

export function isRequestMethod(method: string): method is RequestMethod {
  return Object.prototype.hasOwnProperty.call(Requests, method);
}

export function isEventName(event: string): event is EventName {
  return Object.prototype.hasOwnProperty.call(Events, event);
}

/** The content-share attendee id of an attendee, as Chime forms it. */
export const CONTENT_SUFFIX = '#content';
export function contentAttendeeId(attendeeId: string): string {
  return `${attendeeId}${CONTENT_SUFFIX}`;
}
