import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ALL_PERMISSIONS, ErrorCode, LAYOUT_NAMES, MediaAllowed, SELF_PERMISSIONS, type Permission } from '@parley/protocol';
import { authenticateHttp } from '../auth/httpAuth.js';
import type { JoinTokens } from '../auth/joinTokens.js';
import type { ProjectTokens } from '../auth/projectTokens.js';
import type { Config } from '../config/config.js';
import { ParleyError } from '../errors.js';
import { toHttpError } from './chimeErrors.js';
import { HTTP_BODY_LIMIT } from './httpApp.js';
import type { Logger } from '../logger.js';
import type { RoomManager } from '../rooms/roomManager.js';
import { defaultRoomSettings, type RoomSettings } from '../rooms/roomSessionState.js';
import type { MeetingRecord, MeetingStore } from '../store/types.js';
import { baseUrlOf } from './mediaPlacement.js';

export interface RoomsRoutesDeps {
  config: Config;
  store: MeetingStore;
  tokens: JoinTokens;
  projectTokens: ProjectTokens;
  rooms: RoomManager;
  logger: Logger;
}

const ROOM_TOKEN_PREFIX = 'room:';
const name = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_.~-]+$/, 'letters, digits, _ . ~ - only');
const permissionName = z.string().refine((p) => (ALL_PERMISSIONS as readonly string[]).includes(p), 'unknown permission');

const CreateRoomBody = z.object({
  name,
  display_name: z.string().trim().min(1).max(200).optional(),
  layout: z.string().refine((l) => LAYOUT_NAMES.includes(l), 'unknown layout').optional(),
  hide_video_muted: z.boolean().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

const RoomTokenBody = z.object({
  room_name: name,
  user_name: z.string().trim().min(1).max(100),
  /** Defaults to what a participant may do about themselves. */
  permissions: z.array(permissionName).max(128).optional(),
  join_as: z.enum(['member', 'audience']).default('member'),
  media_allowed: MediaAllowed.default('all'),
  meta: z.record(z.string(), z.unknown()).optional(),
  /** Create the room when it does not exist (default true). */
  auto_create_room: z.boolean().default(true),
});

const ProjectTokenBody = z.object({
  permissions: z.array(permissionName).max(128),
  ttl_seconds: z.number().int().positive().max(7 * 24 * 3600).default(3600),
});

/** A room is a meeting created through this API; its settings live in the meeting's extras. */
export function roomSettingsOf(meeting: MeetingRecord | undefined): RoomSettings | undefined {
  if (!meeting) return undefined;
  const saved = meeting.extras.ParleyRoom as Partial<RoomSettings> | undefined;
  return { ...defaultRoomSettings(meeting.externalMeetingId ?? meeting.meetingId), ...saved };
}

/**
 * Parley's native rooms API (SignalWire-style, snake_case) under /api:
 *   POST /api/rooms, GET /api/rooms/:name_or_id, DELETE /api/rooms/:name_or_id,
 *   GET /api/room_sessions (live), POST /api/room_tokens, POST /api/project_tokens.
 * Authenticated like the meetings API (SigV4, Basic or Bearer). Errors: { error: { code, message } }.
 */
export const roomsRoutes: FastifyPluginAsync<RoomsRoutesDeps> = async (app, deps) => {
  await app.register(async (scope) => routes(scope, deps), { prefix: '/api' });
};

async function routes(app: FastifyInstance, deps: RoomsRoutesDeps): Promise<void> {
  const { store, config, tokens, rooms } = deps;
  const log = deps.logger.child({ sub: 'roomsApi' });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addHook('preValidation', async (request) => {
    authenticateHttp(request.raw, Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), config);
  });
  app.setErrorHandler((err, _request, reply) => {
    // Fastify's own 4xx (body too large, bad content) are the caller's: 400, not internal_error.
    const error = toHttpError(err, HTTP_BODY_LIMIT);
    if (error.status >= 500) log.error({ err }, 'rooms API request failed');
    return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
  });
  app.setNotFoundHandler(async (request) => {
    throw new ParleyError(ErrorCode.NotFound, `no route ${request.method} ${request.url.split('?')[0]}`);
  });

  const findRoom = (nameOrId: string): MeetingRecord | undefined =>
    store.findMeetingByClientRequestToken(`${ROOM_TOKEN_PREFIX}${nameOrId}`) ?? store.getMeeting(nameOrId);

  const createRoom = (body: z.infer<typeof CreateRoomBody>): MeetingRecord => {
    const existing = findRoom(body.name);
    if (existing) return existing;
    const settings: RoomSettings = {
      ...defaultRoomSettings(body.name),
      ...(body.display_name ? { displayName: body.display_name } : {}),
      ...(body.layout ? { layoutName: body.layout } : {}),
      ...(body.hide_video_muted !== undefined ? { hideVideoMuted: body.hide_video_muted } : {}),
      ...(body.meta ? { meta: body.meta } : {}),
    };
    const meeting: MeetingRecord = {
      meetingId: randomUUID(), externalMeetingId: body.name, mediaRegion: config.mediaRegion,
      clientRequestToken: `${ROOM_TOKEN_PREFIX}${body.name}`, extras: { ParleyRoom: settings }, createdAt: Date.now(),
    };
    store.createMeeting(meeting);
    log.info({ meetingId: meeting.meetingId, name: body.name }, 'room created');
    return meeting;
  };

  const roomView = (meeting: MeetingRecord) => {
    const s = roomSettingsOf(meeting)!;
    const live = rooms.controlOf(meeting.meetingId);
    return {
      id: meeting.meetingId, name: s.name, display_name: s.displayName, layout: s.layoutName, hide_video_muted: s.hideVideoMuted,
      meta: s.meta, created_at: new Date(meeting.createdAt).toISOString(), room_session_id: live?.id ?? null,
    };
  };

  app.post('/rooms', async (request, reply) => {
    const body = parse(CreateRoomBody, request);
    const existed = findRoom(body.name) !== undefined;
    const room = createRoom(body);
    return reply.code(existed ? 200 : 201).send(roomView(room));
  });

  app.get<{ Params: { room: string } }>('/rooms/:room', async (request) => roomView(mustFind(findRoom(request.params.room), request.params.room)));

  app.delete<{ Params: { room: string } }>('/rooms/:room', async (request, reply) => {
    const room = mustFind(findRoom(request.params.room), request.params.room);
    rooms.endMeeting(room.meetingId);
    store.deleteMeeting(room.meetingId);
    return reply.code(204).send();
  });

  app.get('/room_sessions', async () => ({ data: rooms.controls.map((c) => c.fullState()) }));

  app.post('/room_tokens', async (request) => {
    const body = parse(RoomTokenBody, request);
    let room = findRoom(body.room_name);
    if (!room) {
      if (!body.auto_create_room) throw new ParleyError(ErrorCode.NotFound, `no room named ${body.room_name}`);
      room = createRoom({ name: body.room_name });
    }
    const attendeeId = randomUUID();
    const permissions = (body.permissions ?? [...SELF_PERMISSIONS]) as Permission[];
    const externalUserId = `${body.user_name.slice(0, 60)}#${attendeeId.slice(0, 8)}`;
    const claims = {
      meetingId: room.meetingId, attendeeId, externalUserId, name: body.user_name, role: body.join_as, permissions,
      mediaAllowed: body.media_allowed, ...(body.meta ? { meta: body.meta } : {}),
    };
    const token = await tokens.sign(claims);
    const receiveOnly = body.join_as === 'audience';
    store.createAttendee({
      meetingId: room.meetingId, attendeeId, externalUserId, name: body.user_name, role: body.join_as, permissions,
      capabilities: receiveOnly ? { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } : { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' },
      joinToken: token, createdAt: Date.now(),
    });
    const base = baseUrlOf(config.publicUrl, request.protocol, request.host);
    return { token, member_id: attendeeId, room_id: room.meetingId, room_name: roomSettingsOf(room)!.name, signaling_url: `${base.href.replace(/^http/, 'ws').replace(/\/$/, '')}/signaling` };
  });

  app.post('/project_tokens', async (request) => {
    const body = parse(ProjectTokenBody, request);
    return { token: await deps.projectTokens.sign(body.permissions, body.ttl_seconds), permissions: body.permissions };
  });
}

function parse<T extends z.ZodType>(schema: T, request: FastifyRequest): z.infer<T> {
  const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : {};
  } catch {
    throw new ParleyError(ErrorCode.BadRequest, 'body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ParleyError(ErrorCode.InvalidParams, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function mustFind(room: MeetingRecord | undefined, nameOrId: string): MeetingRecord {
  if (!room) throw new ParleyError(ErrorCode.NotFound, `no room ${nameOrId.slice(0, 100)}`);
  return room;
}
