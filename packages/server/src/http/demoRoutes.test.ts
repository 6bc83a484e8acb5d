import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { JoinTokens } from '../auth/joinTokens.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logger.js';
import { SqliteMeetingStore } from '../store/sqliteMeetingStore.js';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { LiveMeetings, RecordingRecord } from '../store/types.js';
import { registerDemoRoutes, type DemoMediaDeps, type DemoRoomControl } from './demoRoutes.js';
import { createHttpApp } from './httpApp.js';

const noLive: LiveMeetings = { endMeeting: () => undefined, removeAttendee: () => undefined };

/** A stand-in for the live rooms: records the calls; 'refuse' makes startStream fail as an RTMP refusal does. */
const calls: Array<{ meetingId: string; method: string; params: unknown }> = [];
const liveMeetings = new Set<string>();
const recordings = new Map<string, RecordingRecord>();
const fakeMedia: DemoMediaDeps = {
  controlOf: (meetingId) => {
    if (!liveMeetings.has(meetingId)) return undefined;
    const control = {
      execute: async (_caller: unknown, method: string, params: Record<string, unknown>) => {
        calls.push({ meetingId, method, params });
        if (method === 'room.startStream' && String(params.url).includes('refuse')) throw new ParleyError(ErrorCode.MediaError, 'the RTMP server closed the connection');
        return method === 'room.startRecording' ? { recording: { id: 'rec-1', state: 'recording' } } : {};
      },
    };
    return control as unknown as DemoRoomControl;
  },
  recordings: {
    getRecording: (id) => recordings.get(id),
    listRecordings: ({ roomId }) => [...recordings.values()].filter((r) => r.roomId === roomId),
  },
};

describe('POST /demo/join', () => {
  let app: FastifyInstance;
  let store: SqliteMeetingStore;
  let tokens: JoinTokens;

  beforeAll(async () => {
    const config = loadConfig({ apiKey: 'demo-key', apiSecret: 'demo-secret-0123456789', mediaRegion: 'parley-local', logLevel: 'silent' }, {});
    store = new SqliteMeetingStore(':memory:');
    tokens = new JoinTokens(config.tokenSecret, config.tokenTtlSeconds);
    app = await createHttpApp({ config, store, live: noLive, tokens, logger: createLogger('silent') });
    registerDemoRoutes(app, config, fakeMedia);
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    store.close();
  });

  const join = (body: unknown) => app.inject({ method: 'POST', url: '/demo/join', headers: { host: 'meet.example:8443' }, payload: body as Record<string, unknown> });

  it('answers with the CreateMeeting and CreateAttendee responses, Chime-shaped', async () => {
    const res = await join({ meeting: 'design-review', name: 'Ana Lima' });
    expect(res.statusCode).toBe(200);
    const { JoinInfo } = res.json<{ JoinInfo: { Meeting: { Meeting: Record<string, unknown> }; Attendee: { Attendee: Record<string, unknown> } } }>();
    const meeting = JoinInfo.Meeting.Meeting;
    const attendee = JoinInfo.Attendee.Attendee;
    expect(meeting).toMatchObject({ ExternalMeetingId: 'design-review', MediaRegion: 'parley-local' });
    expect((meeting.MediaPlacement as Record<string, string>).SignalingUrl).toMatch(/^ws:\/\/meet\.example:8443\//);
    expect(attendee.ExternalUserId).toMatch(/^[a-z0-9]{8}#Ana Lima$/);
    // The join token is a real one for this meeting and attendee.
    const claims = await tokens.verify(attendee.JoinToken as string);
    expect(claims).toMatchObject({ meetingId: meeting.MeetingId, attendeeId: attendee.AttendeeId, name: 'Ana Lima' });
  });

  it('reuses the meeting for the same name and gives each join its own attendee', async () => {
    const a = (await join({ meeting: 'standup', name: 'Ben' })).json<{ JoinInfo: { Meeting: { Meeting: { MeetingId: string } }; Attendee: { Attendee: { AttendeeId: string } } } }>();
    const b = (await join({ meeting: 'standup', name: 'Ben' })).json<{ JoinInfo: { Meeting: { Meeting: { MeetingId: string } }; Attendee: { Attendee: { AttendeeId: string } } } }>();
    expect(b.JoinInfo.Meeting.Meeting.MeetingId).toBe(a.JoinInfo.Meeting.Meeting.MeetingId);
    expect(b.JoinInfo.Attendee.Attendee.AttendeeId).not.toBe(a.JoinInfo.Attendee.Attendee.AttendeeId);
  });

  it('keeps long names within ExternalUserId limits', async () => {
    const res = await join({ meeting: 'long-names', name: 'N'.repeat(64) });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ JoinInfo: { Attendee: { Attendee: { ExternalUserId: string } } } }>().JoinInfo.Attendee.Attendee.ExternalUserId.length).toBeLessThanOrEqual(64);
  });

  it('rejects a bad body with a clear message', async () => {
    const res = await join({ meeting: 'x', name: '' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ Code: 'BadRequest' });
  });
});

describe('demo hosts: recording and streaming routes', () => {
  let app: FastifyInstance;
  let store: SqliteMeetingStore;

  beforeAll(async () => {
    const config = loadConfig({ apiKey: 'demo-key', apiSecret: 'demo-secret-0123456789', mediaRegion: 'parley-local', logLevel: 'silent' }, {});
    store = new SqliteMeetingStore(':memory:');
    app = await createHttpApp({ config, store, live: noLive, tokens: new JoinTokens(config.tokenSecret, config.tokenTtlSeconds), logger: createLogger('silent') });
    registerDemoRoutes(app, config, fakeMedia);
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    store.close();
  });

  type Info = { JoinInfo: { Meeting: { Meeting: { MeetingId: string } }; Host?: { Key: string } } };
  const join = async (meeting: string, hostKey?: string) =>
    (await app.inject({ method: 'POST', url: '/demo/join', payload: { meeting, name: 'Someone', ...(hostKey ? { hostKey } : {}) } })).json<Info>().JoinInfo;
  const call = (method: 'GET' | 'POST', url: string, key?: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, headers: key ? { 'x-demo-host-key': key } : {}, ...(payload ? { payload } : {}) });

  it('makes the first joiner the host; later joiners are guests unless they present the key', async () => {
    const first = await join('host-rule');
    expect(first.Host?.Key).toMatch(/^[\w-]{20,}$/);
    const second = await join('host-rule');
    expect(second.Host).toBeUndefined();
    expect(await join('host-rule', 'not-the-key')).not.toHaveProperty('Host');
    expect((await join('host-rule', first.Host?.Key)).Host?.Key).toBe(first.Host?.Key);
  });

  it('refuses guests (no key, wrong key, another meeting\'s key) with 403 and never reaches the room', async () => {
    const a = await join('perm-a');
    const b = await join('perm-b');
    const meetingId = a.Meeting.Meeting.MeetingId;
    liveMeetings.add(meetingId);
    calls.length = 0;
    for (const key of [undefined, 'wrong', b.Host?.Key]) {
      const res = await call('POST', `/demo/meetings/${meetingId}/recordings`, key);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ Code: 'Forbidden' });
      expect((await call('POST', `/demo/meetings/${meetingId}/streams`, key, { url: 'rtmp://127.0.0.1/live/x' })).statusCode).toBe(403);
      expect((await call('GET', `/demo/meetings/${meetingId}/recordings`, key)).statusCode).toBe(403);
    }
    expect(calls).toEqual([]);
  });

  it('lets the host record and stream, with clear errors', async () => {
    const host = await join('perm-host');
    const key = host.Host?.Key;
    const meetingId = host.Meeting.Meeting.MeetingId;
    const empty = await call('POST', `/demo/meetings/${meetingId}/recordings`, key);
    expect(empty.statusCode).toBe(409);
    expect(empty.json<{ Message: string }>().Message).toMatch(/nobody is in the meeting/i);

    liveMeetings.add(meetingId);
    calls.length = 0;
    const started = await call('POST', `/demo/meetings/${meetingId}/recordings`, key);
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ recording: { id: 'rec-1' } });
    expect((await call('POST', `/demo/meetings/${meetingId}/recordings/rec-1/stop`, key)).statusCode).toBe(200);
    expect((await call('POST', `/demo/meetings/${meetingId}/streams`, key, { url: 'rtmp://127.0.0.1:1935/live/key' })).statusCode).toBe(200);
    expect(calls.map((c) => [c.method, c.params])).toEqual([
      ['room.startRecording', {}],
      ['room.recording.stop', { recordingId: 'rec-1' }],
      ['room.startStream', { url: 'rtmp://127.0.0.1:1935/live/key' }],
    ]);

    const refused = await call('POST', `/demo/meetings/${meetingId}/streams`, key, { url: 'rtmp://127.0.0.1:1935/refuse' });
    expect(refused.statusCode).toBe(502);
    expect(refused.json()).toMatchObject({ Code: 'media_error', Message: 'The RTMP server did not accept the stream: the RTMP server closed the connection' });
    expect((await call('POST', `/demo/meetings/${meetingId}/streams`, key, { url: 'http://example.com/x' })).statusCode).toBe(400);
  });

  it('lists a host\'s recordings with a download link that only works with its token', async () => {
    const host = await join('perm-list');
    const meetingId = host.Meeting.Meeting.MeetingId;
    recordings.set('rec-done', {
      id: 'rec-done', roomSessionId: 's', roomId: meetingId, mode: 'composite', format: 'video/mp4', state: 'completed',
      startedAt: 0, endedAt: 1000, duration: 1, sizeInBytes: 10, files: ['/nonexistent/rec-done.mp4'], reason: null,
    });
    const list = (await call('GET', `/demo/meetings/${meetingId}/recordings`, host.Host?.Key)).json<{ recordings: Array<{ id: string; download: string | null }> }>();
    expect(list.recordings).toHaveLength(1);
    const link = list.recordings[0]?.download ?? '';
    expect(link).toMatch(/^\/demo\/recordings\/rec-done\/download\?token=/);
    expect((await app.inject({ method: 'GET', url: '/demo/recordings/rec-done/download?token=forged' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/demo/recordings/rec-done/download' })).statusCode).toBe(404);
    // The right token reaches the file (which this test does not have).
    expect((await app.inject({ method: 'GET', url: link })).json()).toMatchObject({ Message: "The recording's file is gone." });
  });
});
