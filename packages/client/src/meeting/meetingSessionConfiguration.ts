import { CONTENT_SUFFIX } from '@parley/protocol';
import { ParleyClientError } from '../errors.js';

/** Who this client joins as (Chime's MeetingSessionCredentials). */
export class MeetingSessionCredentials {
  attendeeId: string | null = null;
  externalUserId: string | null = null;
  joinToken: string | null = null;
}

/** Where this client connects (Chime's MeetingSessionURLs); Parley serves all from one server. */
export class MeetingSessionURLs {
  audioHostURL: string | null = null;
  audioFallbackURL: string | null = null;
  signalingURL: string | null = null;
  turnControlURL: string | null = null;
  eventIngestionURL: string | null = null;
}

type Fields = Record<string, unknown>;

/**
 * What a meeting session needs, built from the CreateMeeting and CreateAttendee (or
 * BatchCreateAttendee item) responses exactly as the app received them from its server:
 * `{ Meeting: {...} }` / `{ Attendee: {...} }`, the inner objects, or camelCase variants.
 */
export class MeetingSessionConfiguration {
  meetingId: string | null = null;
  externalMeetingId: string | null = null;
  credentials: MeetingSessionCredentials | null = null;
  urls: MeetingSessionURLs | null = null;
  /** Time allowed to connect the first time. */
  connectionTimeoutMs = 15_000;
  /** How long to keep reconnecting after the connection drops before giving up with a failure status. */
  reconnectTimeoutMs = 120_000;
  /** Pause between reconnect attempts (doubles up to 5 s). */
  reconnectFixedWaitMs = 250;

  constructor(createMeetingResponse?: unknown, createAttendeeResponse?: unknown) {
    if (createMeetingResponse) {
      const meeting = unwrap(createMeetingResponse, 'Meeting');
      this.meetingId = str(meeting, 'MeetingId');
      this.externalMeetingId = str(meeting, 'ExternalMeetingId');
      const placement = (pick(meeting, 'MediaPlacement') ?? {}) as Fields;
      this.urls = new MeetingSessionURLs();
      this.urls.audioHostURL = str(placement, 'AudioHostUrl');
      this.urls.audioFallbackURL = str(placement, 'AudioFallbackUrl');
      this.urls.signalingURL = str(placement, 'SignalingUrl');
      this.urls.turnControlURL = str(placement, 'TurnControlUrl');
      this.urls.eventIngestionURL = str(placement, 'EventIngestionUrl');
    }
    if (createAttendeeResponse) {
      const attendee = unwrap(createAttendeeResponse, 'Attendee');
      this.credentials = new MeetingSessionCredentials();
      this.credentials.attendeeId = str(attendee, 'AttendeeId');
      this.credentials.externalUserId = str(attendee, 'ExternalUserId');
      this.credentials.joinToken = str(attendee, 'JoinToken');
    }
  }

  /** The configuration the content-share attendee "<attendeeId>#content" joins with. */
  createContentShareMeetingSessionConfiguration(): MeetingSessionConfiguration {
    const copy = Object.assign(new MeetingSessionConfiguration(), this);
    if (this.credentials) {
      copy.credentials = Object.assign(new MeetingSessionCredentials(), this.credentials);
      copy.credentials.attendeeId = `${this.credentials.attendeeId}${CONTENT_SUFFIX}`;
    }
    return copy;
  }

  /** Signaling URL and join token, or a clear error naming what is missing. */
  connectionDetails(): { signalingUrl: string; token: string } {
    const signalingUrl = this.urls?.signalingURL;
    const token = this.credentials?.joinToken;
    if (!signalingUrl) throw new ParleyClientError('invalid_configuration', 'the meeting response has no MediaPlacement.SignalingUrl');
    if (!token) throw new ParleyClientError('invalid_configuration', 'the attendee response has no JoinToken');
    return { signalingUrl, token };
  }
}

/** `{ Meeting: {...} }` -> `{...}`; accepts `meeting` too, or the inner object itself. */
function unwrap(response: unknown, key: string): Fields {
  if (!response || typeof response !== 'object') throw new ParleyClientError('invalid_configuration', `expected a ${key} response object`);
  const inner = pick(response as Fields, key);
  return (inner && typeof inner === 'object' ? inner : response) as Fields;
}

function pick(obj: Fields, key: string): unknown {
  return obj[key] ?? obj[key[0]!.toLowerCase() + key.slice(1)];
}

function str(obj: Fields, key: string): string | null {
  const v = pick(obj, key);
  return typeof v === 'string' ? v : null;
}
