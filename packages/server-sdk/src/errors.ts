/** The server SDK's one error type; `code` is the server's stable error code when it has one. */
export class ParleySdkError extends Error {
  readonly code: string;
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ParleySdkError';
    this.code = code;
    this.status = options.status;
  }
}
