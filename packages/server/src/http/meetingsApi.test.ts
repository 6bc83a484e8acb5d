import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  BadRequestException,
  BatchCreateAttendeeCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  CreateMeetingWithAttendeesCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
  NotFoundException,
  UnauthorizedException,
  paginateListAttendees,
} from '@aws-sdk/client-chime-sdk-meetings';
import { SELF_PERMISSIONS } from '@parley/protocol';
import { JoinTokens } from '../auth/joinTokens.js';
import { loadConfig, type Config } from '../config/config.js';
import { createLogger } from '../logger.js';
import { SqliteMeetingStore } from '../store/sqliteMeetingStore.js';
import type { LiveMeetings } from '../store/types.js';
import { createHttpApp, HTTP_BODY_LIMIT } from './httpApp.js';

type LiveCall = { op: 'endMeeting'; meetingId: string } | { op: 'removeAttendee'; meetingId: string; attendeeId: string };

/** Records what the REST layer asks of the live sessions (the rooms layer's boundary). */
class RecordingLiveMeetings implements LiveMeetings {
  readonly calls: LiveCall[] = [];
  endMeeting(meetingId: string): void {
    this.calls.push({ op: 'endMeeting', meetingId });
  }
  removeAttendee(meetingId: string, attendeeId: string): void {
    this.calls.push({ op: 'removeAttendee', meetingId, attendeeId });
  }
}

const API_KEY = 'parley-test-key';
const API_SECRET = 'parley-test-secret-0123456789';

interface Harness {
  app: FastifyInstance;
  base: string;
  config: Config;
  store: SqliteMeetingStore;
  live: RecordingLiveMeetings;
  tokens: JoinTokens;
}

async function startHarness(overrides: { publicUrl?: string; maxAttendeesPerMeeting?: number } = {}): Promise<Harness> {
  const config = loadConfig(
    {
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      mediaRegion: 'parley-local',
      logLevel: 'silent',
      ...(overrides.publicUrl ? { publicUrl: overrides.publicUrl } : {}),
      limits: overrides.maxAttendeesPerMeeting ? { maxAttendeesPerMeeting: overrides.maxAttendeesPerMeeting } : {},
    },
    {},
  );
  const store = new SqliteMeetingStore(':memory:');
  const live = new RecordingLiveMeetings();
  const tokens = new JoinTokens(config.tokenSecret, config.tokenTtlSeconds);
  const app = await createHttpApp({ config, store, live, tokens, logger: createLogger('silent') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, base: `http://127.0.0.1:${address.port}`, config, store, live, tokens };
}

async function stopHarness(h: Harness): Promise<void> {
  await h.app.close();
  h.store.close();
}

function sdkClient(h: Harness, secret = API_SECRET): ChimeSDKMeetingsClient {
  return new ChimeSDKMeetingsClient({
    endpoint: h.base,
    region: 'us-east-1',
    credentials: { accessKeyId: API_KEY, secretAccessKey: secret },
    maxAttempts: 1,
  });
}

const BASIC = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;
const BEARER = `Bearer ${API_SECRET}`;

interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(h: Harness, method: string, path: string, options: { body?: unknown; raw?: string; auth?: string | null } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (options.auth !== null) headers.authorization = options.auth ?? BASIC;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.base}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function expectChimeError(res: JsonResponse, status: number, type: string, message?: RegExp | string): void {
  expect({ status: res.status, type: res.headers.get('x-amzn-errortype') }).toEqual({ status, type });
  expect(res.body.Code).toBe(type.replace(/Exception$/, ''));
  expect(typeof res.body.Message).toBe('string');
  if (message !== undefined) expect(res.body.Message).toMatch(message);
}

async function createMeeting(h: Harness, body: Record<string, unknown> = {}): Promise<string> {
  const res = await call(h, 'POST', '/meetings', { body });
  expect(res.status).toBe(200);
  return (res.body.Meeting as { MeetingId: string }).MeetingId;
}

describe('meetings API through the real AWS SDK', () => {
  let h: Harness;
  let chime: ChimeSDKMeetingsClient;
  beforeAll(async () => {
    h = await startHarness();
    chime = sdkClient(h);
  });
  afterAll(async () => {
    chime.destroy();
    await stopHarness(h);
  });

  it('runs the whole meeting lifecycle', async () => {
    const created = await chime.send(
      new CreateMeetingCommand({
        ClientRequestToken: 'request-token-1',
        ExternalMeetingId: 'standup-42',
        MediaRegion: 'us-east-1',
        MeetingHostId: 'host-user',
        MeetingFeatures: { Audio: { EchoReduction: 'AVAILABLE' }, Attendee: { MaxCount: 50 } },
        TenantIds: ['tenant-a'],
      }),
    );
    const meeting = created.Meeting!;
    expect(created.$metadata.httpStatusCode).toBe(200);
    expect(meeting.MeetingId).toMatch(/^[0-9a-f-]{36}$/);
    expect(meeting.ExternalMeetingId).toBe('standup-42');
    expect(meeting.MediaRegion).toBe('us-east-1');
    expect(meeting.MeetingHostId).toBe('host-user');
    expect(meeting.MeetingFeatures).toEqual({ Audio: { EchoReduction: 'AVAILABLE' }, Attendee: { MaxCount: 50 } });
    expect(meeting.TenantIds).toEqual(['tenant-a']);
    expect(meeting.MeetingArn).toBe(`arn:aws:chime:us-east-1:000000000000:meeting/${meeting.MeetingId}`);
    expect(meeting.MediaPlacement?.SignalingUrl).toBe(`${h.base.replace('http', 'ws')}/signaling`);
    expect(Object.keys(meeting.MediaPlacement ?? {}).sort()).toEqual(
      ['AudioFallbackUrl', 'AudioHostUrl', 'EventIngestionUrl', 'ScreenDataUrl', 'ScreenSharingUrl', 'ScreenViewingUrl', 'SignalingUrl', 'TurnControlUrl'],
    );

    // Idempotent on ClientRequestToken.
    const again = await chime.send(new CreateMeetingCommand({ ClientRequestToken: 'request-token-1', ExternalMeetingId: 'other', MediaRegion: 'eu-west-1' }));
    expect(again.Meeting).toEqual(meeting);
    const other = await chime.send(new CreateMeetingCommand({ ClientRequestToken: 'request-token-2', ExternalMeetingId: 'standup-43', MediaRegion: 'us-east-1' }));
    expect(other.Meeting?.MeetingId).not.toBe(meeting.MeetingId);

    const got = await chime.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId }));
    expect(got.Meeting).toEqual(meeting);

    const alice = (await chime.send(new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId: 'alice-external' }))).Attendee!;
    expect(alice.ExternalUserId).toBe('alice-external');
    expect(alice.AttendeeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(alice.Capabilities).toEqual({ Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' });
    const claims = await h.tokens.verify(alice.JoinToken!);
    expect(claims).toEqual({
      meetingId: meeting.MeetingId,
      attendeeId: alice.AttendeeId,
      externalUserId: 'alice-external',
      name: 'alice-external',
      role: 'member',
      permissions: [...SELF_PERMISSIONS],
    });

    // Same ExternalUserId: the existing attendee comes back.
    const aliceAgain = (await chime.send(new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId: 'alice-external' }))).Attendee!;
    expect(aliceAgain).toEqual(alice);

    const batch = await chime.send(
      new BatchCreateAttendeeCommand({
        MeetingId: meeting.MeetingId,
        Attendees: [
          { ExternalUserId: 'bob-external' },
          { ExternalUserId: 'carol-external', Capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'Receive' } },
          { ExternalUserId: 'dave-external' },
        ],
      }),
    );
    expect(batch.Errors).toEqual([]);
    expect(batch.Attendees?.map((a) => a.ExternalUserId)).toEqual(['bob-external', 'carol-external', 'dave-external']);
    expect(batch.Attendees?.[1]?.Capabilities).toEqual({ Audio: 'SendReceive', Video: 'Receive', Content: 'Receive' });
    for (const a of batch.Attendees ?? []) expect((await h.tokens.verify(a.JoinToken!)).meetingId).toBe(meeting.MeetingId);

    const allIds = [alice.AttendeeId, ...(batch.Attendees ?? []).map((a) => a.AttendeeId)].sort();
    const page1 = await chime.send(new ListAttendeesCommand({ MeetingId: meeting.MeetingId, MaxResults: 3 }));
    expect(page1.Attendees).toHaveLength(3);
    expect(page1.NextToken).toBeTruthy();
    const page2 = await chime.send(new ListAttendeesCommand({ MeetingId: meeting.MeetingId, MaxResults: 3, NextToken: page1.NextToken }));
    expect(page2.Attendees).toHaveLength(1);
    expect(page2.NextToken).toBeUndefined();
    expect([...page1.Attendees!, ...page2.Attendees!].map((a) => a.AttendeeId).sort()).toEqual(allIds);
    const paged: string[] = [];
    for await (const page of paginateListAttendees({ client: chime, pageSize: 2 }, { MeetingId: meeting.MeetingId })) {
      paged.push(...(page.Attendees ?? []).map((a) => a.AttendeeId!));
    }
    expect(paged.sort()).toEqual(allIds);

    const gotAlice = await chime.send(new GetAttendeeCommand({ MeetingId: meeting.MeetingId, AttendeeId: alice.AttendeeId }));
    expect(gotAlice.Attendee).toEqual(alice);

    const deleted = await chime.send(new DeleteAttendeeCommand({ MeetingId: meeting.MeetingId, AttendeeId: alice.AttendeeId }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(h.live.calls).toEqual([{ op: 'removeAttendee', meetingId: meeting.MeetingId, attendeeId: alice.AttendeeId }]);
    await expect(chime.send(new GetAttendeeCommand({ MeetingId: meeting.MeetingId, AttendeeId: alice.AttendeeId }))).rejects.toBeInstanceOf(NotFoundException);

    const ended = await chime.send(new DeleteMeetingCommand({ MeetingId: meeting.MeetingId }));
    expect(ended.$metadata.httpStatusCode).toBe(204);
    expect(h.live.calls.at(-1)).toEqual({ op: 'endMeeting', meetingId: meeting.MeetingId });
    expect(h.live.calls).toHaveLength(2);
    await expect(chime.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId }))).rejects.toBeInstanceOf(NotFoundException);
    // The other meeting is untouched.
    expect((await chime.send(new GetMeetingCommand({ MeetingId: other.Meeting!.MeetingId }))).Meeting?.ExternalMeetingId).toBe('standup-43');
  });

  it('creates a meeting with attendees in one call', async () => {
    const res = await chime.send(
      new CreateMeetingWithAttendeesCommand({
        ClientRequestToken: 'with-attendees-1',
        ExternalMeetingId: 'one-shot',
        MediaRegion: 'us-west-2',
        Attendees: [{ ExternalUserId: 'user-one' }, { ExternalUserId: 'user-two' }],
      }),
    );
    expect(res.$metadata.httpStatusCode).toBe(200);
    expect(res.Meeting?.ExternalMeetingId).toBe('one-shot');
    expect(res.Meeting?.MediaRegion).toBe('us-west-2');
    expect(res.Errors).toEqual([]);
    expect(res.Attendees?.map((a) => a.ExternalUserId)).toEqual(['user-one', 'user-two']);
    for (const a of res.Attendees ?? []) {
      const claims = await h.tokens.verify(a.JoinToken!);
      expect(claims.meetingId).toBe(res.Meeting?.MeetingId);
      expect(claims.attendeeId).toBe(a.AttendeeId);
    }
    // Retrying with the same token returns the same meeting and the same attendees.
    const retry = await chime.send(
      new CreateMeetingWithAttendeesCommand({
        ClientRequestToken: 'with-attendees-1',
        ExternalMeetingId: 'one-shot',
        MediaRegion: 'us-west-2',
        Attendees: [{ ExternalUserId: 'user-one' }, { ExternalUserId: 'user-two' }],
      }),
    );
    expect(retry.Meeting?.MeetingId).toBe(res.Meeting?.MeetingId);
    expect(retry.Attendees?.map((a) => a.AttendeeId)).toEqual(res.Attendees?.map((a) => a.AttendeeId));
  });

  it('raises NotFoundException for an unknown meeting, even with an id that needs encoding', async () => {
    const err = await chime.send(new GetMeetingCommand({ MeetingId: 'no-such-meeting' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect((err as NotFoundException).message).toMatch(/no-such-meeting/);
    expect((err as NotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((err as NotFoundException).Code).toBe('NotFound');
    // The SDK double-encodes such path segments when signing: reaching 404 (not 401) proves SigV4 agrees.
    const odd = "odd id/with (chars)!*'";
    await expect(chime.send(new GetAttendeeCommand({ MeetingId: odd, AttendeeId: 'a b+c' }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(chime.send(new DeleteMeetingCommand({ MeetingId: 'ünïcødé' }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('raises BadRequestException naming the field', async () => {
    const meetingId = (await chime.send(new CreateMeetingCommand({ ClientRequestToken: 'bad-req', ExternalMeetingId: 'bad-req', MediaRegion: 'us-east-1' }))).Meeting!.MeetingId!;
    const err = await chime.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: 'x' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestException);
    expect((err as BadRequestException).message).toBe('ExternalUserId: must be 2-64 characters');
  });

  it('raises UnauthorizedException for a wrong secret', async () => {
    const wrong = sdkClient(h, 'not-the-right-secret-at-all');
    const err = await wrong.send(new GetMeetingCommand({ MeetingId: 'whatever' })).catch((e: unknown) => e);
    wrong.destroy();
    expect(err).toBeInstanceOf(UnauthorizedException);
    expect((err as UnauthorizedException).$metadata.httpStatusCode).toBe(401);
    expect((err as UnauthorizedException).message).toMatch(/signature/);
  });
});

describe('meetings API over plain HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => stopHarness(h));
  beforeEach(() => {
    h.live.calls.length = 0;
  });

  it('serves /health without credentials', async () => {
    const res = await call(h, 'GET', '/health', { auth: null });
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('refuses requests without or with wrong credentials, as JSON 401s', async () => {
    const none = await call(h, 'POST', '/meetings', { body: {}, auth: null });
    expectChimeError(none, 401, 'UnauthorizedException', /Missing Authorization/);
    expect(none.headers.get('content-type')).toMatch(/^application\/json/);
    expect(none.headers.get('x-amzn-requestid')).toBe(none.body.RequestId);

    const badPassword = `Basic ${Buffer.from(`${API_KEY}:wrong-password`).toString('base64')}`;
    expectChimeError(await call(h, 'POST', '/meetings', { body: {}, auth: badPassword }), 401, 'UnauthorizedException', /Invalid API key or secret/);
    const badKey = `Basic ${Buffer.from(`other-key:${API_SECRET}`).toString('base64')}`;
    expectChimeError(await call(h, 'POST', '/meetings', { body: {}, auth: badKey }), 401, 'UnauthorizedException');
    expectChimeError(await call(h, 'POST', '/meetings', { body: {}, auth: 'Basic !!!' }), 401, 'UnauthorizedException');
    expectChimeError(await call(h, 'POST', '/meetings', { body: {}, auth: 'Bearer wrong-secret' }), 401, 'UnauthorizedException', /bearer/);
    expectChimeError(await call(h, 'POST', '/meetings', { body: {}, auth: `Bearer ${API_KEY}:${API_SECRET}` }), 401, 'UnauthorizedException');
    expectChimeError(await call(h, 'POST', '/meetings', { body: {}, auth: 'Digest abc' }), 401, 'UnauthorizedException', /Unsupported/);
    expectChimeError(await call(h, 'POST', '/meetings', { body: {}, auth: 'AWS4-HMAC-SHA256 nonsense' }), 401, 'UnauthorizedException');
    // Credentials are checked before the body is looked at.
    expectChimeError(await call(h, 'POST', '/meetings', { raw: '{nope', auth: null }), 401, 'UnauthorizedException');
    expect(h.store.listAttendees('x')).toEqual([]);
  });

  it('accepts Basic and Bearer credentials', async () => {
    const basic = await call(h, 'POST', '/meetings', { body: { ExternalMeetingId: 'basic-meeting' }, auth: BASIC });
    expect(basic.status).toBe(200);
    const bearer = await call(h, 'POST', '/meetings', { body: { ExternalMeetingId: 'bearer-meeting' }, auth: BEARER });
    expect(bearer.status).toBe(200);
    const meeting = bearer.body.Meeting as Record<string, unknown>;
    expect(meeting.ExternalMeetingId).toBe('bearer-meeting');
    // MediaRegion defaults to the configured one.
    expect(meeting.MediaRegion).toBe('parley-local');
    expect((meeting.MediaPlacement as Record<string, unknown>).SignalingUrl).toBe(`${h.base.replace('http', 'ws')}/signaling`);
    const got = await call(h, 'GET', `/meetings/${String(meeting.MeetingId)}`, { auth: BEARER });
    expect(got.body.Meeting).toEqual(meeting);
  });

  it('answers 404 NotFound for an unknown meeting on every route', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/meetings/unknown-meeting'],
      ['DELETE', '/meetings/unknown-meeting'],
      ['POST', '/meetings/unknown-meeting/attendees', { ExternalUserId: 'alice' }],
      ['POST', '/meetings/unknown-meeting/attendees?operation=batch-create', { Attendees: [{ ExternalUserId: 'alice' }] }],
      ['GET', '/meetings/unknown-meeting/attendees'],
      ['GET', '/meetings/unknown-meeting/attendees/some-attendee'],
      ['DELETE', '/meetings/unknown-meeting/attendees/some-attendee'],
    ];
    for (const [method, path, body] of routes) {
      expectChimeError(await call(h, method, path, { body }), 404, 'NotFoundException', /unknown-meeting/);
    }
    expect(h.live.calls).toEqual([]);
  });

  it('answers 404 NotFound for an unknown attendee of a known meeting', async () => {
    const meetingId = await createMeeting(h);
    expectChimeError(await call(h, 'GET', `/meetings/${meetingId}/attendees/nobody`), 404, 'NotFoundException', /attendee nobody/);
    expectChimeError(await call(h, 'DELETE', `/meetings/${meetingId}/attendees/nobody`), 404, 'NotFoundException', /attendee nobody/);
    expect(h.live.calls).toEqual([]);
  });

  it('answers 404 for operations Parley does not implement', async () => {
    const meetingId = await createMeeting(h);
    const res = await call(h, 'PUT', `/meetings/${meetingId}/attendees/someone/capabilities`, { body: { Capabilities: {} } });
    expectChimeError(res, 404, 'NotFoundException', /does not support PUT/);
  });

  it('answers 400 naming the field for invalid attendee bodies', async () => {
    const meetingId = await createMeeting(h);
    const path = `/meetings/${meetingId}/attendees`;
    const cases: Array<[{ body?: unknown; raw?: string }, RegExp | string]> = [
      [{ body: {} }, 'ExternalUserId: is required'],
      [{ raw: '' }, 'ExternalUserId: is required'],
      [{ body: { ExternalUserId: 'a' } }, 'ExternalUserId: must be 2-64 characters'],
      [{ body: { ExternalUserId: 'x'.repeat(65) } }, 'ExternalUserId: must be 2-64 characters'],
      [{ body: { ExternalUserId: 42 } }, 'ExternalUserId: must be a string'],
      [{ body: { ExternalUserId: null } }, 'ExternalUserId: must be a string'],
      [{ body: { ExternalUserId: 'alice', Capabilities: { Audio: 'Loud', Video: 'None', Content: 'None' } } }, /^Capabilities\.Audio: must be one of/],
      [{ body: { ExternalUserId: 'alice', Capabilities: 'all' } }, 'Capabilities: must be an object'],
      [{ body: { ExternalUserId: 'alice', Capabilities: { Audio: 'SendReceive', Video: 'None', Content: 'Receive' } } }, /^Capabilities\.Content: /],
      [{ body: { ExternalUserId: 'alice', Name: '' } }, 'Name: must be 1-128 characters'],
      [{ raw: '{"ExternalUserId": "alice",' }, 'Request body is not valid JSON.'],
      [{ raw: '[1,2]' }, 'Request body must be a JSON object.'],
      [{ raw: '"alice"' }, 'Request body must be a JSON object.'],
    ];
    for (const [input, message] of cases) {
      expectChimeError(await call(h, 'POST', path, input), 400, 'BadRequestException', message);
    }
    expect(h.store.listAttendees(meetingId)).toEqual([]);
  });

  it('answers 400 for an oversized body', async () => {
    const meetingId = await createMeeting(h);
    const raw = JSON.stringify({ ExternalUserId: 'alice', Name: 'x'.repeat(HTTP_BODY_LIMIT) });
    expectChimeError(await call(h, 'POST', `/meetings/${meetingId}/attendees`, { raw }), 400, 'BadRequestException', /larger than 65536 bytes/);
  });

  it('answers 400 naming the field for invalid meeting and batch bodies', async () => {
    const meetingId = await createMeeting(h);
    const cases: Array<[string, unknown, RegExp | string]> = [
      ['/meetings', { MediaRegion: 7 }, 'MediaRegion: must be a string'],
      ['/meetings', { ExternalMeetingId: 'x' }, 'ExternalMeetingId: must be 2-64 characters'],
      ['/meetings', { ClientRequestToken: 'y'.repeat(65) }, 'ClientRequestToken: must be 2-64 characters'],
      ['/meetings', { TenantIds: ['t1', 't2', 't3', 't4', 't5', 't6'] }, 'TenantIds: must have 1-5 items'],
      ['/meetings', { MeetingFeatures: [] }, 'MeetingFeatures: must be an object'],
      ['/meetings?operation=create-attendees', { ExternalMeetingId: 'mwa' }, 'Attendees: is required'],
      [
        '/meetings?operation=create-attendees',
        { ClientRequestToken: 'mwa-token', Attendees: [{ ExternalUserId: 'ok-user' }, { ExternalUserId: 'z' }] },
        'Attendees[1].ExternalUserId: must be 2-64 characters',
      ],
      ['/meetings?operation=explode', {}, /operation: "explode" is not supported/],
      [`/meetings/${meetingId}/attendees?operation=batch-create`, { Attendees: [] }, 'Attendees: must have 1-100 items'],
      [`/meetings/${meetingId}/attendees?operation=batch-create`, { Attendees: 'alice' }, 'Attendees: must be an array'],
      [`/meetings/${meetingId}/attendees?operation=batch-create`, { Attendees: [{ ExternalUserId: 'alice' }, {}] }, 'Attendees[1].ExternalUserId: is required'],
      [`/meetings/${meetingId}/attendees?operation=batch-delete`, {}, /operation: "batch-delete" is not supported/],
    ];
    for (const [path, body, message] of cases) {
      expectChimeError(await call(h, 'POST', path, { body }), 400, 'BadRequestException', message);
    }
    // Nothing half-created: the failed create-attendees made no meeting and no attendee.
    expect(h.store.listAttendees(meetingId)).toEqual([]);
    expect(h.store.findMeetingByClientRequestToken('mwa-token')).toBeUndefined();
  });

  it('validates list paging parameters', async () => {
    const meetingId = await createMeeting(h);
    const path = `/meetings/${meetingId}/attendees`;
    expectChimeError(await call(h, 'GET', `${path}?max-results=0`), 400, 'BadRequestException', /MaxResults/);
    expectChimeError(await call(h, 'GET', `${path}?max-results=101`), 400, 'BadRequestException', /MaxResults/);
    expectChimeError(await call(h, 'GET', `${path}?max-results=abc`), 400, 'BadRequestException', /MaxResults/);
    expectChimeError(await call(h, 'GET', `${path}?next-token=%%%`), 400, 'BadRequestException', /NextToken/);
    expectChimeError(await call(h, 'GET', `${path}?next-token=a&next-token=b`), 400, 'BadRequestException', /next-token/);
    const empty = await call(h, 'GET', path);
    expect(empty).toMatchObject({ status: 200, body: { Attendees: [] } });
    expect(empty.body.NextToken).toBeUndefined();
  });

  it('issues join tokens that verify and belong to their own meeting', async () => {
    const meetingA = await createMeeting(h, { ExternalMeetingId: 'meeting-a' });
    const meetingB = await createMeeting(h, { ExternalMeetingId: 'meeting-b' });
    const a = await call(h, 'POST', `/meetings/${meetingA}/attendees`, { body: { ExternalUserId: 'same-user', Name: 'Ada Lovelace' } });
    const b = await call(h, 'POST', `/meetings/${meetingB}/attendees`, { body: { ExternalUserId: 'same-user' } });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const attA = a.body.Attendee as { AttendeeId: string; JoinToken: string };
    const attB = b.body.Attendee as { AttendeeId: string; JoinToken: string };
    expect(attA.AttendeeId).not.toBe(attB.AttendeeId);
    const claimsA = await h.tokens.verify(attA.JoinToken);
    const claimsB = await h.tokens.verify(attB.JoinToken);
    expect(claimsA).toMatchObject({ meetingId: meetingA, attendeeId: attA.AttendeeId, externalUserId: 'same-user', name: 'Ada Lovelace', role: 'member' });
    expect(claimsA.permissions).toEqual([...SELF_PERMISSIONS]);
    expect(claimsB).toMatchObject({ meetingId: meetingB, attendeeId: attB.AttendeeId, name: 'same-user' });
    // A token signed with another secret does not verify.
    const foreign = new JoinTokens('some-other-secret-0123456789', 60);
    await expect(foreign.verify(attA.JoinToken)).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('gives concurrent creates of one ExternalUserId the same attendee', async () => {
    const meetingId = await createMeeting(h);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call(h, 'POST', `/meetings/${meetingId}/attendees`, { body: { ExternalUserId: 'racer' } })),
    );
    const ids = new Set(results.map((r) => (r.body.Attendee as { AttendeeId: string }).AttendeeId));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(ids.size).toBe(1);
    expect(h.store.listAttendees(meetingId)).toHaveLength(1);
  });

  it('dedupes a repeated user within a batch and deletes attendees with their meeting', async () => {
    const meetingId = await createMeeting(h);
    const res = await call(h, 'POST', `/meetings/${meetingId}/attendees?operation=batch-create`, {
      body: { Attendees: [{ ExternalUserId: 'u1x' }, { ExternalUserId: 'u2x' }, { ExternalUserId: 'u1x' }] },
    });
    expect(res.status).toBe(200);
    const attendees = res.body.Attendees as Array<{ AttendeeId: string }>;
    expect(attendees).toHaveLength(3);
    expect(attendees[2]?.AttendeeId).toBe(attendees[0]?.AttendeeId);
    expect(res.body.Errors).toEqual([]);
    const del = await call(h, 'DELETE', `/meetings/${meetingId}`);
    expect(del.status).toBe(204);
    expect(h.live.calls).toEqual([{ op: 'endMeeting', meetingId }]);
    expect(h.store.listAttendees(meetingId)).toEqual([]);
    expectChimeError(await call(h, 'DELETE', `/meetings/${meetingId}`), 404, 'NotFoundException');
    expect(h.live.calls).toHaveLength(1);
  });

  it('accepts a body sent without a content type', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/meetings', headers: { authorization: BASIC, host: 'meet.example.com' }, payload: '{"ExternalMeetingId":"no-ct"}' });
    expect(res.statusCode).toBe(200);
    const meeting = (res.json() as { Meeting: { ExternalMeetingId: string; MediaPlacement: { SignalingUrl: string } } }).Meeting;
    expect(meeting.ExternalMeetingId).toBe('no-ct');
    // Without publicUrl the URLs follow the request's Host header.
    expect(meeting.MediaPlacement.SignalingUrl).toBe('ws://meet.example.com/signaling');
  });

  it('refuses a Host header that is not a host', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/meetings', headers: { authorization: BASIC, host: 'evil.example/<script>' }, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('BadRequestException');
  });
});

describe('meetings API limits and public URL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ publicUrl: 'https://meet.example.com/parley', maxAttendeesPerMeeting: 3 });
  });
  afterAll(async () => stopHarness(h));

  it('derives every media URL from publicUrl', async () => {
    const res = await call(h, 'POST', '/meetings', { body: {} });
    const placement = (res.body.Meeting as { MediaPlacement: Record<string, string> }).MediaPlacement;
    expect(placement.SignalingUrl).toBe('wss://meet.example.com/parley/signaling');
    expect(placement.AudioHostUrl).toBe('meet.example.com');
    expect(placement.TurnControlUrl).toBe('https://meet.example.com/parley/turn');
    expect(placement.EventIngestionUrl).toBe('https://meet.example.com/parley/events');
  });

  it('reports attendees past the meeting limit in Errors, and refuses a single create', async () => {
    const meetingId = await createMeeting(h);
    const res = await call(h, 'POST', `/meetings/${meetingId}/attendees?operation=batch-create`, {
      body: { Attendees: ['u1', 'u2', 'u3', 'u4'].map((ExternalUserId) => ({ ExternalUserId })) },
    });
    expect(res.status).toBe(200);
    expect((res.body.Attendees as unknown[]).length).toBe(3);
    expect(res.body.Errors).toEqual([{ ExternalUserId: 'u4', ErrorCode: 'BadRequest', ErrorMessage: expect.stringMatching(/limit of 3 attendees/) }]);
    expectChimeError(await call(h, 'POST', `/meetings/${meetingId}/attendees`, { body: { ExternalUserId: 'u5' } }), 400, 'BadRequestException', /limit of 3/);
    // An existing attendee is still returned at the limit.
    expect((await call(h, 'POST', `/meetings/${meetingId}/attendees`, { body: { ExternalUserId: 'u1' } })).status).toBe(200);
  });

  it('honours MeetingFeatures.Attendee.MaxCount below the server limit', async () => {
    const meetingId = await createMeeting(h, { MeetingFeatures: { Attendee: { MaxCount: 1 } } });
    expect((await call(h, 'POST', `/meetings/${meetingId}/attendees`, { body: { ExternalUserId: 'first' } })).status).toBe(200);
    expectChimeError(await call(h, 'POST', `/meetings/${meetingId}/attendees`, { body: { ExternalUserId: 'second' } }), 400, 'BadRequestException', /limit of 1/);
  });
});
