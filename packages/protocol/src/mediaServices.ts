import { z } from 'zod';

/**
 * Media services on the wire (SignalWire's RoomSessionRecording, RoomSessionStream and
 * RoomSessionPlayback): entities in snake_case with UNIX-second times, as SignalWire sends them.
 * See ../shared/spec/signalwire-media-services.md.
 */

const id = z.string().min(1).max(128);
const unixSeconds = z.number();

export const RecordingState = z.enum(['recording', 'paused', 'completed']);
export type RecordingState = z.infer<typeof RecordingState>;

export const RecordingEntity = z.object({
  id,
  room_id: id,
  room_session_id: id,
  state: RecordingState,
  /** Seconds recorded (paused time left out); null until known. */
  duration: z.number().nullable(),
  started_at: unixSeconds,
  ended_at: unixSeconds.nullable(),
  /** "composite": the room's picture and mix in one file; "tracks": each member's tracks as sent. */
  mode: z.enum(['composite', 'tracks']),
  format: z.string(),
  /** Why a recording ended other than by stop() (the media engine failed, the room ended...). */
  reason: z.string().optional(),
  size_in_bytes: z.number().int().nullable(),
});
export type RecordingEntity = z.infer<typeof RecordingEntity>;

export const StreamState = z.enum(['streaming', 'completed']);
export const StreamEntity = z.object({
  id,
  room_id: id,
  room_session_id: id,
  state: StreamState,
  url: z.string(),
  duration: z.number().nullable(),
  started_at: unixSeconds,
  ended_at: unixSeconds.nullable(),
  /** Why it ended: "stopped", or what the RTMP server or the network did. */
  reason: z.string().optional(),
});
export type StreamEntity = z.infer<typeof StreamEntity>;

export const PlaybackState = z.enum(['playing', 'paused', 'completed']);
export const PlaybackEntity = z.object({
  id,
  room_id: id,
  room_session_id: id,
  url: z.string(),
  state: PlaybackState,
  /** Current position in ms. */
  position: z.number(),
  /** False for live sources (RTMP, live HTTP streams). */
  seekable: z.boolean(),
  volume: z.number(),
  started_at: unixSeconds,
  ended_at: unixSeconds.nullable(),
  reason: z.string().optional(),
});
export type PlaybackEntity = z.infer<typeof PlaybackEntity>;

const base = z.object({ roomSessionId: id.optional() });
const empty = z.object({});
/** rtmp(s) only; the server checks reachability itself. */
const rtmpUrl = z.string().max(2048).regex(/^rtmps?:\/\/[^\s/]+(\/\S*)?$/i, 'must be an rtmp:// or rtmps:// URL');
const mediaUrl = z.string().min(1).max(2048);
const volume = z.number().min(-50).max(50);
const positions = z.record(z.string().min(1).max(128), z.string().regex(/^(auto|off-canvas|reserved-\d{1,3}|standard-\d{1,3})$/));

export const MediaServiceRequests = {
  'room.startRecording': {
    params: base.extend({ mode: z.enum(['composite', 'tracks']).optional(), format: z.enum(['mp4', 'mkv', 'webm']).optional() }),
    result: z.object({ recording: RecordingEntity }),
  },
  'room.getRecordings': { params: base, result: z.object({ recordings: z.array(RecordingEntity) }) },
  'room.recording.pause': { params: base.extend({ recordingId: id }), result: empty },
  'room.recording.resume': { params: base.extend({ recordingId: id }), result: empty },
  'room.recording.stop': { params: base.extend({ recordingId: id }), result: empty },
  'room.startStream': { params: base.extend({ url: rtmpUrl }), result: z.object({ stream: StreamEntity }) },
  'room.getStreams': { params: base, result: z.object({ streams: z.array(StreamEntity) }) },
  'room.stream.stop': { params: base.extend({ streamId: id }), result: empty },
  'room.play': {
    params: base.extend({
      url: mediaUrl,
      seekPosition: z.number().min(0).optional(),
      /** @deprecated SignalWire's older name of seekPosition. */
      currentTimecode: z.number().min(0).optional(),
      positions: positions.optional(),
      layout: z.string().min(1).max(64).optional(),
      volume: volume.optional(),
    }),
    result: z.object({ playback: PlaybackEntity }),
  },
  'room.getPlaybacks': { params: base, result: z.object({ playbacks: z.array(PlaybackEntity) }) },
  'room.playback.pause': { params: base.extend({ playbackId: id }), result: empty },
  'room.playback.resume': { params: base.extend({ playbackId: id }), result: empty },
  'room.playback.stop': { params: base.extend({ playbackId: id }), result: empty },
  'room.playback.setVolume': { params: base.extend({ playbackId: id, volume }), result: empty },
  /** Absolute (position) or relative (delta, + forward / - rewind) seek, in ms. */
  'room.playback.seek': { params: base.extend({ playbackId: id, position: z.number().min(0).optional(), delta: z.number().optional() }), result: z.object({ position: z.number() }) },
} as const;

const where = { room_session_id: id, room_id: id };
export const MediaServiceEvents = {
  'recording.started': z.object({ ...where, recording: RecordingEntity }),
  'recording.updated': z.object({ ...where, recording: RecordingEntity }),
  'recording.ended': z.object({ ...where, recording: RecordingEntity }),
  'stream.started': z.object({ ...where, stream: StreamEntity }),
  'stream.ended': z.object({ ...where, stream: StreamEntity }),
  'playback.started': z.object({ ...where, playback: PlaybackEntity }),
  'playback.updated': z.object({ ...where, playback: PlaybackEntity }),
  'playback.ended': z.object({ ...where, playback: PlaybackEntity }),
} as const;

/** Attendee ids of playbacks in a room: they send media like a member but are not members. */
export const PLAYBACK_ID_PREFIX = 'playback-';
export const isPlaybackId = (attendeeId: string): boolean => attendeeId.startsWith(PLAYBACK_ID_PREFIX);

/** A recording as the REST API lists it (SignalWire's REST row, plus Parley's mode and files). */
export interface RecordingRow {
  id: string;
  room_session_id: string;
  room_id: string;
  status: 'recording' | 'paused' | 'completed';
  mode: 'composite' | 'tracks';
  started_at: string;
  finished_at: string | null;
  duration: number | null;
  size_in_bytes: number | null;
  format: string;
  reason: string | null;
  /** Download URL of the (first) file. */
  uri: string;
  /** Every file: one for a composite, one per track in tracks mode. */
  files: Array<{ index: number; name: string; uri: string }>;
}
