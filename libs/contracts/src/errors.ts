/**
 * The one registry of error codes. A code is stable once published: clients branch on it.
 * `closeCode` is the WebSocket close code used when this error ends the connection.
 */
export const errorCodes = {
  INVALID_MESSAGE: { retryable: false, httpStatus: 400, closeCode: undefined },
  UNKNOWN_TYPE: { retryable: false, httpStatus: 400, closeCode: undefined },
  INVALID_REPOSITORY: { retryable: false, httpStatus: 400, closeCode: undefined },
  INVALID_EVENT: { retryable: false, httpStatus: 400, closeCode: undefined },
  NOT_AUTHENTICATED: { retryable: false, httpStatus: 401, closeCode: undefined },
  INVALID_TOKEN: { retryable: false, httpStatus: 401, closeCode: 4401 },
  TOKEN_EXPIRED: { retryable: false, httpStatus: 401, closeCode: 4401 },
  AUTH_TIMEOUT: { retryable: true, httpStatus: 401, closeCode: 4401 },
  FORBIDDEN: { retryable: false, httpStatus: 403, closeCode: undefined },
  NOT_FOUND: { retryable: false, httpStatus: 404, closeCode: undefined },
  PAYLOAD_TOO_LARGE: { retryable: false, httpStatus: 413, closeCode: undefined },
  BATCH_TOO_LARGE: { retryable: false, httpStatus: 413, closeCode: undefined },
  RATE_LIMITED: { retryable: true, httpStatus: 429, closeCode: undefined },
  TOO_MANY_PENDING: { retryable: true, httpStatus: 429, closeCode: undefined },
  PROTOCOL_VIOLATION: { retryable: false, httpStatus: 400, closeCode: 1008 },
  SLOW_CONSUMER: { retryable: true, httpStatus: 503, closeCode: 4408 },
  CONNECTION_LIMIT: { retryable: true, httpStatus: 503, closeCode: 1013 },
  UNAVAILABLE: { retryable: true, httpStatus: 503, closeCode: 1013 },
  SHUTTING_DOWN: { retryable: true, httpStatus: 503, closeCode: 1001 },
  INTERNAL: { retryable: true, httpStatus: 500, closeCode: undefined },
} as const satisfies Record<
  string,
  { retryable: boolean; httpStatus: number; closeCode: number | undefined }
>;

export type ErrorCode = keyof typeof errorCodes;
export const ERROR_CODE_LIST = Object.keys(errorCodes) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** The one error class the services throw for expected failure modes that cross a boundary. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs: number | undefined;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
  }
  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }
}
