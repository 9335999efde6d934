import type { SequenceReply } from './bus/messages.ts';
import { AppError } from './errors.ts';
import type { RestError } from './rest.ts';

/** What an error frame may say besides its code: which events and repository it concerns. */
export interface ErrorFrameContext {
  eventIds?: readonly string[] | undefined;
  repository?: string | undefined;
}

/** The WebSocket `error` frame (docs/protocol.md), with `retryAfterMs` for retryable codes. */
export function errorFrame(error: AppError, context: ErrorFrameContext = {}): string {
  const { retryAfterMs } = error;
  return JSON.stringify({
    type: 'error',
    code: error.code,
    message: error.message,
    ...(context.eventIds === undefined ? {} : { eventIds: context.eventIds }),
    ...(context.repository === undefined ? {} : { repository: context.repository }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A REST error body as docs/protocol.md gives it (`error`, `statusCode`) plus our `code` and `retryAfterMs`. */
export function errorBody(error: AppError): RestError {
  const { retryAfterMs } = error;
  return {
    error: error.message,
    statusCode: error.spec.httpStatus,
    code: error.code,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** The sequencer's failure reply on the bus; `retryAfterMs` crosses it so every bus mode gives one hint. */
export function errorReply(error: AppError): SequenceReply {
  const { retryAfterMs } = error;
  return {
    ok: false,
    code: error.code,
    message: error.message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** The AppError a failure reply stands for (the requester's side of `errorReply`). */
export function errorOfReply(reply: Extract<SequenceReply, { ok: false }>): AppError {
  return new AppError(reply.code, reply.message, { retryAfterMs: reply.retryAfterMs });
}
