import { errorCodes, type ErrorCode } from '@lfsync/contracts';

/**
 * The server refused a subscription, a presence join or a presence update (an `error` frame naming its
 * repository), or ended a subscription on its own (a token refresh took away the right to read it). `code` is
 * one of the contracts' error codes: `FORBIDDEN`, `INVALID_REPOSITORY`, `TOO_MANY_SUBSCRIPTIONS`,
 * `PRESENCE_LIMIT`, `PAYLOAD_TOO_LARGE`, `INVALID_MESSAGE`, ….
 */
export class SubscriptionError extends Error {
  override readonly name = 'SubscriptionError';
  readonly code: ErrorCode;
  /** Whether the same request may succeed later unchanged (the SDK retries those by itself). */
  readonly retryable: boolean;
  /** The repository or pattern, as subscribed. */
  readonly repository: string;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, repository: string, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.retryable = errorCodes[code].retryable;
    this.repository = repository;
    this.retryAfterMs = retryAfterMs;
  }
}
