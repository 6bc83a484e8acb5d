import type { Permission, Role } from '@parley/protocol';

/** A meeting as the REST API created it (persisted; outlives the live session). */
export interface MeetingRecord {
  meetingId: string;
  externalMeetingId: string | null;
  mediaRegion: string;
  clientRequestToken: string | null;
  /** Chime's MeetingFeatures / TenantIds etc. kept as given, echoed back. */
  extras: Record<string, unknown>;
  createdAt: number;
}

export interface AttendeeRecord {
  meetingId: string;
  attendeeId: string;
  externalUserId: string;
  /** Display name (Parley extension; defaults to ExternalUserId). */
  name: string;
  role: Role;
  permissions: Permission[];
  /** Chime's Capabilities: { Audio, Video, Content } each 'SendReceive' | 'Send' | 'Receive' | 'None'. */
  capabilities: { Audio: string; Video: string; Content: string };
  joinToken: string;
  createdAt: number;
}

/** Persistence for meetings and attendees. Synchronous: the embedded store is SQLite. */
export interface MeetingStore {
  createMeeting(meeting: MeetingRecord): void;
  getMeeting(meetingId: string): MeetingRecord | undefined;
  findMeetingByClientRequestToken(token: string): MeetingRecord | undefined;
  /** Deletes the meeting and its attendees; returns false when there was none. */
  deleteMeeting(meetingId: string): boolean;
  createAttendee(attendee: AttendeeRecord): void;
  getAttendee(meetingId: string, attendeeId: string): AttendeeRecord | undefined;
  findAttendeeByExternalUserId(meetingId: string, externalUserId: string): AttendeeRecord | undefined;
  listAttendees(meetingId: string, options?: { limit?: number; after?: string }): AttendeeRecord[];
  deleteAttendee(meetingId: string, attendeeId: string): boolean;
  close(): void;
}

/**
 * What the REST layer may do to live sessions; implemented by the rooms layer.
 * Both are no-ops when nobody is connected.
 */
export interface LiveMeetings {
  /** Stops every attendee of the meeting with status AudioCallEnded. */
  endMeeting(meetingId: string): void;
  /** Removes one joined attendee (and its content share) from the live session. */
  removeAttendee(meetingId: string, attendeeId: string): void;
}

/** A recording's row: what REST lists and downloads after the room session is gone. */
export interface RecordingRecord {
  id: string;
  roomSessionId: string;
  /** The room (meeting) id. */
  roomId: string;
  mode: 'composite' | 'tracks';
  /** MIME type of the file(s), e.g. video/mp4. */
  format: string;
  state: 'recording' | 'paused' | 'completed';
  startedAt: number;
  endedAt: number | null;
  /** Seconds recorded, paused time left out. */
  duration: number | null;
  sizeInBytes: number | null;
  /** The files, absolute paths (one for a composite; one per member track set in tracks mode). */
  files: string[];
  reason: string | null;
}

/** Persistence for recordings (the embedded default shares the SQLite file with meetings). */
export interface RecordingStore {
  putRecording(recording: RecordingRecord): void;
  getRecording(id: string): RecordingRecord | undefined;
  listRecordings(filter: { roomSessionId?: string; roomId?: string }): RecordingRecord[];
  deleteRecording(id: string): boolean;
  close(): void;
}
