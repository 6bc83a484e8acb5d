import { randomUUID } from 'node:crypto';
import { ErrorCode, Role, SELF_PERMISSIONS } from '@parley/protocol';
import type { JoinTokens } from '../auth/joinTokens.js';
import type { Config } from '../config/config.js';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AttendeeRecord, LiveMeetings, MeetingRecord, MeetingStore } from '../store/types.js';
import type { CreateAttendeeBody, CreateMeetingBody } from './meetingsSchemas.js';

const DEFAULT_CAPABILITIES = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' } as const;
const EXTRA_FIELDS = [
  'MeetingHostId',
  'NotificationsConfiguration',
  'MeetingFeatures',
  'PrimaryMeetingId',
  'TenantIds',
  'Tags',
  'MediaPlacementNetworkType',
] as const;

export interface ChimeMeetingsDeps {
  config: Config;
  store: MeetingStore;
  live: LiveMeetings;
  tokens: JoinTokens;
  logger: Logger;
}

/** An attendee plus the join token to hand out (refreshed when the stored one is ageing). */
export interface IssuedAttendee {
  attendee: AttendeeRecord;
  joinToken: string;
}

/** The Chime meetings operations, independent of HTTP. */
export class ChimeMeetings {
  readonly #config: Config;
  readonly #store: MeetingStore;
  readonly #live: LiveMeetings;
  readonly #tokens: JoinTokens;
  readonly #logger: Logger;

  constructor(deps: ChimeMeetingsDeps) {
    this.#config = deps.config;
    this.#store = deps.store;
    this.#live = deps.live;
    this.#tokens = deps.tokens;
    this.#logger = deps.logger;
  }

  /** Idempotent on ClientRequestToken: the same token gives back the same meeting. */
  createMeeting(body: CreateMeetingBody): MeetingRecord {
    if (body.ClientRequestToken !== undefined) {
      const existing = this.#store.findMeetingByClientRequestToken(body.ClientRequestToken);
      if (existing) return existing;
    }
    const extras: Record<string, unknown> = {};
    for (const field of EXTRA_FIELDS) if (body[field] !== undefined) extras[field] = body[field];
    const meeting: MeetingRecord = {
      meetingId: randomUUID(),
      externalMeetingId: body.ExternalMeetingId ?? null,
      mediaRegion: body.MediaRegion ?? this.#config.mediaRegion,
      clientRequestToken: body.ClientRequestToken ?? null,
      extras,
      createdAt: Date.now(),
    };
    this.#store.createMeeting(meeting);
    this.#logger.info({ meetingId: meeting.meetingId, externalMeetingId: meeting.externalMeetingId }, 'meeting created');
    return meeting;
  }

  getMeeting(meetingId: string): MeetingRecord {
    const meeting = this.#store.getMeeting(meetingId);
    if (!meeting) throw new ParleyError(ErrorCode.MeetingNotFound, `The meeting ${meetingId} was not found.`);
    return meeting;
  }

  /** Ends the live session for everyone, then forgets the meeting and its attendees. */
  deleteMeeting(meetingId: string): void {
    this.getMeeting(meetingId);
    try {
      this.#live.endMeeting(meetingId);
    } catch (err) {
      // The caller asked for the meeting to be gone; a live-layer fault must not keep it alive.
      this.#logger.error({ err, meetingId }, 'ending the live meeting failed');
    }
    this.#store.deleteMeeting(meetingId);
    this.#logger.info({ meetingId }, 'meeting deleted');
  }

  /**
   * Chime behaviour: an ExternalUserId already in the meeting gets its existing attendee back.
   * The meeting must exist (checked by the caller and again after the token is signed).
   */
  async createAttendee(meeting: MeetingRecord, item: CreateAttendeeBody): Promise<IssuedAttendee> {
    const meetingId = meeting.meetingId;
    const existing = this.#store.findAttendeeByExternalUserId(meetingId, item.ExternalUserId);
    if (existing) return this.#issue(existing);
    this.#checkCapacity(meeting);

    const attendeeId = randomUUID();
    const name = item.Name ?? item.ExternalUserId;
    const permissions = [...SELF_PERMISSIONS];
    const joinToken = await this.#tokens.sign({ meetingId, attendeeId, externalUserId: item.ExternalUserId, name, role: Role.Member, permissions });

    // Signing yielded: another request may have created this user or deleted the meeting. From
    // here to the insert nothing yields, and the store is synchronous, so this is atomic.
    const raced = this.#store.findAttendeeByExternalUserId(meetingId, item.ExternalUserId);
    if (raced) return this.#issue(raced);
    this.getMeeting(meetingId);
    this.#checkCapacity(meeting);
    const attendee: AttendeeRecord = {
      meetingId,
      attendeeId,
      externalUserId: item.ExternalUserId,
      name,
      role: Role.Member,
      permissions,
      capabilities: { ...(item.Capabilities ?? DEFAULT_CAPABILITIES) },
      joinToken,
      createdAt: Date.now(),
    };
    this.#store.createAttendee(attendee);
    this.#logger.debug({ meetingId, attendeeId }, 'attendee created');
    return { attendee, joinToken };
  }

  async getAttendee(meetingId: string, attendeeId: string): Promise<IssuedAttendee> {
    this.getMeeting(meetingId);
    return this.#issue(this.#attendee(meetingId, attendeeId));
  }

  async listAttendees(meetingId: string, limit: number, after: string | undefined): Promise<{ attendees: IssuedAttendee[]; more: boolean }> {
    this.getMeeting(meetingId);
    const rows = this.#store.listAttendees(meetingId, { limit: limit + 1, after });
    const page = rows.slice(0, limit);
    return { attendees: await Promise.all(page.map((a) => this.#issue(a))), more: rows.length > limit };
  }

  deleteAttendee(meetingId: string, attendeeId: string): void {
    this.getMeeting(meetingId);
    this.#attendee(meetingId, attendeeId);
    // Forget first, so a reconnect racing the removal finds no attendee to rejoin as.
    this.#store.deleteAttendee(meetingId, attendeeId);
    try {
      this.#live.removeAttendee(meetingId, attendeeId);
    } catch (err) {
      this.#logger.error({ err, meetingId, attendeeId }, 'removing the live attendee failed');
    }
    this.#logger.debug({ meetingId, attendeeId }, 'attendee deleted');
  }

  #attendee(meetingId: string, attendeeId: string): AttendeeRecord {
    const attendee = this.#store.getAttendee(meetingId, attendeeId);
    if (!attendee) throw new ParleyError(ErrorCode.AttendeeNotFound, `The attendee ${attendeeId} was not found in meeting ${meetingId}.`);
    return attendee;
  }

  /** Chime's MeetingFeatures.Attendee.MaxCount lowers the server-wide limit for one meeting. */
  #checkCapacity(meeting: MeetingRecord): void {
    const features = meeting.extras.MeetingFeatures as { Attendee?: { MaxCount?: unknown } } | undefined;
    const requested = features?.Attendee?.MaxCount;
    const serverMax = this.#config.limits.maxAttendeesPerMeeting;
    const max = typeof requested === 'number' ? Math.min(requested, serverMax) : serverMax;
    if (this.#store.listAttendees(meeting.meetingId, { limit: max }).length >= max) {
      throw new ParleyError(ErrorCode.BadRequest, `The meeting ${meeting.meetingId} has reached its limit of ${max} attendees.`);
    }
  }

  /**
   * Chime join tokens last as long as the meeting; Parley's expire (config.tokenTtlSeconds).
   * A stored token past half its life is replaced by a fresh one with the same claims.
   */
  async #issue(attendee: AttendeeRecord): Promise<IssuedAttendee> {
    const ageMs = Date.now() - attendee.createdAt;
    if (ageMs < (this.#config.tokenTtlSeconds * 1000) / 2) return { attendee, joinToken: attendee.joinToken };
    const joinToken = await this.#tokens.sign({
      meetingId: attendee.meetingId,
      attendeeId: attendee.attendeeId,
      externalUserId: attendee.externalUserId,
      name: attendee.name,
      role: attendee.role,
      permissions: attendee.permissions,
    });
    return { attendee, joinToken };
  }
}
