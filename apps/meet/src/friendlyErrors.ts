import { ParleyClientError } from '@parley/client';
import { ErrorCode } from '@parley/client';
import { DemoJoinError } from './demoApi.js';

/** Turns SDK and backend errors into sentences for people, not developers. */
export function friendlyError(err: unknown): string {
  if (err instanceof DemoJoinError) return err.message;
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
