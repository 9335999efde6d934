import type { BusNames } from '@lfsync/contracts';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { PersisterMetrics } from '../metrics.ts';
import type { LogPosition } from '../store/log-position.ts';
import { ensureLogConsumer } from './log-consumer.ts';

/**
 * MongoDB restored from a backup misses what was stored after the backup, while the log consumer has
 * acknowledged it. The log position saved in MongoDB (with the backup) is where MongoDB was complete:
 * when the consumer stands past it, the consumer is recreated to deliver the log again from there.
 * Batches still stored are acknowledged as redeliveries; the others are stored again. What the log no
 * longer holds is reported per repository when its next batch arrives (`skipLostRanges`).
 */
export async function replayAfterRestore(options: {
  jsm: JetStreamManager;
  names: BusNames;
  position: LogPosition;
  consumer: { batchSize: number; replicas: number };
  metrics: PersisterMetrics;
  logger: Logger;
}): Promise<void> {
  const { jsm, names, position, logger } = options;
  const saved = await position.load();
  if (saved === undefined) return;
  const consumer = await jsm.consumers
    .info(names.logStream, names.persisterConsumer)
    .catch((err: unknown) => {
      // Deleted by an earlier attempt that failed before recreating it.
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)
        return undefined;
      throw err;
    });
  if (consumer === undefined) {
    await ensureLogConsumer(jsm, names, { ...options.consumer, startSequence: saved + 1 });
    return;
  }
  const ackFloor = consumer.ack_floor.stream_seq;
  if (saved >= ackFloor) return;
  const firstInLog = (await jsm.streams.info(names.logStream)).state.first_seq;
  logger.warn({ saved, ackFloor, firstInLog }, 'replaying the log from the position saved in MongoDB');
  if (saved + 1 < firstInLog) {
    logger.error(
      { trimmedFrom: saved + 1, trimmedTo: firstInLog - 1 },
      'the log was trimmed past the position saved in MongoDB: what MongoDB misses of it is lost (reported per repository)',
    );
  }
  await jsm.consumers.delete(names.logStream, names.persisterConsumer);
  await ensureLogConsumer(jsm, names, { ...options.consumer, startSequence: saved + 1 });
  options.metrics.replays.inc();
}
