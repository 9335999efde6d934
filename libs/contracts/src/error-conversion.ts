import { AppError, errorCodes } from './errors.ts';

/** Driver and client errors (by name, so no driver is imported) that mean "a server we need is away". */
const UNAVAILABLE_ERROR_NAMES = new Set([
  // MongoDB driver
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  // NATS client
  'TimeoutError',
  'NoResponders',
  'NoRespondersError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'JetStreamNotEnabled',
]);

/** Socket-level failures (Node `err.code`). */
const UNAVAILABLE_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * MongoDB server error codes (numeric `err.code`) that say "not now" rather than "wrong": a read or write
 * that ran out of time or was interrupted, a server that is stepping down, shutting down or overloaded, a
 * cursor the server dropped while a slow client was reading (10 minutes idle). FerretDB answers with the
 * same codes where it has them.
 */
const UNAVAILABLE_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  24, // LockTimeout
  43, // CursorNotFound
  46, // LockBusy
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11601, // Interrupted
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Labels the MongoDB driver puts on errors worth retrying. */
const UNAVAILABLE_ERROR_LABELS = ['RetryableWriteError', 'ResetPool', 'SystemOverloadedError'];

function hasRetryableLabel(labels: unknown): boolean {
  return Array.isArray(labels) && labels.some((label) => UNAVAILABLE_ERROR_LABELS.includes(label as string));
}

const MAX_CAUSE_DEPTH = 5;

/** True when `err` (or one of its causes) says a server we depend on is unreachable, closed or too slow. */
export function isUnavailability(err: unknown): boolean {
  let current = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof AppError) return current.code === 'UNAVAILABLE';
    const { name, code, cause, errorLabels } = current as {
      name?: unknown;
      code?: unknown;
      cause?: unknown;
      errorLabels?: unknown;
    };
    if (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) return true;
    if (typeof code === 'string' && UNAVAILABLE_ERROR_CODES.has(code)) return true;
    if (typeof code === 'number' && name === 'MongoServerError' && UNAVAILABLE_SERVER_CODES.has(code))
      return true;
    if (hasRetryableLabel(errorLabels)) return true;
    current = cause;
  }
  return false;
}

/**
 * The one conversion at every boundary: an AppError passes as is, an outage of NATS, the database or
 * another server we need becomes a retryable `UNAVAILABLE`, anything else is `INTERNAL` (a bug). The
 * original error is kept as `cause`; `context` names what failed, e.g. "catch-up".
 */
export function toAppError(err: unknown, context = 'request'): AppError {
  if (err instanceof AppError) return err;
  const code = isUnavailability(err) ? 'UNAVAILABLE' : 'INTERNAL';
  return new AppError(code, `${context} failed: ${errorCodes[code].message}`, { cause: err });
}

/**
 * How loudly a boundary logs a failure: `error` for a bug, `warn` for an outage, nothing for a refusal
 * (an AppError the code chose to throw, without an underlying cause, or any client error).
 */
export function failureLogLevel(err: unknown): 'error' | 'warn' | undefined {
  const error = toAppError(err);
  if (error.spec.httpStatus < 500) return undefined;
  if (error === err && error.cause === undefined) return undefined;
  return error.code === 'INTERNAL' ? 'error' : 'warn';
}
