import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config/config.js';

const JoinBody = z.object({
  meeting: z.string().trim().min(2).max(64),
  name: z.string().trim().min(1).max(64),
});

/**
 * The demo app's backend: what an app's own server does with the Chime API. It creates (or
 * reuses) the meeting named by the user and an attendee, by calling Parley's REST API with the
 * server's credentials, so the demo exercises the same code path as any customer backend.
 * It answers as the Amazon Chime SDK demo backends do: `{ JoinInfo: { Meeting, Attendee } }`
 * holding the CreateMeeting response (`{ Meeting: {...} }`) and the CreateAttendee response
 * (`{ Attendee: {...} }`) unchanged, ready for `new MeetingSessionConfiguration(Meeting, Attendee)`.
 */
export function registerDemoRoutes(app: FastifyInstance, config: Config): void {
  const auth = `Basic ${Buffer.from(`${config.apiKey}:${config.apiSecret}`).toString('base64')}`;
  app.post('/demo/join', async (request, reply) => {
    const body = JoinBody.safeParse(request.body);
    if (!body.success) {
      const issue = body.error.issues[0];
      return reply.code(400).send({ Code: 'BadRequest', Message: `${issue?.path.join('.') || 'body'}: ${issue?.message}` });
    }
    const { meeting, name } = body.data;
    const headers = { authorization: auth, 'content-type': 'application/json', host: request.headers.host ?? 'localhost' };
    const created = await app.inject({
      method: 'POST',
      url: '/meetings',
      headers: { ...headers, 'x-forwarded-proto': request.protocol },
      payload: { ClientRequestToken: `demo:${meeting}`, ExternalMeetingId: meeting, MediaRegion: config.mediaRegion },
    });
    if (created.statusCode >= 300) return reply.code(created.statusCode).send(created.json());
    const meetingResponse = created.json<{ Meeting: { MeetingId: string } }>();
    const attendee = await app.inject({
      method: 'POST',
      url: `/meetings/${encodeURIComponent(meetingResponse.Meeting.MeetingId)}/attendees`,
      headers,
      // A fresh user id per join (two tabs with the same name are two people), carrying the name
      // after a '#' as the Chime SDK demos do, so the page can show it from the user id alone.
      payload: { ExternalUserId: `${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}#${name.slice(0, 55)}`, Name: name },
    });
    if (attendee.statusCode >= 300) return reply.code(attendee.statusCode).send(attendee.json());
    return { JoinInfo: { Meeting: meetingResponse, Attendee: attendee.json<{ Attendee: unknown }>() } };
  });
}
