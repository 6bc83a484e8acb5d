import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ErrorCode } from '@parley/protocol';
import { authenticateHttp } from '../auth/httpAuth.js';
import { ParleyError } from '../errors.js';
import { ChimeMeetings, type ChimeMeetingsDeps, type IssuedAttendee } from './chimeMeetings.js';
import { attendeeView, meetingView, type ChimeAttendee, type ChimeAttendeeError } from './chimeViews.js';
import { baseUrlOf } from './mediaPlacement.js';
import {
  BatchCreateAttendeeBody,
  CreateAttendeeBody,
  CreateMeetingBody,
  CreateMeetingWithAttendeesBody,
  parseBody,
} from './meetingsSchemas.js';
import type { MeetingRecord } from '../store/types.js';
import { decodeNextToken, encodeNextToken, maxResults, queryParam, rawBody } from './chimeRequest.js';

export type MeetingsRoutesOptions = ChimeMeetingsDeps;

interface MeetingParams {
  MeetingId: string;
}
interface AttendeeParams extends MeetingParams {
  AttendeeId: string;
}


/**
 * The Amazon Chime SDK Meetings REST API under /meetings: same paths, fields, status codes and
 * error shapes, so @aws-sdk/client-chime-sdk-meetings works against Parley unchanged.
 * Every route requires authentication (SigV4, Basic or Bearer; see auth/httpAuth.ts).
 */
export const meetingsRoutes: FastifyPluginAsync<MeetingsRoutesOptions> = async (app, deps) => {
  await app.register(async (scope) => routes(scope, deps), { prefix: '/meetings' });
};

async function routes(app: FastifyInstance, deps: MeetingsRoutesOptions): Promise<void> {
  const meetings = new ChimeMeetings({ ...deps, logger: deps.logger.child({ sub: 'meetings' }) });

  // SigV4 signs the exact body bytes, so this scope keeps them raw and parses JSON itself
  // (after authentication: an unauthenticated caller learns nothing from a JSON error).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addHook('preValidation', async (request) => {
    authenticateHttp(request.raw, rawBody(request), deps.config);
  });
  app.setNotFoundHandler(async (request) => {
    throw new ParleyError(ErrorCode.NotFound, `Parley does not support ${request.method} ${request.url.split('?')[0]}.`);
  });

  const baseOf = (request: FastifyRequest) => baseUrlOf(deps.config.publicUrl, request.protocol, request.host);

  // CreateMeeting, and CreateMeetingWithAttendees (?operation=create-attendees).
  app.post('/', async (request) => {
    const operation = queryParam(request, 'operation');
    if (operation === undefined) {
      const meeting = meetings.createMeeting(parseBody(CreateMeetingBody, rawBody(request)));
      return { Meeting: meetingView(meeting, baseOf(request)) };
    }
    if (operation !== 'create-attendees') throw unknownOperation(operation);
    const body = parseBody(CreateMeetingWithAttendeesBody, rawBody(request));
    const meeting = meetings.createMeeting(body);
    const { Attendees, Errors } = await createMany(meetings, meeting, body.Attendees);
    return { Meeting: meetingView(meeting, baseOf(request)), Attendees, Errors };
  });

  app.get<{ Params: MeetingParams }>('/:MeetingId', async (request) => {
    return { Meeting: meetingView(meetings.getMeeting(request.params.MeetingId), baseOf(request)) };
  });

  app.delete<{ Params: MeetingParams }>('/:MeetingId', async (request, reply) => {
    meetings.deleteMeeting(request.params.MeetingId);
    return reply.code(204).send();
  });

  // CreateAttendee, and BatchCreateAttendee (?operation=batch-create).
  app.post<{ Params: MeetingParams }>('/:MeetingId/attendees', async (request) => {
    const operation = queryParam(request, 'operation');
    if (operation !== undefined && operation !== 'batch-create') throw unknownOperation(operation);
    const meeting = meetings.getMeeting(request.params.MeetingId);
    if (operation === 'batch-create') {
      const body = parseBody(BatchCreateAttendeeBody, rawBody(request));
      return createMany(meetings, meeting, body.Attendees);
    }
    const issued = await meetings.createAttendee(meeting, parseBody(CreateAttendeeBody, rawBody(request)));
    return { Attendee: attendeeView(issued.attendee, issued.joinToken) };
  });

  app.get<{ Params: MeetingParams }>('/:MeetingId/attendees', async (request) => {
    const limit = maxResults(queryParam(request, 'max-results') ?? queryParam(request, 'MaxResults'));
    const after = decodeNextToken(queryParam(request, 'next-token') ?? queryParam(request, 'NextToken'));
    const page = await meetings.listAttendees(request.params.MeetingId, limit, after);
    const last = page.attendees.at(-1);
    return {
      Attendees: page.attendees.map(view),
      ...(page.more && last ? { NextToken: encodeNextToken(last.attendee.attendeeId) } : {}),
    };
  });

  app.get<{ Params: AttendeeParams }>('/:MeetingId/attendees/:AttendeeId', async (request) => {
    return { Attendee: view(await meetings.getAttendee(request.params.MeetingId, request.params.AttendeeId)) };
  });

  app.delete<{ Params: AttendeeParams }>('/:MeetingId/attendees/:AttendeeId', async (request, reply) => {
    meetings.deleteAttendee(request.params.MeetingId, request.params.AttendeeId);
    return reply.code(204).send();
  });
}

/** Creates attendees one by one; a failure (e.g. the attendee limit) becomes an entry in Errors. */
async function createMany(
  meetings: ChimeMeetings,
  meeting: MeetingRecord,
  items: CreateAttendeeBody[],
): Promise<{ Attendees: ChimeAttendee[]; Errors: ChimeAttendeeError[] }> {
  const Attendees: ChimeAttendee[] = [];
  const Errors: ChimeAttendeeError[] = [];
  for (const item of items) {
    try {
      Attendees.push(view(await meetings.createAttendee(meeting, item)));
    } catch (err) {
      if (!(err instanceof ParleyError) || err.status >= 500) throw err;
      Errors.push({ ExternalUserId: item.ExternalUserId, ErrorCode: err.status === 404 ? 'NotFound' : 'BadRequest', ErrorMessage: err.message });
    }
  }
  return { Attendees, Errors };
}

function view(issued: IssuedAttendee): ChimeAttendee {
  return attendeeView(issued.attendee, issued.joinToken);
}

function unknownOperation(operation: string): ParleyError {
  return new ParleyError(ErrorCode.BadRequest, `operation: "${operation.slice(0, 64)}" is not supported here`);
}
