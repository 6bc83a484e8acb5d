import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { basename, dirname } from 'node:path';
import send from '@fastify/send';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorCode, type RoomMethod, type RoomParams, type RoomResult } from '@parley/protocol';
import type { Config } from '../config/config.js';
import { toParleyError } from '../errors.js';
import type { RoomCaller } from '../rooms/roomPermissions.js';
import type { RecordingRecord } from '../store/types.js';

const JoinBody = z.object({
  meeting: z.string().trim().min(2).max(64),
  name: z.string().trim().min(1).max(64),
  /** The host key this browser was given when it started the meeting (kept so a rejoin stays host). */
  hostKey: z.string().max(128).optional(),
});
const StreamBody = z.object({
  url: z.string().trim().max(2048).regex(/^rtmps?:\/\/[^\s/]+(\/\S*)?$/i, 'must be an rtmp:// or rtmps:// URL'),
});

/** What the demo's media routes call on a live room (RoomControl's execute; a fake in tests). */
export interface DemoRoomControl {
  execute<M extends RoomMethod>(caller: RoomCaller, method: M, params: RoomParams<M>): Promise<RoomResult<M>>;
}

/** What the demo backend needs for the host's recording and streaming controls. */
export interface DemoMediaDeps {
  /** The live room of a meeting, if anyone is in it (RoomManager.controlOf). */
  controlOf(meetingId: string): DemoRoomControl | undefined;
  /** Recording rows (MediaServices.recordingStore). */
  recordings: { getRecording(id: string): RecordingRecord | undefined; listRecordings(filter: { roomId: string }): RecordingRecord[] };
}

const SERVER: RoomCaller = { kind: 'server', permissions: 'all' };
const HOST_KEY_HEADER = 'x-demo-host-key';
/** Demo meetings remembered (their host keys); the oldest are forgotten beyond this. */
const MAX_MEETINGS = 10_000;

/**
 * The demo app's backend: what an app's own server does with the Chime API. It creates (or
 * reuses) the meeting named by the user and an attendee, by calling Parley's REST API with the
 * server's credentials, so the demo exercises the same code path as any customer backend.
 * It answers as the Amazon Chime SDK demo backends do: `{ JoinInfo: { Meeting, Attendee } }`
 * holding the CreateMeeting response (`{ Meeting: {...} }`) and the CreateAttendee response
 * (`{ Attendee: {...} }`) unchanged, ready for `new MeetingSessionConfiguration(Meeting, Attendee)`.
 *
 * Hosts (the demo's moderators). The rule: whoever starts a meeting is its host. The first
 * /demo/join of a meeting (no host key exists for that MeetingId yet) gets a random host key in
 * `JoinInfo.Host.Key`; a later join presenting that key (the same browser rejoining) is host again;
 * everyone else is a guest (`JoinInfo.Host` absent). Hosts call these routes with the key in the
 * `x-demo-host-key` header; a missing or wrong key is refused with 403:
 *   POST /demo/meetings/:meetingId/recordings                    start a composite recording
 *   POST /demo/meetings/:meetingId/recordings/:recordingId/stop
 *   GET  /demo/meetings/:meetingId/recordings                    the meeting's recordings, with download links
 *   POST /demo/meetings/:meetingId/streams  { url }              stream to an rtmp(s):// URL
 *   GET  /demo/meetings/:meetingId/streams                      the running room session's streams
 *   POST /demo/meetings/:meetingId/streams/:streamId/stop
 * Everyone in the meeting learns the recording and streaming state from the room events.
 *   GET  /demo/recordings/:id/download?token=                   the file; the token (an HMAC of the id,
 *                                                                given only to hosts) is the permission.
 * Host keys live in memory: after a server restart a meeting's next joiner becomes its host.
 */
export function registerDemoRoutes(app: FastifyInstance, config: Config, media?: DemoMediaDeps): void {
  const auth = `Basic ${Buffer.from(`${config.apiKey}:${config.apiSecret}`).toString('base64')}`;
  const hostKeys = new Map<string, string>();

  app.post('/demo/join', async (request, reply) => {
    const body = JoinBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error);
    const { meeting, name, hostKey } = body.data;
    const headers = { authorization: auth, 'content-type': 'application/json', host: request.headers.host ?? 'localhost' };
    const created = await app.inject({
      method: 'POST',
      url: '/meetings',
      headers: { ...headers, 'x-forwarded-proto': request.protocol },
      payload: { ClientRequestToken: `demo:${meeting}`, ExternalMeetingId: meeting, MediaRegion: config.mediaRegion },
    });
    if (created.statusCode >= 300) return reply.code(created.statusCode).send(created.json());
    const meetingResponse = created.json<{ Meeting: { MeetingId: string } }>();
    const meetingId = meetingResponse.Meeting.MeetingId;
    const attendee = await app.inject({
      method: 'POST',
      url: `/meetings/${encodeURIComponent(meetingId)}/attendees`,
      headers,
      // A fresh user id per join (two tabs with the same name are two people), carrying the name
      // after a '#' as the Chime SDK demos do, so the page can show it from the user id alone.
      payload: { ExternalUserId: `${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}#${name.slice(0, 55)}`, Name: name },
    });
    if (attendee.statusCode >= 300) return reply.code(attendee.statusCode).send(attendee.json());
    let key = hostKeys.get(meetingId);
    const host = key === undefined || (hostKey !== undefined && sameKey(hostKey, key));
    if (key === undefined) {
      key = randomBytes(18).toString('base64url');
      hostKeys.set(meetingId, key);
      if (hostKeys.size > MAX_MEETINGS) hostKeys.delete(hostKeys.keys().next().value as string);
    }
    return {
      JoinInfo: {
        Meeting: meetingResponse,
        Attendee: attendee.json<{ Attendee: unknown }>(),
        ...(host ? { Host: { Key: key } } : {}),
      },
    };
  });

  if (!media) return;
  const downloadToken = (recordingId: string) => createHmac('sha256', config.apiSecret).update(`demo-recording:${recordingId}`).digest('base64url').slice(0, 32);

  /** The meeting's live room, once the caller has shown its host key; otherwise answers and returns undefined. */
  const hostRoom = (request: FastifyRequest<{ Params: { meetingId: string } }>, reply: FastifyReply, needRoom = true) => {
    const meetingId = request.params.meetingId;
    const key = hostKeys.get(meetingId);
    const given = request.headers[HOST_KEY_HEADER];
    if (key === undefined || typeof given !== 'string' || !sameKey(given, key)) {
      void reply.code(403).send({ Code: 'Forbidden', Message: 'Only the meeting\'s host can record or stream.' });
      return undefined;
    }
    const control = media.controlOf(meetingId);
    if (!control && needRoom) {
      void reply.code(409).send({ Code: 'NotInMeeting', Message: 'Nobody is in the meeting yet: join it first.' });
      return undefined;
    }
    return { meetingId, control };
  };
  /** Runs a room request; a ParleyError becomes `{ Code, Message }` with a fitting status. */
  const run = async <M extends RoomMethod>(reply: FastifyReply, control: DemoRoomControl, method: M, params: RoomParams<M>, failure: string): Promise<RoomResult<M> | undefined> => {
    try {
      return await control.execute(SERVER, method, params);
    } catch (err) {
      const error = toParleyError(err);
      if (error.status >= 500 && error.code !== ErrorCode.MediaError) reply.log.error({ err }, `demo: ${method} failed`);
      const status = error.code === ErrorCode.MediaError ? 502 : error.status;
      void reply.code(status).send({ Code: error.code, Message: `${failure}: ${error.message}` });
      return undefined;
    }
  };
  const row = (r: RecordingRecord) => ({
    id: r.id, state: r.state, startedAt: new Date(r.startedAt).toISOString(), duration: r.duration, sizeInBytes: r.sizeInBytes, reason: r.reason,
    download: r.state === 'completed' && r.files.length > 0 ? `/demo/recordings/${encodeURIComponent(r.id)}/download?token=${downloadToken(r.id)}` : null,
  });

  type MeetingParams = { Params: { meetingId: string } };
  app.post<MeetingParams>('/demo/meetings/:meetingId/recordings', async (request, reply) => {
    const room = hostRoom(request, reply);
    if (!room?.control) return reply;
    const result = await run(reply, room.control, 'room.startRecording', {}, 'Could not start recording');
    return result ?? reply;
  });
  app.post<{ Params: { meetingId: string; recordingId: string } }>('/demo/meetings/:meetingId/recordings/:recordingId/stop', async (request, reply) => {
    const room = hostRoom(request, reply);
    if (!room?.control) return reply;
    const result = await run(reply, room.control, 'room.recording.stop', { recordingId: request.params.recordingId }, 'Could not stop recording');
    if (!result) return reply;
    const r = media.recordings.getRecording(request.params.recordingId);
    return { recording: r && r.roomId === room.meetingId ? row(r) : null };
  });
  app.get<MeetingParams>('/demo/meetings/:meetingId/recordings', async (request, reply) => {
    const room = hostRoom(request, reply, false);
    if (!room) return reply;
    return { recordings: media.recordings.listRecordings({ roomId: room.meetingId }).map(row) };
  });
  app.post<MeetingParams>('/demo/meetings/:meetingId/streams', async (request, reply) => {
    const room = hostRoom(request, reply);
    if (!room?.control) return reply;
    const body = StreamBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error);
    const result = await run(reply, room.control, 'room.startStream', { url: body.data.url }, 'The RTMP server did not accept the stream');
    return result ?? reply;
  });
  app.get<MeetingParams>('/demo/meetings/:meetingId/streams', async (request, reply) => {
    const room = hostRoom(request, reply, false);
    if (!room) return reply;
    if (!room.control) return { streams: [] };
    const result = await run(reply, room.control, 'room.getStreams', {}, 'Could not list the streams');
    return result ?? reply;
  });
  app.post<{ Params: { meetingId: string; streamId: string } }>('/demo/meetings/:meetingId/streams/:streamId/stop', async (request, reply) => {
    const room = hostRoom(request, reply);
    if (!room?.control) return reply;
    const result = await run(reply, room.control, 'room.stream.stop', { streamId: request.params.streamId }, 'Could not stop the stream');
    return result ?? reply;
  });

  app.get<{ Params: { id: string }; Querystring: { token?: string } }>('/demo/recordings/:id/download', async (request, reply) => {
    const r = media.recordings.getRecording(request.params.id);
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    // Only recordings of meetings started through the demo, and only with the token handed to their hosts.
    if (!r || !hostKeys.has(r.roomId) || !sameKey(token, downloadToken(r.id))) return reply.code(404).send({ Code: 'NotFound', Message: 'No such recording.' });
    const file = r.files[0];
    if (r.state !== 'completed' || !file) return reply.code(409).send({ Code: 'NotReady', Message: 'The recording is not finished yet.' });
    const result = await send(request.raw, encodeURIComponent(basename(file)), { root: dirname(file), cacheControl: false, etag: false, lastModified: true });
    if (result.type === 'error') return reply.code(404).send({ Code: 'NotFound', Message: 'The recording\'s file is gone.' });
    reply.code(result.statusCode);
    for (const [k, v] of Object.entries(result.headers)) reply.header(k, v);
    reply.header('content-disposition', `attachment; filename="parley-recording-${r.id}${file.slice(file.lastIndexOf('.'))}"`);
    return reply.send(result.stream);
  });
}

function badRequest(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const issue = error.issues[0];
  return reply.code(400).send({ Code: 'BadRequest', Message: `${issue?.path.join('.') || 'body'}: ${issue?.message}` });
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
