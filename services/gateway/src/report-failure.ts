import { failureLogLevel, toAppError, type AppError } from '@lfsync/contracts';
import type { Logger } from 'pino';

/**
 * The gateway's boundaries (frames, REST, HTTP) turn whatever failed into the AppError the client sees,
 * and log it here, once, with its cause when it is a bug or an outage (refusals are not logged).
 */
export function reportFailure(
  logger: Logger,
  err: unknown,
  context: string,
  fields: Record<string, unknown> = {},
): AppError {
  const error = toAppError(err, context);
  const level = failureLogLevel(err);
  if (level !== undefined) logger[level]({ err, code: error.code, context, ...fields }, 'request failed');
  return error;
}
