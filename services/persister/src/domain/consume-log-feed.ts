import type { Cancel, Clock, LogDelivery, LogFeed } from '@lfsync/ports';
import type { Logger } from 'pino';

/** What the loop feeds: `LogPersister`. */
export interface LogSink {
  persist(deliveries: readonly LogDelivery[]): Promise<void>;
  /** Ends retries of the group in hand; what is not acknowledged is delivered again later. */
  stop(): void;
  /** Resolves once every group taken is committed (or abandoned by the stop). */
  idle(): Promise<void>;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/** Delay before consuming again after `failures` failures in a row. */
export function consumerBackoffMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, failures - 1));
}

/**
 * Feeds `sink` from `feed`, in groups of at most `batchSize`: whatever arrived while a group was written is
 * taken together in the next one, so a busy log is written in large groups. The one failure policy of
 * every feed: a failure is logged once with its cause, the group is delivered again after a back-off that
 * grows while failures repeat, and consumption goes on. `stop()` lets the group in hand finish.
 */
export function consumeLogFeed(options: {
  feed: LogFeed;
  sink: LogSink;
  batchSize: number;
  logger: Logger;
  clock: Clock;
}): { stop(): Promise<void> } {
  const { feed, sink, batchSize, logger, clock } = options;
  let stopped = false;
  let failures = 0;
  const backOff = interruptibleSleep(clock);

  const consumeOnce = async (): Promise<boolean> => {
    let group: readonly LogDelivery[] = [];
    try {
      group = await feed.next(batchSize);
      if (group.length === 0) return false;
      await sink.persist(group);
      await feed.checkpoint();
      failures = 0;
    } catch (err) {
      failures += 1;
      const retryInMs = consumerBackoffMs(failures);
      logger.error({ err, deliveries: group.length, failures, retryInMs }, 'log consumer failed, retrying');
      for (const delivery of group) delivery.retryLater(retryInMs);
      await backOff.sleep(retryInMs);
    }
    return true;
  };

  const running = (async () => {
    while (!stopped && (await consumeOnce()));
    if (!stopped) logger.error('log feed closed while consuming');
  })();

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        sink.stop();
        backOff.interrupt();
        await feed.close();
        await running;
        await sink.idle();
        await feed.checkpoint();
      })();
      return stopping;
    },
  };
}

/** A sleep on `clock` that `interrupt()` ends at once (a stop does not wait out a back-off). */
function interruptibleSleep(clock: Clock): { sleep(delayMs: number): Promise<void>; interrupt(): void } {
  let pending: { cancel: Cancel; wake(): void } | undefined;
  return {
    sleep: (delayMs) =>
      new Promise<void>((resolve) => {
        pending = { cancel: clock.schedule(delayMs, resolve), wake: resolve };
      }).finally(() => (pending = undefined)),
    interrupt() {
      pending?.cancel();
      pending?.wake();
    },
  };
}
