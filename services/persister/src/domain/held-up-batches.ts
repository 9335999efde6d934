import type { SequencedBatch } from '@lfsync/contracts';
import type { LogDelivery } from '@lfsync/ports';
import type { PlannedBatch } from './commit-planner.ts';
import type { LostRangeFinder } from './lost-ranges.ts';

/** Reads the log directly, to fetch a batch whose delivery is held up (e.g. by a crashed persister). */
export interface LogReader extends LostRangeFinder {
  /** Batches of `repository` with `toSequence > afterSequence`, in log order, at most `limit`. */
  batchesAfter(repository: string, afterSequence: number, limit: number): Promise<SequencedBatch[]>;
}

const FETCHED_BATCHES_LIMIT = 64;

/**
 * The batches between each blocked repository's head and its blocked batches, read from the log. Their
 * own deliveries come later and are then acknowledged as redeliveries.
 */
export async function missingBatches(
  reader: LogReader,
  blocked: readonly PlannedBatch<LogDelivery>[],
  heads: ReadonlyMap<string, number>,
): Promise<PlannedBatch<LogDelivery>[]> {
  const fetched: PlannedBatch<LogDelivery>[] = [];
  for (const repository of new Set(blocked.map((b) => b.batch.repository))) {
    const head = heads.get(repository) ?? 0;
    for (const batch of await reader.batchesAfter(repository, head, FETCHED_BATCHES_LIMIT))
      fetched.push({ batch, source: detachedDelivery(batch) });
  }
  return fetched;
}

/** A batch read from the log rather than delivered: nothing to acknowledge. */
function detachedDelivery(batch: SequencedBatch): LogDelivery {
  const data = new TextEncoder().encode(JSON.stringify(batch));
  return {
    data,
    ack: () => undefined,
    retryLater: () => undefined,
    reject: () => undefined,
    working: () => undefined,
  };
}
