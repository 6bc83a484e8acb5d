import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Permission, Role } from '@parley/protocol';
import type { AttendeeRecord, MeetingRecord, MeetingStore } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meetings (
  meeting_id TEXT PRIMARY KEY,
  external_meeting_id TEXT,
  media_region TEXT NOT NULL,
  client_request_token TEXT UNIQUE,
  extras TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attendees (
  meeting_id TEXT NOT NULL REFERENCES meetings(meeting_id) ON DELETE CASCADE,
  attendee_id TEXT NOT NULL,
  external_user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  permissions TEXT NOT NULL,
  capabilities TEXT NOT NULL,
  join_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (meeting_id, attendee_id),
  UNIQUE (meeting_id, external_user_id)
);
`;

interface MeetingRow {
  meeting_id: string;
  external_meeting_id: string | null;
  media_region: string;
  client_request_token: string | null;
  extras: string;
  created_at: number;
}

interface AttendeeRow {
  meeting_id: string;
  attendee_id: string;
  external_user_id: string;
  name: string;
  role: string;
  permissions: string;
  capabilities: string;
  join_token: string;
  created_at: number;
}

/**
 * The embedded MeetingStore: one SQLite file (or ':memory:'). Synchronous by design: a request
 * handler's check-then-insert cannot interleave with another handler's.
 */
export class SqliteMeetingStore implements MeetingStore {
  readonly #db: Database.Database;
  readonly #stmts: ReturnType<typeof prepare>;

  constructor(path: string) {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    // WAL makes NORMAL safe against corruption; only the last commits may be lost on power cut.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#stmts = prepare(this.#db);
  }

  createMeeting(m: MeetingRecord): void {
    this.#stmts.insertMeeting.run({
      meeting_id: m.meetingId,
      external_meeting_id: m.externalMeetingId,
      media_region: m.mediaRegion,
      client_request_token: m.clientRequestToken,
      extras: JSON.stringify(m.extras),
      created_at: m.createdAt,
    });
  }

  getMeeting(meetingId: string): MeetingRecord | undefined {
    const row = this.#stmts.getMeeting.get(meetingId) as MeetingRow | undefined;
    return row && toMeeting(row);
  }

  findMeetingByClientRequestToken(token: string): MeetingRecord | undefined {
    const row = this.#stmts.getMeetingByToken.get(token) as MeetingRow | undefined;
    return row && toMeeting(row);
  }

  deleteMeeting(meetingId: string): boolean {
    // Attendees go with it through ON DELETE CASCADE.
    return this.#stmts.deleteMeeting.run(meetingId).changes > 0;
  }

  createAttendee(a: AttendeeRecord): void {
    this.#stmts.insertAttendee.run({
      meeting_id: a.meetingId,
      attendee_id: a.attendeeId,
      external_user_id: a.externalUserId,
      name: a.name,
      role: a.role,
      permissions: JSON.stringify(a.permissions),
      capabilities: JSON.stringify(a.capabilities),
      join_token: a.joinToken,
      created_at: a.createdAt,
    });
  }

  getAttendee(meetingId: string, attendeeId: string): AttendeeRecord | undefined {
    const row = this.#stmts.getAttendee.get(meetingId, attendeeId) as AttendeeRow | undefined;
    return row && toAttendee(row);
  }

  findAttendeeByExternalUserId(meetingId: string, externalUserId: string): AttendeeRecord | undefined {
    const row = this.#stmts.getAttendeeByExternal.get(meetingId, externalUserId) as AttendeeRow | undefined;
    return row && toAttendee(row);
  }

  /** Ordered by attendee id, so `after` (an attendee id) stays a valid cursor when rows are deleted. */
  listAttendees(meetingId: string, options: { limit?: number; after?: string } = {}): AttendeeRecord[] {
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means none
    const rows = (
      options.after === undefined
        ? this.#stmts.listAttendees.all(meetingId, limit)
        : this.#stmts.listAttendeesAfter.all(meetingId, options.after, limit)
    ) as AttendeeRow[];
    return rows.map(toAttendee);
  }

  deleteAttendee(meetingId: string, attendeeId: string): boolean {
    return this.#stmts.deleteAttendee.run(meetingId, attendeeId).changes > 0;
  }

  /** Safe to call more than once. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function prepare(db: Database.Database) {
  return {
    insertMeeting: db.prepare(
      `INSERT INTO meetings (meeting_id, external_meeting_id, media_region, client_request_token, extras, created_at)
       VALUES (@meeting_id, @external_meeting_id, @media_region, @client_request_token, @extras, @created_at)`,
    ),
    getMeeting: db.prepare('SELECT * FROM meetings WHERE meeting_id = ?'),
    getMeetingByToken: db.prepare('SELECT * FROM meetings WHERE client_request_token = ?'),
    deleteMeeting: db.prepare('DELETE FROM meetings WHERE meeting_id = ?'),
    insertAttendee: db.prepare(
      `INSERT INTO attendees (meeting_id, attendee_id, external_user_id, name, role, permissions, capabilities, join_token, created_at)
       VALUES (@meeting_id, @attendee_id, @external_user_id, @name, @role, @permissions, @capabilities, @join_token, @created_at)`,
    ),
    getAttendee: db.prepare('SELECT * FROM attendees WHERE meeting_id = ? AND attendee_id = ?'),
    getAttendeeByExternal: db.prepare('SELECT * FROM attendees WHERE meeting_id = ? AND external_user_id = ?'),
    listAttendees: db.prepare('SELECT * FROM attendees WHERE meeting_id = ? ORDER BY attendee_id LIMIT ?'),
    listAttendeesAfter: db.prepare(
      'SELECT * FROM attendees WHERE meeting_id = ? AND attendee_id > ? ORDER BY attendee_id LIMIT ?',
    ),
    deleteAttendee: db.prepare('DELETE FROM attendees WHERE meeting_id = ? AND attendee_id = ?'),
  };
}

function toMeeting(row: MeetingRow): MeetingRecord {
  const extras: unknown = JSON.parse(row.extras);
  return {
    meetingId: row.meeting_id,
    externalMeetingId: row.external_meeting_id,
    mediaRegion: row.media_region,
    clientRequestToken: row.client_request_token,
    extras: isPlainObject(extras) ? extras : {},
    createdAt: row.created_at,
  };
}

function toAttendee(row: AttendeeRow): AttendeeRecord {
  const permissions: unknown = JSON.parse(row.permissions);
  const caps: unknown = JSON.parse(row.capabilities);
  const capabilities = isPlainObject(caps) ? caps : {};
  return {
    meetingId: row.meeting_id,
    attendeeId: row.attendee_id,
    externalUserId: row.external_user_id,
    name: row.name,
    role: (row.role === 'audience' ? 'audience' : 'member') satisfies Role,
    // Written only by createAttendee from typed values.
    permissions: Array.isArray(permissions) ? (permissions.filter((p) => typeof p === 'string') as Permission[]) : [],
    capabilities: {
      Audio: String(capabilities.Audio ?? 'SendReceive'),
      Video: String(capabilities.Video ?? 'SendReceive'),
      Content: String(capabilities.Content ?? 'SendReceive'),
    },
    joinToken: row.join_token,
    createdAt: row.created_at,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
