import { z } from 'zod';
import { PlaybackEntity, RecordingEntity, StreamEntity } from './mediaServices.js';
import { MediaKind } from './messages.js';
import { MemberType } from './roomControl.js';

/**
 * Webhooks: signed HTTP POSTs the server sends for room and participant lifecycle. One JSON
 * event per request; the signature covers `${id}.${timestamp}.${body}` (see WEBHOOK_HEADERS).
 * Event names follow LiveKit's (room_started, participant_joined, track_published...), with
 * Parley's media services in place of egress/ingress (recording_*, stream_*, playback_*).
 */

export const WEBHOOK_EVENT_NAMES = [
  'room_started', 'room_ended',
  'participant_joined', 'participant_left',
  'track_published', 'track_unpublished',
  'recording_started', 'recording_ended',
  'stream_started', 'stream_ended',
  'playback_started', 'playback_ended',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

/** Header names (HTTP headers are case-insensitive; node gives them lower-cased). */
export const WEBHOOK_HEADERS = {
  /** The event's id: the same on every retry of one event, so a receiver can drop duplicates. */
  id: 'parley-webhook-id',
  /** Unix seconds when this attempt was signed. */
  timestamp: 'parley-webhook-timestamp',
  /** `v1=<hex HMAC-SHA256(secret, id + "." + timestamp + "." + body)>`, space-separated when several secrets sign. */
  signature: 'parley-webhook-signature',
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: 'parley-webhook-attempt',
} as const;

const id = z.string().min(1).max(128);

/** The room session an event belongs to. */
export const WebhookRoom = z.object({
  /** The room (its name is stable across sessions). */
  id,
  /** This session of the room: one per "someone is in it" period. */
  session_id: id,
  name: z.string(),
  /** The Chime-style meeting id the session serves. */
  meeting_id: id,
});
export type WebhookRoom = z.infer<typeof WebhookRoom>;

export const WebhookParticipant = z.object({
  /** The attendee id (member id in room control). */
  id,
  external_user_id: z.string(),
  name: z.string(),
  type: MemberType,
  /** Unix seconds. */
  joined_at: z.number(),
});
export type WebhookParticipant = z.infer<typeof WebhookParticipant>;

export const WebhookTrack = z.object({
  /** The producer id. */
  id,
  kind: MediaKind,
  source: z.string(),
  mime_type: z.string(),
  simulcast: z.boolean(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
});
export type WebhookTrack = z.infer<typeof WebhookTrack>;

const base = {
  id,
  /** Unix seconds (with milliseconds) when the event happened. */
  created_at: z.number(),
  room: WebhookRoom,
};

export const WebhookEvent = z.discriminatedUnion('event', [
  z.object({ ...base, event: z.literal('room_started') }),
  z.object({ ...base, event: z.literal('room_ended') }),
  z.object({ ...base, event: z.literal('participant_joined'), participant: WebhookParticipant }),
  /** reason: left, dropped (connection lost), removed, ... */
  z.object({ ...base, event: z.literal('participant_left'), participant: WebhookParticipant, reason: z.string() }),
  z.object({ ...base, event: z.literal('track_published'), participant: WebhookParticipant, track: WebhookTrack }),
  z.object({ ...base, event: z.literal('track_unpublished'), participant: WebhookParticipant, track: WebhookTrack }),
  z.object({ ...base, event: z.literal('recording_started'), recording: RecordingEntity }),
  z.object({ ...base, event: z.literal('recording_ended'), recording: RecordingEntity }),
  z.object({ ...base, event: z.literal('stream_started'), stream: StreamEntity }),
  z.object({ ...base, event: z.literal('stream_ended'), stream: StreamEntity }),
  z.object({ ...base, event: z.literal('playback_started'), playback: PlaybackEntity }),
  z.object({ ...base, event: z.literal('playback_ended'), playback: PlaybackEntity }),
]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;
export type WebhookEventOf<N extends WebhookEventName> = Extract<WebhookEvent, { event: N }>;
/** What the server fills in for an event before it has an id and a time. */
export type WebhookEventBody = WebhookEvent extends infer E ? (E extends WebhookEvent ? Omit<E, 'id' | 'created_at'> : never) : never;
