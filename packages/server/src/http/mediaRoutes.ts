import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import send from '@fastify/send';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, type RecordingRow } from '@parley/protocol';
import { authenticateHttp } from '../auth/httpAuth.js';
import type { Config } from '../config/config.js';
import { ParleyError } from '../errors.js';
import { toHttpError } from './chimeErrors.js';
import { HTTP_BODY_LIMIT } from './httpApp.js';
import type { Logger } from '../logger.js';
import type { MediaServices } from '../media/mediaServices.js';
import type { RoomManager } from '../rooms/roomManager.js';
import type { RecordingRecord } from '../store/types.js';

export interface MediaRoutesDeps {
  config: Config;
  media: MediaServices;
  rooms: RoomManager;
  logger: Logger;
}

/**
 * Recordings and previews over HTTP.
 *   GET    /api/room_sessions/:id/recordings   a room session's recordings (SignalWire's REST rows)
 *   GET    /api/recordings?room_id=            recordings of a room, or all
 *   GET    /api/recordings/:id                 one
 *   GET    /api/recordings/:id/download        the file (HTTP range requests)
 *   DELETE /api/recordings/:id                 the row and its file (not while it records)
 * with the API key; and without it, GET /previews/:session/:token.jpg (the URL is the secret).
 */
export const mediaRoutes: FastifyPluginAsync<MediaRoutesDeps> = async (app, deps) => {
  await app.register(async (scope) => api(scope, deps), { prefix: '/api' });
  await app.register(async (scope) => previews(scope, deps));
};

async function api(app: FastifyInstance, deps: MediaRoutesDeps): Promise<void> {
  const { media, config } = deps;
  const log = deps.logger.child({ sub: 'mediaApi' });
  app.addHook('preValidation', async (request) => {
    authenticateHttp(request.raw, Buffer.alloc(0), config);
  });
  app.setErrorHandler((err, _request, reply) => {
    // Fastify's own 4xx (body too large, bad content) are the caller's: 400, not internal_error.
    const error = toHttpError(err, HTTP_BODY_LIMIT);
    if (error.status >= 500) log.error({ err }, 'media API request failed');
    return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
  });

  const store = media.recordingStore;
  const find = (id: string): RecordingRecord => {
    const r = store.getRecording(id);
    if (!r) throw new ParleyError(ErrorCode.NotFound, `no recording ${id.slice(0, 64)}`);
    return r;
  };
  const row = (r: RecordingRecord, request: FastifyRequest): RecordingRow => ({
    id: r.id, room_session_id: r.roomSessionId, room_id: r.roomId, status: r.state, mode: r.mode,
    started_at: new Date(r.startedAt).toISOString(), finished_at: r.endedAt === null ? null : new Date(r.endedAt).toISOString(),
    duration: r.duration, size_in_bytes: r.sizeInBytes, format: r.format, reason: r.reason,
    uri: `${base(request)}/api/recordings/${r.id}/download`,
    // Tracks mode has a file per track: download one with ?file=<index>.
    files: r.files.map((f, index) => ({ index, name: basename(f), uri: `${base(request)}/api/recordings/${r.id}/download?file=${index}` })),
  });
  const base = (request: FastifyRequest) => (config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/$/, '');

  app.get<{ Params: { id: string } }>('/room_sessions/:id/recordings', async (request) => ({
    data: store.listRecordings({ roomSessionId: request.params.id }).map((r) => row(r, request)),
  }));
  app.get<{ Querystring: { room_id?: string } }>('/recordings', async (request) => ({
    data: store.listRecordings(request.query.room_id ? { roomId: String(request.query.room_id) } : {}).map((r) => row(r, request)),
  }));
  app.get<{ Params: { id: string } }>('/recordings/:id', async (request) => row(find(request.params.id), request));
  app.get<{ Params: { id: string }; Querystring: { file?: string } }>('/recordings/:id/download', async (request, reply) => {
    const r = find(request.params.id);
    const index = request.query.file === undefined ? 0 : Number(request.query.file);
    const file = Number.isInteger(index) ? r.files[index] : undefined;
    if (!file) throw new ParleyError(ErrorCode.NotFound, `this recording has no file ${String(request.query.file ?? 0).slice(0, 10)}`);
    return sendFile(request, reply, file, `recording-${r.id}${file.slice(file.lastIndexOf('.'))}`);
  });
  app.delete<{ Params: { id: string } }>('/recordings/:id', async (request, reply) => {
    const r = find(request.params.id);
    if (r.state !== 'completed') throw new ParleyError(ErrorCode.InvalidParams, 'stop the recording before deleting it');
    for (const f of r.files) rmSync(f, { force: true });
    // A tracks-mode recording's files are in a folder of its own, named after it.
    const folder = r.mode === 'tracks' && r.files[0] ? dirname(r.files[0]) : undefined;
    if (folder && basename(folder) === r.id) rmSync(folder, { recursive: true, force: true });
    store.deleteRecording(r.id);
    log.info({ recordingId: r.id }, 'recording deleted');
    return reply.code(204).send();
  });
}

async function previews(app: FastifyInstance, deps: MediaRoutesDeps): Promise<void> {
  app.get<{ Params: { session: string; file: string } }>('/previews/:session/:file', async (request, reply) => {
    const token = request.params.file.replace(/\.jpg$/, '');
    const path = deps.media.previewFile(request.params.session, token);
    if (!path) return reply.code(404).send({ error: { code: ErrorCode.NotFound, message: 'no preview (yet) for this room session' } });
    reply.header('cache-control', 'no-store');
    return sendFile(request, reply, path);
  });
}

/** Streams a file with range support (@fastify/send); `download` names it for the browser. */
async function sendFile(request: FastifyRequest, reply: FastifyReply, file: string, download?: string): Promise<FastifyReply> {
  const result = await send(request.raw, encodeURIComponent(basename(file)), { root: dirname(file), cacheControl: false, etag: false, lastModified: true });
  if (result.type === 'error') throw new ParleyError(ErrorCode.NotFound, 'the file is gone');
  reply.code(result.statusCode);
  for (const [k, v] of Object.entries(result.headers)) reply.header(k, v);
  if (download) reply.header('content-disposition', `attachment; filename="${download}"`);
  return reply.send(result.stream);
}
