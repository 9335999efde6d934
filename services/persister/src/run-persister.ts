import { systemClock, type Clock, type CommitPublisher, type EventWriter, type LogFeed } from '@lfsync/ports';
import type { Logger } from 'pino';
import { consumeLogFeed } from './domain/consume-log-feed.ts';
import { LogPersister, type LogReader } from './domain/log-persister.ts';
import { createPersisterMetrics, type PersisterMetrics } from './metrics.ts';

export interface PersisterOptions {
  feed: LogFeed;
  store: EventWriter;
  publisher: CommitPublisher;
  logger: Logger;
  /** Log messages taken and written together. */
  batchSize: number;
  writesInFlight?: number;
  logReader?: LogReader;
  metrics?: PersisterMetrics;
  clock?: Clock;
}

/**
 * The persister on any feed and store: consumes the log, writes it in order, then announces the commits.
 * `stop()` lets the group in hand finish and leaves the rest to be delivered again.
 */
export function runPersister(options: PersisterOptions): { stop(): Promise<void> } {
  const clock = options.clock ?? systemClock;
  const persister = new LogPersister({
    store: options.store,
    publisher: options.publisher,
    logger: options.logger,
    metrics: options.metrics ?? createPersisterMetrics(),
    clock,
    ...(options.writesInFlight === undefined ? {} : { writesInFlight: options.writesInFlight }),
    ...(options.logReader === undefined ? {} : { logReader: options.logReader }),
  });
  return consumeLogFeed({
    feed: options.feed,
    sink: persister,
    batchSize: options.batchSize,
    logger: options.logger,
    clock,
  });
}
