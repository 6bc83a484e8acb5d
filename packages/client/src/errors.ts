/** The browser SDK's one error type; `code` is the server's stable error code when it has one. */
export class ParleyClientError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ParleyClientError';
    this.code = code;
  }
}
