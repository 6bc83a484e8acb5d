import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SELF_PERMISSIONS } from '@parley/protocol';
import { SqliteMeetingStore } from './sqliteMeetingStore.js';
import type { AttendeeRecord, MeetingRecord } from './types.js';

function meeting(id: string, overrides: Partial<MeetingRecord> = {}): MeetingRecord {
  return {
    meetingId: id,
    externalMeetingId: `ext-${id}`,
    mediaRegion: 'local',
    clientRequestToken: `tok-${id}`,
    extras: { MeetingFeatures: { Audio: { EchoReduction: 'AVAILABLE' } }, TenantIds: ['t1'] },
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

function attendee(meetingId: string, attendeeId: string, externalUserId = `user-${attendeeId}`): AttendeeRecord {
  return {
    meetingId,
    attendeeId,
    externalUserId,
    name: `Name ${attendeeId}`,
    role: 'member',
    permissions: [...SELF_PERMISSIONS],
    capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'None' },
    joinToken: `jwt-${attendeeId}`,
    createdAt: 1_700_000_000_001,
  };
}

describe('SqliteMeetingStore', () => {
  let store: SqliteMeetingStore;
  beforeEach(() => {
    store = new SqliteMeetingStore(':memory:');
  });
  afterEach(() => store.close());

  it('round-trips a meeting with its extras', () => {
    store.createMeeting(meeting('m1'));
    expect(store.getMeeting('m1')).toEqual(meeting('m1'));
    expect(store.getMeeting('nope')).toBeUndefined();
  });

  it('keeps null external id and request token', () => {
    store.createMeeting(meeting('m1', { externalMeetingId: null, clientRequestToken: null }));
    store.createMeeting(meeting('m2', { externalMeetingId: null, clientRequestToken: null }));
    expect(store.getMeeting('m1')?.externalMeetingId).toBeNull();
    expect(store.getMeeting('m2')?.clientRequestToken).toBeNull();
  });

  it('finds a meeting by client request token and refuses a second meeting with the same token', () => {
    store.createMeeting(meeting('m1'));
    expect(store.findMeetingByClientRequestToken('tok-m1')?.meetingId).toBe('m1');
    expect(store.findMeetingByClientRequestToken('tok-x')).toBeUndefined();
    expect(() => store.createMeeting(meeting('m2', { clientRequestToken: 'tok-m1' }))).toThrow(/UNIQUE/);
  });

  it('round-trips attendees and finds them by external user id', () => {
    store.createMeeting(meeting('m1'));
    store.createAttendee(attendee('m1', 'a1', 'alice'));
    expect(store.getAttendee('m1', 'a1')).toEqual(attendee('m1', 'a1', 'alice'));
    expect(store.findAttendeeByExternalUserId('m1', 'alice')?.attendeeId).toBe('a1');
    expect(store.findAttendeeByExternalUserId('m1', 'bob')).toBeUndefined();
    expect(store.getAttendee('m2', 'a1')).toBeUndefined();
  });

  it('refuses an attendee for a meeting that does not exist, and a duplicate external user id', () => {
    expect(() => store.createAttendee(attendee('ghost', 'a1'))).toThrow(/FOREIGN KEY/);
    store.createMeeting(meeting('m1'));
    store.createAttendee(attendee('m1', 'a1', 'alice'));
    expect(() => store.createAttendee(attendee('m1', 'a2', 'alice'))).toThrow(/UNIQUE/);
  });

  it('scopes external user ids to their meeting', () => {
    store.createMeeting(meeting('m1'));
    store.createMeeting(meeting('m2'));
    store.createAttendee(attendee('m1', 'a1', 'alice'));
    store.createAttendee(attendee('m2', 'a2', 'alice'));
    expect(store.findAttendeeByExternalUserId('m2', 'alice')?.attendeeId).toBe('a2');
    expect(store.listAttendees('m1').map((a) => a.attendeeId)).toEqual(['a1']);
  });

  it('pages through attendees with limit and after', () => {
    store.createMeeting(meeting('m1'));
    for (const id of ['c', 'a', 'e', 'b', 'd']) store.createAttendee(attendee('m1', id));
    expect(store.listAttendees('m1').map((a) => a.attendeeId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(store.listAttendees('m1', { limit: 2 }).map((a) => a.attendeeId)).toEqual(['a', 'b']);
    expect(store.listAttendees('m1', { limit: 2, after: 'b' }).map((a) => a.attendeeId)).toEqual(['c', 'd']);
    // The cursor stays valid when the attendee it names is gone.
    store.deleteAttendee('m1', 'd');
    expect(store.listAttendees('m1', { limit: 2, after: 'd' }).map((a) => a.attendeeId)).toEqual(['e']);
    expect(store.listAttendees('m1', { after: 'e' })).toEqual([]);
  });

  it('deletes attendees and reports whether there was one', () => {
    store.createMeeting(meeting('m1'));
    store.createAttendee(attendee('m1', 'a1'));
    expect(store.deleteAttendee('m1', 'a1')).toBe(true);
    expect(store.deleteAttendee('m1', 'a1')).toBe(false);
    expect(store.getAttendee('m1', 'a1')).toBeUndefined();
  });

  it('deletes a meeting with its attendees and frees its request token', () => {
    store.createMeeting(meeting('m1'));
    store.createAttendee(attendee('m1', 'a1', 'alice'));
    expect(store.deleteMeeting('m1')).toBe(true);
    expect(store.deleteMeeting('m1')).toBe(false);
    expect(store.getMeeting('m1')).toBeUndefined();
    expect(store.getAttendee('m1', 'a1')).toBeUndefined();
    expect(store.listAttendees('m1')).toEqual([]);
    store.createMeeting(meeting('m3', { clientRequestToken: 'tok-m1' }));
    expect(store.findMeetingByClientRequestToken('tok-m1')?.meetingId).toBe('m3');
  });

  it('close is safe to repeat', () => {
    store.close();
    expect(() => store.close()).not.toThrow();
  });
});

describe('SqliteMeetingStore on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its folder, uses WAL and keeps data across reopen', () => {
    const path = join(dir, 'nested', 'deeper', 'parley.db');
    const first = new SqliteMeetingStore(path);
    first.createMeeting(meeting('m1'));
    first.createAttendee(attendee('m1', 'a1'));
    expect(existsSync(`${path}-wal`)).toBe(true);
    first.close();
    const second = new SqliteMeetingStore(path);
    expect(second.getMeeting('m1')).toEqual(meeting('m1'));
    expect(second.getAttendee('m1', 'a1')?.joinToken).toBe('jwt-a1');
    second.close();
  });
});
