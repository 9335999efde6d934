import { decodeBatchJson, type SequencedBatch } from '@lfsync/contracts';
import type { LogDelivery } from '@lfsync/ports';

export interface PlannedBatch<T> {
  batch: SequencedBatch;
  /** Each event's JSON as the log message carried it, when decoded from one. */
  eventsJson?: readonly string[];
  source: T;
}

export interface CommitPlan<T> {
  /** Next in line for their repository: store these, then raise the heads. */
  ready: PlannedBatch<T>[];
  /** Stored before (a redelivery): acknowledge; broadcast again in case the first broadcast was lost. */
  stored: PlannedBatch<T>[];
  /** Something before them is missing (still to be delivered): retry later. */
  blocked: PlannedBatch<T>[];
  heads: Map<string, number>;
}

/**
 * Decides, for log batches received in any order, which can be committed now without ever letting a
 * repository's head pass a missing sequence (invariant I3).
 */
export function planCommit<T>(
  received: readonly PlannedBatch<T>[],
  heads: ReadonlyMap<string, number>,
): CommitPlan<T> {
  const plan: CommitPlan<T> = { ready: [], stored: [], blocked: [], heads: new Map() };
  const sorted = [...received].sort(
    (a, b) =>
      a.batch.repository.localeCompare(b.batch.repository) || a.batch.fromSequence - b.batch.fromSequence,
  );
  for (const item of sorted) {
    const { repository, fromSequence, toSequence } = item.batch;
    const head = plan.heads.get(repository) ?? heads.get(repository) ?? 0;
    if (toSequence <= head) {
      plan.stored.push(item);
    } else if (fromSequence <= head + 1) {
      plan.ready.push(item);
      plan.heads.set(repository, toSequence);
    } else {
      plan.blocked.push(item);
    }
  }
  return plan;
}

/** The log messages as batches; those that are no batch go to `invalid`. */
export function decodeDeliveries(
  deliveries: readonly LogDelivery[],
  invalid: (delivery: LogDelivery, reason: string) => void,
): PlannedBatch<LogDelivery>[] {
  const items: PlannedBatch<LogDelivery>[] = [];
  for (const delivery of deliveries) {
    const decoded = decodeBatchJson(delivery.data);
    if (decoded.ok) items.push({ batch: decoded.batch, eventsJson: decoded.eventsJson, source: delivery });
    else invalid(delivery, decoded.reason);
  }
  return items;
}
