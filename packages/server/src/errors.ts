import { ErrorCode } from '@parley/protocol';

/**
 * The server's one error type. `code` is stable and travels on the wire; `status` is the HTTP
 * status when the error reaches the REST API.
 */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ParleyError';
    this.code = code;
    this.status = options.status ?? defaultStatus(code);
  }
}

function defaultStatus(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.Unauthorized:
    case ErrorCode.TokenInvalid:
    case ErrorCode.TokenExpired:
      return 401;
    case ErrorCode.Forbidden:
    case ErrorCode.RoomLocked:
      return 403;
    case ErrorCode.NotFound:
    case ErrorCode.MeetingNotFound:
    case ErrorCode.AttendeeNotFound:
    case ErrorCode.TransportNotFound:
    case ErrorCode.ProducerNotFound:
    case ErrorCode.ConsumerNotFound:
      return 404;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.Internal:
    case ErrorCode.MediaError:
      return 500;
    default:
      return 400;
  }
}

/** Turns anything thrown into a ParleyError without leaking internals to the caller. */
export function toParleyError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  return new ParleyError(ErrorCode.Internal, 'internal server error', { cause: err });
}
