import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { JoinTokens } from '../auth/joinTokens.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logger.js';
import { SqliteMeetingStore } from '../store/sqliteMeetingStore.js';
import type { LiveMeetings } from '../store/types.js';
import { registerDemoRoutes } from './demoRoutes.js';
import { createHttpApp } from './httpApp.js';

const noLive: LiveMeetings = { endMeeting: () => undefined, removeAttendee: () => undefined };

describe('POST /demo/join', () => {
  let app: FastifyInstance;
  let store: SqliteMeetingStore;
  let tokens: JoinTokens;

  beforeAll(async () => {
    const config = loadConfig({ apiKey: 'demo-key', apiSecret: 'demo-secret-0123456789', mediaRegion: 'parley-local', logLevel: 'silent' }, {});
    store = new SqliteMeetingStore(':memory:');
    tokens = new JoinTokens(config.tokenSecret, config.tokenTtlSeconds);
    app = await createHttpApp({ config, store, live: noLive, tokens, logger: createLogger('silent') });
    registerDemoRoutes(app, config);
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
