import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '@parley/protocol';
import { ParleyError, toParleyError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The error body Chime returns; the AWS SDK picks the exception class from x-amzn-ErrorType. */
export interface ChimeErrorBody {
  Code: string;
  Message: string;
  RequestId: string;
}

/** HTTP status -> the error code and exception class one Chime client expects. */
export type ChimeExceptions = Readonly<Record<number, { code: string; type: string }>>;

/** The Meetings API's exceptions. */
export const MEETINGS_EXCEPTIONS: ChimeExceptions = {
  400: { code: 'BadRequest', type: 'BadRequestException' },
  401: { code: 'Unauthorized', type: 'UnauthorizedException' },
  403: { code: 'Forbidden', type: 'ForbiddenException' },
  404: { code: 'NotFound', type: 'NotFoundException' },
  409: { code: 'Conflict', type: 'ConflictException' },
  422: { code: 'Unprocessable', type: 'UnprocessableEntityException' },
  429: { code: 'Throttling', type: 'ThrottlingException' },
  503: { code: 'ServiceUnavailable', type: 'ServiceUnavailableException' },
};
const SERVICE_FAILURE = { code: 'ServiceFailure', type: 'ServiceFailureException' };

/**
 * Turns anything a route threw into a ParleyError. Fastify's own 4xx errors (body too large,
 * bad content type, malformed JSON) are the caller's fault and become 400s; the rest is internal.
 */
export function toHttpError(err: unknown, bodyLimit: number): ParleyError {
  if (err instanceof ParleyError) return err;
  const fe = err as { code?: unknown; statusCode?: unknown; message?: unknown; validation?: unknown } | null;
  if (typeof fe === 'object' && fe !== null) {
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return new ParleyError(ErrorCode.MessageTooLarge, `Request body is larger than ${bodyLimit} bytes.`, { status: 400, cause: err });
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return new ParleyError(ErrorCode.BadRequest, 'Request body is not valid JSON.', { cause: err });
    }
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      const message = typeof fe.message === 'string' && fe.message ? fe.message : 'Bad request.';
      // 413/415 and friends have no Chime exception: report them as BadRequest.
      return new ParleyError(status === 404 ? ErrorCode.NotFound : ErrorCode.BadRequest, message, { status: status === 404 ? 404 : 400, cause: err });
    }
  }
  return toParleyError(err);
}

/** The Media Pipelines client names some differently (UnauthorizedClient, ThrottledClient). */
export const MEDIA_PIPELINES_EXCEPTIONS: ChimeExceptions = {
  ...MEETINGS_EXCEPTIONS,
  401: { code: 'UnauthorizedClient', type: 'UnauthorizedClientException' },
  429: { code: 'Throttled', type: 'ThrottledClientException' },
};

export function sendChimeError(request: FastifyRequest, reply: FastifyReply, error: ParleyError, logger: Logger, exceptions: ChimeExceptions = MEETINGS_EXCEPTIONS): FastifyReply {
  const mapped = exceptions[error.status] ?? SERVICE_FAILURE;
  const status = exceptions[error.status] ? error.status : 500;
  if (status >= 500) logger.error({ err: error.cause ?? error, reqId: request.id, url: request.url }, 'request failed');
  else logger.debug({ code: error.code, status, reqId: request.id }, error.message);
  const body: ChimeErrorBody = {
    Code: mapped.code,
    Message: status >= 500 && error.code === ErrorCode.Internal ? 'Internal server error.' : error.message,
    RequestId: request.id,
  };
  return reply.code(status).header('x-amzn-ErrorType', mapped.type).header('content-type', 'application/json; charset=utf-8').send(body);
}
