import type { Logger } from 'pino';
import { JetStreamReplicasError } from './replicas.ts';

/**
 * Retries `task` with capped exponential backoff until it succeeds: for start-up steps that need a dependency.
 * Errors `fatal` accepts (a configuration the dependency refuses for good) are thrown at once.
 */
export async function retryUntilDone<T>(
  what: string,
  task: () => Promise<T>,
  logger: Logger,
  options: { maxDelayMs?: number; fatal?: (err: unknown) => boolean } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      if (options.fatal?.(err) === true) throw err;
      const delayMs = Math.min(options.maxDelayMs ?? 5_000, 200 * 2 ** attempt);
      logger.warn({ err, attempt, delayMs }, `${what} failed, retrying`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * A JetStream set-up step at start-up: a cluster electing leaders may not answer for a while, so it is
 * waited for; a replica count the servers refuse stops the service.
 */
export function retryJetStreamSetup<T>(what: string, task: () => Promise<T>, logger: Logger): Promise<T> {
  return retryUntilDone(what, task, logger, {
    maxDelayMs: 1_000,
    fatal: (err) => err instanceof JetStreamReplicasError,
  });
}
