import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { RecordingRow, RoomFullState } from '@parley/protocol';
import { ParleySdkError } from '../errors.js';

export interface RestClientOptions {
  /** The server's base URL, e.g. http://localhost:8080 */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
}

/** Chime's shapes (PascalCase), as the meetings API answers. */
export interface Meeting {
  MeetingId: string;
  ExternalMeetingId?: string;
  MediaRegion: string;
  MediaPlacement: { SignalingUrl: string; [key: string]: string };
  [key: string]: unknown;
}
export interface Attendee {
  AttendeeId: string;
  ExternalUserId: string;
  JoinToken: string;
  [key: string]: unknown;
}
export interface Room {
  id: string;
  name: string;
  display_name: string;
  layout: string;
  hide_video_muted: boolean;
  meta: Record<string, unknown>;
  created_at: string;
  room_session_id: string | null;
}
export interface RoomToken {
  token: string;
  member_id: string;
  room_id: string;
  room_name: string;
  signaling_url: string;
}
export interface CreateRoomTokenParams {
  room_name: string;
  user_name: string;
  permissions?: string[];
  join_as?: 'member' | 'audience';
  media_allowed?: 'all' | 'audio-only' | 'video-only';
  meta?: Record<string, unknown>;
  auto_create_room?: boolean;
}

/**
 * Parley's REST API for a backend: the Chime-compatible meetings/attendees API and the native
 * rooms, room tokens and project tokens API. Authenticates with Basic apiKey:apiSecret.
 */
export class RestClient {
  readonly #base: string;
  readonly #auth: string;

  readonly meetings = {
    create: (params: { ClientRequestToken?: string; ExternalMeetingId?: string; MediaRegion?: string; [key: string]: unknown } = {}) =>
      this.#call<{ Meeting: Meeting }>('POST', '/meetings', params).then((r) => r.Meeting),
    get: (meetingId: string) => this.#call<{ Meeting: Meeting }>('GET', `/meetings/${enc(meetingId)}`).then((r) => r.Meeting),
    delete: (meetingId: string) => this.#call<void>('DELETE', `/meetings/${enc(meetingId)}`),
  };

  readonly attendees = {
    create: (meetingId: string, params: { ExternalUserId: string; Name?: string; [key: string]: unknown }) =>
      this.#call<{ Attendee: Attendee }>('POST', `/meetings/${enc(meetingId)}/attendees`, params).then((r) => r.Attendee),
    list: (meetingId: string) => this.#call<{ Attendees: Attendee[] }>('GET', `/meetings/${enc(meetingId)}/attendees`).then((r) => r.Attendees),
    get: (meetingId: string, attendeeId: string) =>
      this.#call<{ Attendee: Attendee }>('GET', `/meetings/${enc(meetingId)}/attendees/${enc(attendeeId)}`).then((r) => r.Attendee),
    delete: (meetingId: string, attendeeId: string) => this.#call<void>('DELETE', `/meetings/${enc(meetingId)}/attendees/${enc(attendeeId)}`),
  };

  readonly rooms = {
    create: (params: { name: string; display_name?: string; layout?: string; hide_video_muted?: boolean; meta?: Record<string, unknown> }) =>
      this.#call<Room>('POST', '/api/rooms', params),
    get: (nameOrId: string) => this.#call<Room>('GET', `/api/rooms/${enc(nameOrId)}`),
    delete: (nameOrId: string) => this.#call<void>('DELETE', `/api/rooms/${enc(nameOrId)}`),
  };

  readonly roomSessions = {
    /** The live room sessions, with their full state. */
    list: () => this.#call<{ data: RoomFullState[] }>('GET', '/api/room_sessions').then((r) => r.data),
  };

  readonly roomTokens = {
    create: (params: CreateRoomTokenParams) => this.#call<RoomToken>('POST', '/api/room_tokens', params),
  };

  /** Recordings (stored after their room session ended too). */
  readonly recordings = {
    list: (filter: { roomSessionId?: string; roomId?: string } = {}) =>
      this.#call<{ data: RecordingRow[] }>('GET', filter.roomSessionId ? `/api/room_sessions/${enc(filter.roomSessionId)}/recordings` : `/api/recordings${filter.roomId ? `?room_id=${enc(filter.roomId)}` : ''}`).then((r) => r.data),
    get: (id: string) => this.#call<RecordingRow>('GET', `/api/recordings/${enc(id)}`),
    /** The file as a stream (`file`: which one, in tracks mode). */
    download: async (id: string, options: { file?: number } = {}): Promise<Readable> => {
      const res = await this.#fetch('GET', `/api/recordings/${enc(id)}/download${options.file !== undefined ? `?file=${options.file}` : ''}`);
      if (!res.ok || !res.body) throw await errorOf(res);
      return Readable.fromWeb(res.body as ReadableStream);
    },
    delete: (id: string) => this.#call<void>('DELETE', `/api/recordings/${enc(id)}`),
  };

  /** Scoped credentials for Video.Client: only the listed permissions. */
  readonly projectTokens = {
    create: (params: { permissions: string[]; ttl_seconds?: number }) => this.#call<{ token: string; permissions: string[] }>('POST', '/api/project_tokens', params),
  };

  constructor(options: RestClientOptions) {
    this.#base = options.baseUrl.replace(/\/$/, '');
    this.#auth = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`).toString('base64')}`;
  }

  async #fetch(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.#base}${path}`, {
        method,
        headers: { authorization: this.#auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new ParleySdkError('unreachable', `cannot reach ${this.#base}`, { cause: err });
    }
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(method, path, body);
    if (!res.ok) throw await errorOf(res);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** The server's error body (native `{ error }` or Chime's `{ Code, Message }`) as a ParleySdkError. */
async function errorOf(res: Response): Promise<ParleySdkError> {
  const text = await res.text().catch(() => '');
  let e: { error?: { code: string; message: string }; Code?: string; Message?: string } | undefined;
  try {
    e = text ? JSON.parse(text) : undefined;
  } catch {
    e = undefined;
  }
  return new ParleySdkError(e?.error?.code ?? e?.Code ?? 'http_error', e?.error?.message ?? e?.Message ?? `HTTP ${res.status}`, { status: res.status });
}

const enc = encodeURIComponent;
