import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorCode } from '@parley/protocol';
import { authenticateHttp } from '../auth/httpAuth.js';
import type { Config } from '../config/config.js';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CapturePipelines, type CapturePipeline, type PipelineRoom } from '../media/capturePipelines.js';
import type { MediaServices } from '../media/mediaServices.js';
import type { RoomControl } from '../rooms/roomControl.js';
import type { RoomManager } from '../rooms/roomManager.js';
import type { MeetingStore } from '../store/types.js';
import { MEDIA_PIPELINES_EXCEPTIONS, sendChimeError, toHttpError } from './chimeErrors.js';
import { HTTP_BODY_LIMIT } from './httpApp.js';
import { baseUrlOf } from './mediaPlacement.js';
import { parseBody } from './meetingsSchemas.js';
import { decodeNextToken, encodeNextToken, maxResults, queryParam, rawBody } from './chimeRequest.js';

export interface MediaPipelinesRoutesDeps {
  config: Config;
  store: MeetingStore;
  media: MediaServices;
  rooms: RoomManager;
  logger: Logger;
}

/** A string of min..max characters, with messages that say what is wrong. */
function text(min: number, max: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
    .min(min, `must be ${min}-${max} characters`)
    .max(max, `must be ${min}-${max} characters`);
}

/** arn:aws:chime::<account>:meeting:<MeetingId> (Chime's form), or Parley's MeetingArn (…:meeting/<id>). */
const MEETING_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]*:[^:]*:meeting[:/]([A-Za-z0-9_-]{1,64})$/;
/** arn:aws:s3:::bucket[/prefix] */
const S3_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const State = oneOf(['Enabled', 'Disabled'] as const);
const object = { error: 'must be an object' };

const ArtifactsConfiguration = z.looseObject({
  Audio: z.looseObject({ MuxType: oneOf(['AudioOnly', 'AudioWithActiveSpeakerVideo', 'AudioWithCompositedVideo'] as const) }, object),
  Video: z.looseObject({ State, MuxType: oneOf(['VideoOnly'] as const).optional() }, object),
  Content: z.looseObject({ State, MuxType: oneOf(['ContentOnly'] as const).optional() }, object),
  CompositedVideo: z.looseObject({
    Layout: oneOf(['GridView'] as const).optional(),
    Resolution: oneOf(['HD', 'FHD'] as const).optional(),
    GridViewConfiguration: z.looseObject({ ContentShareLayout: oneOf(['PresenterOnly', 'Horizontal', 'Vertical', 'ActiveSpeakerOnly'] as const) }, object),
  }, object).optional(),
}, object);
type ArtifactsConfiguration = z.infer<typeof ArtifactsConfiguration>;

/** CreateMediaCapturePipeline's body, with Chime's required fields and limits. */
const CreateMediaCapturePipelineBody = z.object({
  SourceType: z.literal('ChimeSdkMeeting', { error: 'must be ChimeSdkMeeting' }),
  SourceArn: text(1, 1024).regex(MEETING_ARN, 'must be a meeting ARN: arn:aws:chime::<account>:meeting:<MeetingId>'),
  SinkType: z.literal('S3Bucket', { error: 'must be S3Bucket' }),
  SinkArn: text(1, 1024).regex(S3_ARN, 'must be an S3 bucket ARN: arn:aws:s3:::<bucket>[/<prefix>]'),
  ClientRequestToken: text(2, 64).optional(),
  ChimeSdkMeetingConfiguration: z.looseObject({
    SourceConfiguration: z.looseObject({
      SelectedVideoStreams: z.looseObject({ AttendeeIds: z.array(text(1, 64)).max(25).optional(), ExternalUserIds: z.array(text(2, 64)).max(25).optional() }, object).optional(),
    }, object).optional(),
    ArtifactsConfiguration: ArtifactsConfiguration.optional(),
  }, object).optional(),
  SseAwsKeyManagementParams: z.looseObject({ AwsKmsKeyId: text(1, 4096), AwsKmsEncryptionContext: text(0, 4096).optional() }, object).optional(),
  SinkIamRoleArn: text(1, 1024).optional(),
  Tags: z.array(z.looseObject({ Key: text(1, 128), Value: text(0, 256) }, object)).max(50).optional(),
});

/**
 * Which Parley recording a capture pipeline makes: a composited video (CompositedVideo given, or
 * audio muxed with it) is the room's composite; individual artifacts (Chime's default) are the
 * tracks as sent, one file per track.
 */
export function recordingModeOf(artifacts: ArtifactsConfiguration | undefined): 'composite' | 'tracks' {
  if (!artifacts) return 'tracks';
  const mux = artifacts.Audio.MuxType;
  return artifacts.CompositedVideo !== undefined || mux === 'AudioWithCompositedVideo' || mux === 'AudioWithActiveSpeakerVideo' ? 'composite' : 'tracks';
}



/**
 * The Amazon Chime SDK Media Pipelines API's capture pipelines (what Chime apps record with), so
 * @aws-sdk/client-chime-sdk-media-pipelines works against Parley with only its endpoint changed:
 *   POST   /sdk-media-capture-pipelines                    CreateMediaCapturePipeline
 *   GET    /sdk-media-capture-pipelines[?max-results&next-token]  ListMediaCapturePipelines
 *   GET    /sdk-media-capture-pipelines/:MediaPipelineId   GetMediaCapturePipeline
 *   DELETE /sdk-media-capture-pipelines/:MediaPipelineId   DeleteMediaCapturePipeline
 *   and the same under /sdk-media-pipelines (ListMediaPipelines, GetMediaPipeline, DeleteMediaPipeline).
 * A pipeline is a Parley recording of the meeting's room: files go to the server's recordings
 * folder, not S3 (SinkArn is kept as given). ParleyRecordingId/ParleyRecordingUri in the
 * pipeline (raw JSON) point at it in the recordings API (/api/recordings/:id).
 */
export const mediaPipelinesRoutes: FastifyPluginAsync<MediaPipelinesRoutesDeps> = async (app, deps) => {
  await app.register(async (scope) => routes(scope, deps));
};

async function routes(app: FastifyInstance, deps: MediaPipelinesRoutesDeps): Promise<void> {
  const { config, rooms, media } = deps;
  const log = deps.logger.child({ sub: 'mediaPipelines' });
  const roomOf = (control: RoomControl): PipelineRoom => ({
    roomSessionId: control.id,
    start: (params) => control.media.recordings.start(params),
    stop: (id) => control.media.recordings.stop(id),
  });
  const pipelines = new CapturePipelines({
    recordingStore: media.recordingStore,
    meetingExists: (meetingId) => deps.store.getMeeting(meetingId) !== undefined,
    roomOf: (meetingId) => {
      const control = rooms.controlOf(meetingId);
      return control ? roomOf(control) : undefined;
    },
    assertAvailable: () => media.assertAvailable(),
    logger: log,
  });
  const onStarted = (control: RoomControl) => pipelines.handleRoomStarted(control.room.meetingId, roomOf(control));
  const onEvent = (control: RoomControl, name: string, data: unknown) => {
    if (name === 'room.ended') pipelines.handleRoomEnded(control.id);
    else if (name === 'recording.ended') pipelines.handleRecordingEnded((data as { recording: { id: string } }).recording.id);
  };
  rooms.on('roomStarted', onStarted);
  rooms.on('roomEvent', onEvent);
  app.addHook('onClose', async () => {
    rooms.off('roomStarted', onStarted);
    rooms.off('roomEvent', onEvent);
  });

  // SigV4 signs the exact body bytes: keep them raw, parse JSON after authentication.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addHook('preValidation', async (request) => {
    authenticateHttp(request.raw, rawBody(request), config);
  });
  app.setErrorHandler((err, request, reply) => {
    const error = toHttpError(err, HTTP_BODY_LIMIT);
    // Media services missing on this server: the service is unavailable, not the request wrong.
    const unavailable = error.code === ErrorCode.NotAvailable ? new ParleyError(error.code, error.message, { status: 503, cause: error }) : error;
    return sendChimeError(request, reply, unavailable, log, MEDIA_PIPELINES_EXCEPTIONS);
  });

  const view = (p: CapturePipeline, request: FastifyRequest) => pipelineView(p, config.mediaRegion, baseUrlOf(config.publicUrl, request.protocol, request.host));
  const list = (request: FastifyRequest) => {
    const limit = maxResults(queryParam(request, 'max-results'));
    const after = decodeNextToken(queryParam(request, 'next-token'));
    const page = pipelines.list(limit, after);
    const last = page.pipelines.at(-1);
    return {
      summaries: page.pipelines.map((p) => ({ MediaPipelineId: p.id, MediaPipelineArn: pipelineArn(p, config.mediaRegion) })),
      ...(page.more && last ? { NextToken: encodeNextToken(last.id) } : {}),
    };
  };

  app.post('/sdk-media-capture-pipelines', async (request, reply) => {
    const body = parseBody(CreateMediaCapturePipelineBody, rawBody(request));
    const meetingId = MEETING_ARN.exec(body.SourceArn)?.[1] ?? '';
    // Shown back by Get as given (Tags are accepted and not kept: Parley has no tagging API).
    const echo = Object.fromEntries(
      (['SourceType', 'SourceArn', 'SinkType', 'SinkArn', 'ChimeSdkMeetingConfiguration', 'SseAwsKeyManagementParams', 'SinkIamRoleArn'] as const)
        .filter((k) => body[k] !== undefined).map((k) => [k, body[k]]),
    );
    const pipeline = pipelines.create({
      meetingId, mode: recordingModeOf(body.ChimeSdkMeetingConfiguration?.ArtifactsConfiguration), request: echo, clientRequestToken: body.ClientRequestToken,
    });
    return reply.code(201).send({ MediaCapturePipeline: view(pipeline, request) });
  });
  app.get('/sdk-media-capture-pipelines', async (request) => {
    const { summaries, NextToken } = list(request);
    return { MediaCapturePipelines: summaries, ...(NextToken ? { NextToken } : {}) };
  });
  app.get<{ Params: { MediaPipelineId: string } }>('/sdk-media-capture-pipelines/:MediaPipelineId', async (request) => ({
    MediaCapturePipeline: view(pipelines.get(request.params.MediaPipelineId), request),
  }));
  app.get('/sdk-media-pipelines', async (request) => {
    const { summaries, NextToken } = list(request);
    return { MediaPipelines: summaries, ...(NextToken ? { NextToken } : {}) };
  });
  app.get<{ Params: { MediaPipelineId: string } }>('/sdk-media-pipelines/:MediaPipelineId', async (request) => ({
    MediaPipeline: { MediaCapturePipeline: view(pipelines.get(request.params.MediaPipelineId), request) },
  }));
  for (const prefix of ['/sdk-media-capture-pipelines', '/sdk-media-pipelines']) {
    app.delete<{ Params: { MediaPipelineId: string } }>(`${prefix}/:MediaPipelineId`, async (request, reply) => {
      pipelines.delete(request.params.MediaPipelineId);
      return reply.code(204).send();
    });
  }
}

function pipelineArn(p: CapturePipeline, region: string): string {
  return `arn:aws:chime:${region}:000000000000:media-pipeline/${p.id}`;
}

/** The MediaCapturePipeline JSON: the request's fields as given, plus where Parley's recording is. */
function pipelineView(p: CapturePipeline, region: string, base: URL): Record<string, unknown> {
  const recordingUri = p.recordingId === undefined ? undefined : new URL(`api/recordings/${p.recordingId}`, base).href;
  return {
    MediaPipelineId: p.id,
    MediaPipelineArn: pipelineArn(p, region),
    ...p.request,
    Status: p.status,
    CreatedTimestamp: new Date(p.createdAt).toISOString(),
    UpdatedTimestamp: new Date(p.updatedAt).toISOString(),
    // Parley extensions (the AWS SDK drops unknown fields; read them from the raw JSON).
    ...(p.recordingId !== undefined ? { ParleyRecordingId: p.recordingId, ParleyRecordingUri: recordingUri } : {}),
    ...(p.reason !== null ? { ParleyStatusReason: p.reason } : {}),
  };
}




