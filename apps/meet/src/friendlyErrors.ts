import { ErrorCode, MeetingSessionStatusCode, ParleyClientError, type MeetingSessionStatus } from '@parley/client';
import { DemoJoinError } from './demoApi.js';

/** Turns SDK and backend errors into sentences for people, not developers. */
export function friendlyError(err: unknown): string {
  if (err instanceof DemoJoinError || err instanceof MeetingStartError) return err.message;
  if (err instanceof ParleyClientError) {
    switch (err.code) {
      case 'signaling_unreachable':
        return 'Could not connect to the meeting server. Check your connection and try again.';
      case 'timeout':
        return 'The meeting server took too long to answer. Try again.';
      case 'not_connected':
        return 'The connection to the meeting server closed.';
      case ErrorCode.MeetingNotFound:
        return 'This meeting has ended. Start it again by joining with the same name.';
      case ErrorCode.TokenExpired:
      case ErrorCode.TokenInvalid:
        return 'Your invitation to this meeting is no longer valid. Join again.';
      case ErrorCode.RoomLocked:
        return 'This meeting is locked.';
      case ErrorCode.VideoLimitReached:
        return 'This meeting already has as many cameras on as it allows.';
      case ErrorCode.ContentShareLimitReached:
        return 'Too many people are already sharing their screen.';
      case ErrorCode.RateLimited:
        return 'Too many attempts. Wait a moment and try again.';
      default:
        return err.message;
    }
  }
  if (err instanceof DOMException && err.name === 'NotAllowedError') return 'Permission was denied.';
  return err instanceof Error ? err.message : String(err);
}

/** Why a meeting session could not start, for the join form. */
export function statusMessage(status: MeetingSessionStatus): string {
  switch (status.statusCode()) {
    case MeetingSessionStatusCode.AudioAuthenticationRejected:
      return 'Your invitation to this meeting is no longer valid. Join again.';
    case MeetingSessionStatusCode.MeetingEnded:
      return 'This meeting has ended. Start it again by joining with the same name.';
    case MeetingSessionStatusCode.AudioCallAtCapacity:
      return 'This meeting is full or locked.';
    case MeetingSessionStatusCode.SignalingRequestFailed:
      return 'Could not connect to the meeting server. Check your connection and try again.';
    default:
      return 'The meeting could not be started. Try again.';
  }
}

/** A failed start, carrying the session's status for the join form. */
export class MeetingStartError extends Error {
  readonly status: MeetingSessionStatus;
  constructor(status: MeetingSessionStatus) {
    super(statusMessage(status));
    this.name = 'MeetingStartError';
    this.status = status;
  }
}
