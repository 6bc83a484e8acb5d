import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RecordingRecord, RecordingStore } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS recordings (
  id TEXT PRIMARY KEY,
  room_session_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  format TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  duration REAL,
  size_in_bytes INTEGER,
  files TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX IF NOT EXISTS recordings_by_session ON recordings (room_session_id, started_at);
CREATE INDEX IF NOT EXISTS recordings_by_room ON recordings (room_id, started_at);
`;

interface Row {
  id: string;
  room_session_id: string;
  room_id: string;
  mode: string;
  format: string;
  state: string;
  started_at: number;
  ended_at: number | null;
  duration: number | null;
  size_in_bytes: number | null;
  files: string;
  reason: string | null;
}

/** Recordings in SQLite (the meetings' file: its own connection, WAL lets both write). */
export class SqliteRecordingStore implements RecordingStore {
  readonly #db: Database.Database;
  readonly #put: Database.Statement;
  readonly #get: Database.Statement;
  readonly #bySession: Database.Statement;
  readonly #byRoom: Database.Statement;
  readonly #all: Database.Statement;
  readonly #delete: Database.Statement;

  constructor(path: string) {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#put = this.#db.prepare(
      `INSERT OR REPLACE INTO recordings (id, room_session_id, room_id, mode, format, state, started_at, ended_at, duration, size_in_bytes, files, reason)
       VALUES (@id, @room_session_id, @room_id, @mode, @format, @state, @started_at, @ended_at, @duration, @size_in_bytes, @files, @reason)`,
    );
    this.#get = this.#db.prepare('SELECT * FROM recordings WHERE id = ?');
    this.#bySession = this.#db.prepare('SELECT * FROM recordings WHERE room_session_id = ? ORDER BY started_at');
    this.#byRoom = this.#db.prepare('SELECT * FROM recordings WHERE room_id = ? ORDER BY started_at');
    this.#all = this.#db.prepare('SELECT * FROM recordings ORDER BY started_at');
    this.#delete = this.#db.prepare('DELETE FROM recordings WHERE id = ?');
  }

  putRecording(r: RecordingRecord): void {
    this.#put.run({
      id: r.id, room_session_id: r.roomSessionId, room_id: r.roomId, mode: r.mode, format: r.format, state: r.state,
      started_at: r.startedAt, ended_at: r.endedAt, duration: r.duration, size_in_bytes: r.sizeInBytes,
      files: JSON.stringify(r.files), reason: r.reason,
    });
  }

  getRecording(id: string): RecordingRecord | undefined {
    const row = this.#get.get(id) as Row | undefined;
    return row && toRecord(row);
  }

  listRecordings(filter: { roomSessionId?: string; roomId?: string }): RecordingRecord[] {
    const rows = (filter.roomSessionId ? this.#bySession.all(filter.roomSessionId) : filter.roomId ? this.#byRoom.all(filter.roomId) : this.#all.all()) as Row[];
    return rows.map(toRecord);
  }

  deleteRecording(id: string): boolean {
    return this.#delete.run(id).changes > 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function toRecord(row: Row): RecordingRecord {
  const files: unknown = JSON.parse(row.files);
  return {
    id: row.id, roomSessionId: row.room_session_id, roomId: row.room_id,
    mode: row.mode === 'tracks' ? 'tracks' : 'composite', format: row.format,
    state: row.state === 'recording' || row.state === 'paused' ? row.state : 'completed',
    startedAt: row.started_at, endedAt: row.ended_at, duration: row.duration, sizeInBytes: row.size_in_bytes,
    files: Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [], reason: row.reason,
  };
}
