/**
 * Stable error codes carried by signaling error replies, WebSocket close reasons and the
 * native REST API. Names never change once released; messages may.
 */
export const ErrorCode = {
  BadRequest: 'bad_request',
  MessageTooLarge: 'message_too_large',
  UnknownMethod: 'unknown_method',
  InvalidParams: 'invalid_params',
  UnsupportedProtocol: 'unsupported_protocol',
  NotJoined: 'not_joined',
  AlreadyJoined: 'already_joined',
  TokenInvalid: 'token_invalid',
  TokenExpired: 'token_expired',
  MeetingNotFound: 'meeting_not_found',
  AttendeeNotFound: 'attendee_not_found',
  Forbidden: 'forbidden',
  RoomLocked: 'room_locked',
  VideoLimitReached: 'video_limit_reached',
  ContentShareLimitReached: 'content_share_limit_reached',
  TransportNotFound: 'transport_not_found',
  ProducerNotFound: 'producer_not_found',
  ConsumerNotFound: 'consumer_not_found',
  MediaError: 'media_error',
  /** Too many requests, connections or joins in a window (REST answers 429 with Retry-After). */
  RateLimited: 'rate_limited',
  /** A member asked for more transports, producers or consumers than one member may hold. */
  LimitReached: 'limit_reached',
  /** The room has as many members as it may hold (limits.maxAttendeesPerMeeting). */
  RoomFull: 'room_full',
  Unauthorized: 'unauthorized',
  NotFound: 'not_found',
  /** A feature that exists in the API but not yet on this server (recording, playback, streams). */
  NotAvailable: 'not_available',
  MemberNotFound: 'member_not_found',
  /** The server is draining for a shutdown: it joins no one into a meeting that is not already running here. */
  ServerDraining: 'server_draining',
  /** The room's media is end-to-end encrypted: recording, streaming, preview and playback into it are refused. */
  RoomEncrypted: 'room_encrypted',
  Internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * WebSocket close codes (4000-4999 is the application range). A connection refused by the per-IP
 * limits never opens: the upgrade is answered `HTTP 429` with `Retry-After` and
 * `{ error: { code: 'rate_limited', message } }`.
 */
export const CloseCode = {
  Normal: 1000,
  MessageTooLarge: 1009,
  ProtocolError: 4000,
  AuthFailed: 4001,
  SessionEnded: 4002,
  Removed: 4003,
  HeartbeatTimeout: 4004,
  Replaced: 4005,
  ServerShutdown: 4006,
  /** The media server carrying this meeting failed and was replaced: reconnect (the SDKs do). */
  MediaRestart: 4007,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
