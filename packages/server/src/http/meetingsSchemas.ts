import { z } from 'zod';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';

/**
 * Request bodies of the Chime SDK Meetings API, with Chime's length limits. Unknown fields are
 * dropped, as newer SDKs may send fields Parley does not know yet.
 */

/** A string of min..max characters, with messages that say what is wrong. */
function text(min: number, max: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
    .min(min, `must be ${min}-${max} characters`)
    .max(max, `must be ${min}-${max} characters`);
}

const Capability = z.enum(['SendReceive', 'Send', 'Receive', 'None'], {
  error: 'must be one of SendReceive, Send, Receive, None',
});

export const AttendeeCapabilities = z
  .object({ Audio: Capability, Video: Capability, Content: Capability }, { error: 'must be an object' })
  // Chime: content can only be received or sent by an attendee that can receive or send video.
  .refine((c) => !(c.Content !== 'None' && c.Video === 'None'), {
    message: 'Content capability requires a Video capability other than None',
    path: ['Content'],
  });
export type AttendeeCapabilities = z.infer<typeof AttendeeCapabilities>;

export const CreateAttendeeBody = z.object({
  ExternalUserId: text(2, 64),
  Capabilities: AttendeeCapabilities.optional(),
  /** Parley extension: display name; defaults to ExternalUserId. */
  Name: text(1, 128).optional(),
});
export type CreateAttendeeBody = z.infer<typeof CreateAttendeeBody>;

const featureObject = z.looseObject({}, { error: 'must be an object' });

const MeetingFields = {
  ClientRequestToken: text(2, 64).optional(),
  ExternalMeetingId: text(2, 64).optional(),
  MediaRegion: text(2, 64).optional(),
  MeetingHostId: text(2, 64).optional(),
  NotificationsConfiguration: featureObject.optional(),
  MeetingFeatures: z
    .looseObject(
      {
        Attendee: z
          .looseObject({ MaxCount: z.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').optional() })
          .optional(),
      },
      { error: 'must be an object' },
    )
    .optional(),
  PrimaryMeetingId: text(2, 64).optional(),
  TenantIds: z.array(text(2, 256), { error: 'must be an array' }).min(1, 'must have 1-5 items').max(5, 'must have 1-5 items').optional(),
  Tags: z
    .array(z.object({ Key: text(1, 128), Value: text(0, 256) }), { error: 'must be an array' })
    .min(1, 'must have 1-50 items')
    .max(50, 'must have 1-50 items')
    .optional(),
  MediaPlacementNetworkType: text(1, 64).optional(),
};

export const CreateMeetingBody = z.object(MeetingFields);
export type CreateMeetingBody = z.infer<typeof CreateMeetingBody>;

export const CreateMeetingWithAttendeesBody = z.object({
  ...MeetingFields,
  Attendees: z.array(CreateAttendeeBody, { error: (iss) => (iss.input === undefined ? 'is required' : 'must be an array') })
    .min(1, 'must have 1-10 items')
    .max(10, 'must have 1-10 items'),
});
export type CreateMeetingWithAttendeesBody = z.infer<typeof CreateMeetingWithAttendeesBody>;

export const BatchCreateAttendeeBody = z.object({
  Attendees: z.array(CreateAttendeeBody, { error: (iss) => (iss.input === undefined ? 'is required' : 'must be an array') })
    .min(1, 'must have 1-100 items')
    .max(100, 'must have 1-100 items'),
});
export type BatchCreateAttendeeBody = z.infer<typeof BatchCreateAttendeeBody>;

/** Parses a raw JSON body against a schema; every failure is a 400 that names the field. */
export function parseBody<S extends z.ZodType>(schema: S, raw: Buffer | undefined): z.infer<S> {
  let json: unknown = {};
  if (raw && raw.byteLength > 0) {
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ParleyError(ErrorCode.BadRequest, 'Request body is not valid JSON.');
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ParleyError(ErrorCode.BadRequest, 'Request body must be a JSON object.');
  }
  return parseWith(schema, json);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ParleyError(ErrorCode.BadRequest, describeIssues(result.error));
  return result.data;
}

/** "Attendees[1].ExternalUserId: must be 2-64 characters; MediaRegion: must be a string" */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
