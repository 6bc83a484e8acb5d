import { z } from 'zod';
import { MediaServiceEvents, MediaServiceRequests } from './mediaServices.js';

/**
 * Room control (the SignalWire-style RoomSession API) on the wire: entities, request methods
 * ("room.<method>") and room events. Entities are snake_case as SignalWire's wire format and
 * getMembers() show them; the SDKs hand events to apps in camelCase (see toCamelMember).
 */

const id = z.string().min(1).max(128);
const meta = z.record(z.string().max(256), z.unknown());
/** 0..100, SignalWire's default 30. */
export const DEFAULT_INPUT_SENSITIVITY = 30;

export const MemberType = z.enum(['member', 'audience', 'screen']);
export type MemberType = z.infer<typeof MemberType>;
export const MediaAllowed = z.enum(['all', 'audio-only', 'video-only']);
export type MediaAllowed = z.infer<typeof MediaAllowed>;

/** A layout position: auto, reserved-N, standard-N, off-canvas (and "self" as a key, see VideoPositions). */
export const VideoPosition = z.string().regex(/^(auto|off-canvas|reserved-\d{1,3}|standard-\d{1,3})$/, 'must be auto, off-canvas, reserved-N or standard-N');
export type VideoPosition = z.infer<typeof VideoPosition>;
/** Member id (or "self") -> position. */
export const VideoPositions = z.record(z.string().min(1).max(128), VideoPosition);
export type VideoPositions = z.infer<typeof VideoPositions>;

export const MemberEntity = z.object({
  id,
  room_id: id,
  room_session_id: id,
  name: z.string(),
  type: MemberType,
  /** For a screen-share member: the member sharing. */
  parent_id: z.string().optional(),
  visible: z.boolean(),
  audio_muted: z.boolean(),
  video_muted: z.boolean(),
  deaf: z.boolean(),
  on_hold: z.boolean(),
  input_volume: z.number(),
  output_volume: z.number(),
  input_sensitivity: z.number(),
  handraised: z.boolean(),
  talking: z.boolean(),
  meta,
  requested_position: z.string(),
  current_position: z.string(),
  media_allowed: MediaAllowed,
});
export type MemberEntity = z.infer<typeof MemberEntity>;

export const RoomSessionEntity = z.object({
  id,
  room_id: id,
  name: z.string(),
  display_name: z.string(),
  meta,
  layout_name: z.string(),
  hide_video_muted: z.boolean(),
  locked: z.boolean(),
  /** A recording is running (or paused). */
  recording: z.boolean(),
  /** An RTMP stream is running. */
  streaming: z.boolean(),
  prioritize_handraise: z.boolean(),
  /** A JPEG of the room's current picture, refreshed every few seconds; null when previews are off. */
  preview_url: z.string().nullable(),
});
export type RoomSessionEntity = z.infer<typeof RoomSessionEntity>;

/** One rectangle of the layout, in percent of the canvas. */
export const LayoutLayer = z.object({
  layer_index: z.number().int(),
  z_index: z.number().int(),
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
  /** The slot's name: reserved-N or standard-N. */
  position: z.string(),
  reservation: z.string().nullable(),
  visible: z.boolean(),
  member_id: z.string().nullable(),
});
export type LayoutLayer = z.infer<typeof LayoutLayer>;

export const LayoutEntity = z.object({ name: z.string(), room_session_id: id, room_id: id, layers: z.array(LayoutLayer) });
export type LayoutEntity = z.infer<typeof LayoutEntity>;

export const RoomFullState = RoomSessionEntity.extend({ members: z.array(MemberEntity), layout: LayoutEntity, audience_count: z.number().int() });
export type RoomFullState = z.infer<typeof RoomFullState>;

// ---- requests -------------------------------------------------------------------------------

/**
 * Every request may name the room session; a browser member's requests always act on its own
 * room, the server SDK (which sees every room) must name one.
 */
const base = z.object({ roomSessionId: id.optional() });
const target = base.extend({ memberId: id.optional() });
const empty = z.object({});
const volume = z.number().min(-50).max(50);
const metaResult = z.object({ meta });

export const RoomRequests = {
  'room.subscribe': { params: base, result: RoomFullState },
  'room.getMembers': { params: base, result: z.object({ members: z.array(MemberEntity) }) },
  'room.audioMute': { params: target, result: empty },
  'room.audioUnmute': { params: target, result: empty },
  'room.videoMute': { params: target, result: empty },
  'room.videoUnmute': { params: target, result: empty },
  'room.deaf': { params: target, result: empty },
  'room.undeaf': { params: target, result: empty },
  'room.setInputVolume': { params: target.extend({ volume }), result: empty },
  'room.setOutputVolume': { params: target.extend({ volume }), result: empty },
  'room.setInputSensitivity': { params: target.extend({ value: z.number().min(0).max(100) }), result: empty },
  'room.getMeta': { params: base, result: metaResult },
  'room.setMeta': { params: base.extend({ meta }), result: empty },
  'room.updateMeta': { params: base.extend({ meta }), result: empty },
  'room.deleteMeta': { params: base.extend({ keys: z.array(z.string().max(256)).max(256) }), result: empty },
  'room.getMemberMeta': { params: target, result: metaResult },
  'room.setMemberMeta': { params: target.extend({ meta }), result: empty },
  'room.updateMemberMeta': { params: target.extend({ meta }), result: empty },
  'room.deleteMemberMeta': { params: target.extend({ keys: z.array(z.string().max(256)).max(256) }), result: empty },
  'room.removeMember': { params: base.extend({ memberId: id }), result: empty },
  'room.removeAllMembers': { params: base, result: empty },
  'room.lock': { params: base, result: empty },
  'room.unlock': { params: base, result: empty },
  'room.promote': {
    params: base.extend({
      memberId: id,
      joinAudioMuted: z.boolean().optional(),
      joinVideoMuted: z.boolean().optional(),
      mediaAllowed: MediaAllowed.optional(),
      meta: meta.optional(),
      permissions: z.array(z.string().max(128)).max(128).optional(),
    }),
    result: empty,
  },
  'room.demote': { params: base.extend({ memberId: id, mediaAllowed: MediaAllowed.optional() }), result: empty },
  'room.setRaisedHand': { params: target.extend({ raised: z.boolean().optional() }), result: empty },
  'room.setPrioritizeHandraise': { params: base.extend({ value: z.boolean().optional() }), result: z.object({ value: z.boolean() }) },
  'room.setHideVideoMuted': { params: base.extend({ value: z.boolean() }), result: empty },
  'room.getLayouts': { params: base, result: z.object({ layouts: z.array(z.string()) }) },
  'room.setLayout': { params: base.extend({ name: z.string().min(1).max(64), positions: VideoPositions.optional() }), result: empty },
  'room.setMemberPosition': { params: target.extend({ position: VideoPosition }), result: empty },
  'room.setPositions': { params: base.extend({ positions: VideoPositions }), result: empty },
  ...MediaServiceRequests,
} as const;
export type RoomMethod = keyof typeof RoomRequests;
export type RoomParams<M extends RoomMethod> = z.infer<(typeof RoomRequests)[M]['params']>;
export type RoomResult<M extends RoomMethod> = z.infer<(typeof RoomRequests)[M]['result']>;
export const ROOM_METHODS = Object.keys(RoomRequests) as RoomMethod[];

// ---- events ---------------------------------------------------------------------------------

const where = { room_session_id: id, room_id: id };
export const RoomEvents = {
  'room.started': z.object({ room_session: RoomSessionEntity }),
  'room.updated': z.object({ room_session: RoomSessionEntity, updated: z.array(z.string()) }),
  'room.ended': z.object({ room_session: RoomSessionEntity }),
  'member.joined': z.object({ ...where, member: MemberEntity }),
  'member.left': z.object({ ...where, member: MemberEntity, reason: z.string() }),
  /** `updated` lists the changed fields in camelCase ("audioMuted"). */
  'member.updated': z.object({ ...where, member: MemberEntity, updated: z.array(z.string()) }),
  'member.talking': z.object({ ...where, member: MemberEntity }),
  'layout.changed': z.object({ ...where, layout: LayoutEntity }),
  'room.audience_count': z.object({ ...where, total: z.number().int() }),
  ...MediaServiceEvents,
} as const;
export type RoomEventName = keyof typeof RoomEvents;
export type RoomEventData<E extends RoomEventName> = z.infer<(typeof RoomEvents)[E]>;
export const ROOM_EVENT_NAMES = Object.keys(RoomEvents) as RoomEventName[];

// ---- helpers shared by both SDKs -----------------------------------------------------------

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** snake_case field -> camelCase field name used in `updated` and member.updated.<field>. */
export const camelField = camel;

type CamelKey<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelKey<T>>}` : S;
export type Camel<T> = { [K in keyof T as K extends string ? CamelKey<K> : K]: T[K] };
export type RoomMember = Camel<MemberEntity>;
export type RoomSessionInfo = Camel<RoomSessionEntity>;

/** A shallow snake_case -> camelCase copy (meta values are left as the app set them). */
export function toCamel<T extends object>(entity: T): Camel<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entity)) out[camel(k)] = v;
  return out as Camel<T>;
}

/** The layouts Parley renders; getLayouts returns them. */
export const LAYOUT_NAMES: readonly string[] = [
  'grid-responsive', 'highlight-1-responsive', '1x1', '2x1', '2x2', '3x3', '4x4', '5x5', '6x6', '7x7', '8x8', '9x9', '10x10', '5up',
];
