import type { RoomFullState } from '@parley/protocol';
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

  /** Scoped credentials for Video.Client: only the listed permissions. */
  readonly projectTokens = {
    create: (params: { permissions: string[]; ttl_seconds?: number }) => this.#call<{ token: string; permissions: string[] }>('POST', '/api/project_tokens', params),
  };

  constructor(options: RestClientOptions) {
    this.#base = options.baseUrl.replace(/\/$/, '');
    this.#auth = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`).toString('base64')}`;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers: { authorization: this.#auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new ParleySdkError('unreachable', `cannot reach ${this.#base}`, { cause: err });
    }
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const e = json as { error?: { code: string; message: string }; Code?: string; Message?: string } | undefined;
      throw new ParleySdkError(e?.error?.code ?? e?.Code ?? 'http_error', e?.error?.message ?? e?.Message ?? `HTTP ${res.status}`, { status: res.status });
    }
    return json as T;
  }
}

const enc = encodeURIComponent;
