import type { LogDelivery } from '@lfsync/persister';
import type { Logger } from 'pino';
import { LmdbConsumerCursor } from './lmdb-consumer-cursor.ts';
import type { LmdbEnvironment } from './lmdb-environment.ts';
import type { LmdbSequenceLog, LogEntry } from './lmdb-sequence-log.ts';

/** What the consumer feeds: the persister's `LogPersister` in the embedded mode. */
export interface LogSink {
  persist(deliveries: readonly LogDelivery[]): Promise<void>;
  stop(): void;
}

const ERROR_BACKOFF_MS = 1_000;

/**
 * The embedded counterpart of the persister's JetStream durable consumer: delivers the log in order, in
 * groups of up to `batchSize`, from the stored cursor on. Entries the sink asks to retry later are delivered
 * again (before newer ones) after their delay; whatever was not acknowledged before a stop or crash is
 * delivered again after the restart.
 */
export function consumeLmdbLog(options: {
  env: LmdbEnvironment;
  log: LmdbSequenceLog;
  sink: LogSink;
  batchSize: number;
  logger: Logger;
  consumerName?: string;
}): { stop(): Promise<void> } {
  const { env, log, sink, batchSize, logger } = options;
  const cursor = new LmdbConsumerCursor(env, options.consumerName ?? 'persister');
  let nextPosition = cursor.floor + 1;
  let retries: LogEntry[] = [];
  const retryTimers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let signalled = false;
  let wake: (() => void) | undefined;

  const signal = () => {
    signalled = true;
    wake?.();
  };
  const unsubscribe = log.onAppend(signal);

  const delivery = (entry: LogEntry): LogDelivery => ({
    data: entry.data,
    json: () => JSON.parse(Buffer.from(entry.data).toString('utf8')) as unknown,
    ack: () => cursor.done(entry.position),
    reject: () => cursor.done(entry.position),
    retryLater: (delayMs) => {
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        retries.push(entry);
        signal();
      }, delayMs);
      retryTimers.add(timer);
    },
    // Nothing redelivers behind the sink's back while it works: there is no ack deadline in-process.
    working: () => undefined,
  });

  const take = (): LogEntry[] => {
    retries.sort((a, b) => a.position - b.position);
    const retried = retries.slice(0, batchSize);
    const fresh = retried.length < batchSize ? log.read(nextPosition - 1, batchSize - retried.length) : [];
    retries = retries.slice(retried.length);
    nextPosition = (fresh.at(-1)?.position ?? nextPosition - 1) + 1;
    return [...retried, ...fresh];
  };

  const running = (async () => {
    while (!stopped) {
      signalled = false;
      let entries: LogEntry[] = [];
      try {
        entries = take();
        if (entries.length === 0) {
          if (!signalled) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        await sink.persist(entries.map(delivery));
        await cursor.save();
      } catch (err) {
        // Delivered again: the sink treats what it already stored as a redelivery.
        retries.push(...entries);
        logger.error({ err }, 'embedded log consumer failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, ERROR_BACKOFF_MS));
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        unsubscribe();
        sink.stop();
        for (const timer of retryTimers) clearTimeout(timer);
        signal();
        await running;
        await cursor.save();
      })();
      return stopping;
    },
  };
}
