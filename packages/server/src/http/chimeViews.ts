import type { AttendeeRecord, MeetingRecord } from '../store/types.js';
import { mediaPlacementFor, type MediaPlacement } from './mediaPlacement.js';

/** Chime's Meeting shape as the AWS SDK deserialises it. */
export interface ChimeMeeting {
  MeetingId: string;
  MeetingHostId?: string;
  ExternalMeetingId?: string;
  MediaRegion: string;
  MediaPlacement: MediaPlacement;
  MeetingFeatures?: Record<string, unknown>;
  PrimaryMeetingId?: string;
  TenantIds?: string[];
  MeetingArn: string;
}

export interface ChimeAttendee {
  ExternalUserId: string;
  AttendeeId: string;
  JoinToken: string;
  Capabilities: { Audio: string; Video: string; Content: string };
}

export interface ChimeAttendeeError {
  ExternalUserId: string;
  ErrorCode: string;
  ErrorMessage: string;
}

/** Chime's ARN form; Parley has no AWS account, so the account field is zeros. */
export function meetingArn(meeting: MeetingRecord): string {
  return `arn:aws:chime:${meeting.mediaRegion}:000000000000:meeting/${meeting.meetingId}`;
}

export function meetingView(meeting: MeetingRecord, base: URL): ChimeMeeting {
  const { extras } = meeting;
  const view: ChimeMeeting = {
    MeetingId: meeting.meetingId,
    MediaRegion: meeting.mediaRegion,
    MediaPlacement: mediaPlacementFor(base),
    MeetingArn: meetingArn(meeting),
  };
  // Extras were validated on the way in; the checks keep the types honest on the way out.
  if (typeof extras.MeetingHostId === 'string') view.MeetingHostId = extras.MeetingHostId;
  if (meeting.externalMeetingId !== null) view.ExternalMeetingId = meeting.externalMeetingId;
  if (isObject(extras.MeetingFeatures)) view.MeetingFeatures = extras.MeetingFeatures;
  if (typeof extras.PrimaryMeetingId === 'string') view.PrimaryMeetingId = extras.PrimaryMeetingId;
  if (Array.isArray(extras.TenantIds)) view.TenantIds = extras.TenantIds.filter((t): t is string => typeof t === 'string');
  return view;
}

export function attendeeView(attendee: AttendeeRecord, joinToken: string = attendee.joinToken): ChimeAttendee {
  return {
    ExternalUserId: attendee.externalUserId,
    AttendeeId: attendee.attendeeId,
    JoinToken: joinToken,
    Capabilities: { ...attendee.capabilities },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
