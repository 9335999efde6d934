/** What the server does with an error code, and what a client should do about it. */
export interface ErrorSpec {
  /** Status of a REST answer with this code. */
  readonly httpStatus: number;
  /** WebSocket close code when this error ends the session; undefined when the session lives on. */
  readonly closeCode: number | undefined;
  /** Message used when the thrower gives none. */
  readonly message: string;
  /** Sending the same request again later may succeed. */
  readonly retryable: boolean;
  /** Default wait before retrying (`retryAfterMs` of frames and bodies); undefined when not retryable. */
  readonly retryAfterMs: number | undefined;
  /** One line for client authors: how to recover. */
  readonly hint: string;
}

function refusal(httpStatus: number, message: string, hint: string, closeCode?: number): ErrorSpec {
  return { httpStatus, closeCode, message, retryable: false, retryAfterMs: undefined, hint };
}

function retryable(
  httpStatus: number,
  retryAfterMs: number,
  message: string,
  hint: string,
  closeCode?: number,
): ErrorSpec {
  return { httpStatus, closeCode, message, retryable: true, retryAfterMs, hint };
}

/**
 * The one registry of error codes. A code, its HTTP status and its close code are stable once published:
 * clients branch on them. Retryable codes carry a default `retryAfterMs`.
 */
export const errorCodes = {
  INVALID_MESSAGE: refusal(400, 'malformed message', 'Send well-formed JSON as the protocol describes it.'),
  UNKNOWN_TYPE: refusal(400, 'unknown message type', 'Send only frame types of the protocol.'),
  INVALID_REPOSITORY: refusal(
    400,
    'invalid repository name',
    'Use a repository name of 1–64 characters matching [A-Za-z0-9][A-Za-z0-9_:/-]* (subscriptions also take "*" or a name prefix ending in "*").',
  ),
  INVALID_EVENT: refusal(
    400,
    'invalid event',
    'Fix the event (_event_id, _operation, _created_at, _data or _data_id); the same event fails again.',
  ),
  NESTING_TOO_DEEP: refusal(
    400,
    'event nests too deep',
    "Flatten the event's _data: it may nest at most MAX_DATA_DEPTH levels (64 by default).",
  ),
  NOT_AUTHENTICATED: refusal(
    401,
    'not authenticated',
    'Send auth first (WebSocket) or an Authorization: Bearer header (REST).',
  ),
  INVALID_TOKEN: refusal(
    401,
    'invalid token',
    'Get a new token from the issuer; the same token fails again.',
    4401,
  ),
  TOKEN_EXPIRED: refusal(401, 'token expired', 'Refresh the token and send auth again.', 4401),
  AUTH_TIMEOUT: retryable(
    401,
    1_000,
    'no valid auth in time',
    'Reconnect and send auth right after the connection opens.',
    4401,
  ),
  FORBIDDEN: refusal(403, 'no access', 'Ask for a token whose sync claim covers the repository.'),
  NOT_FOUND: refusal(404, 'not found', 'Check the path, the event id or the data id.'),
  METHOD_NOT_ALLOWED: refusal(
    405,
    'Method not allowed',
    'Use the HTTP method the endpoint is documented with (GET or POST).',
  ),
  PAYLOAD_TOO_LARGE: refusal(
    413,
    'payload too large',
    'Send smaller frames and events (MAX_FRAME_BYTES, MAX_DATA_BYTES).',
  ),
  BATCH_TOO_LARGE: refusal(413, 'batch too large', 'Split the batch (at most MAX_BATCH_EVENTS events).'),
  TOO_MANY_SUBSCRIPTIONS: refusal(
    429,
    'too many subscriptions',
    'Unsubscribe from something first, or subscribe to a pattern (MAX_SUBSCRIPTIONS_PER_SESSION).',
  ),
  PRESENCE_LIMIT: retryable(
    429,
    1_000,
    'presence limit reached',
    'The repository has PRESENCE_MAX_MEMBERS members, or presence updates came faster than PRESENCE_UPDATES_PER_SEC: retry after retryAfterMs.',
  ),
  RATE_LIMITED: retryable(429, 1_000, 'too many messages', 'Slow down; send again after retryAfterMs.'),
  TOO_MANY_PENDING: retryable(
    429,
    500,
    'too many unacknowledged events',
    'Wait for acks before pushing more; send again after retryAfterMs.',
  ),
  PROTOCOL_VIOLATION: refusal(
    400,
    'protocol violation',
    'Fix the client: it sent too many invalid frames.',
    1008,
  ),
  SLOW_CONSUMER: retryable(
    503,
    1_000,
    'slow consumer',
    'Read frames faster; reconnect and catch up from the last sequence received.',
    4408,
  ),
  CONNECTION_LIMIT: retryable(503, 5_000, 'too many connections', 'Reconnect later, with backoff.', 1013),
  UNAVAILABLE: retryable(
    503,
    1_000,
    'temporarily unavailable',
    'Retry after retryAfterMs with backoff; pushing the same events again is safe.',
    1013,
  ),
  SHUTTING_DOWN: retryable(
    503,
    1_000,
    'server shutting down',
    'Reconnect (another gateway answers) and catch up.',
    1001,
  ),
  INTERNAL: retryable(
    500,
    1_000,
    'internal error',
    'Retry later; the server logged the cause. Report it if it persists.',
  ),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;
export const ERROR_CODE_LIST = Object.keys(errorCodes) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** The one error class the services throw for expected failure modes that cross a boundary. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** An explicit wait; `retryAfterMs` falls back to the registry's default for retryable codes. */
  readonly #retryAfterMs: number | undefined;
  constructor(
    code: ErrorCode,
    message: string = errorCodes[code].message,
    options: { cause?: unknown; retryAfterMs?: number | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.#retryAfterMs = options.retryAfterMs;
  }
  get spec(): ErrorSpec {
    return errorCodes[this.code];
  }
  get retryable(): boolean {
    return this.spec.retryable;
  }
  /** How long a client should wait before retrying; undefined when it should not retry as is. */
  get retryAfterMs(): number | undefined {
    return this.spec.retryable ? (this.#retryAfterMs ?? this.spec.retryAfterMs) : undefined;
  }
}
