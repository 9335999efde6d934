import type { Cancel, Clock } from '@lfsync/ports';
import type { Logger } from 'pino';

const SLOW_COMMIT_WARNING_MS = 15_000;

/** Warns every SLOW_COMMIT_WARNING_MS while a commit is not done, naming its stage; returns what ends it. */
export function warnWhileSlow(clock: Clock, logger: Logger, stage: () => string): Cancel {
  const since = clock.now();
  const warnAndRearm = () => {
    const seconds = Math.round((clock.now() - since) / 1000);
    logger.warn({ stage: stage(), seconds }, 'slow commit');
    cancel = clock.schedule(SLOW_COMMIT_WARNING_MS, warnAndRearm);
  };
  let cancel = clock.schedule(SLOW_COMMIT_WARNING_MS, warnAndRearm);
  return () => cancel();
}
