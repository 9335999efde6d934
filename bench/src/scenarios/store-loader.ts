import type { SequencedBatch } from '@lfsync/contracts';
import type { EventWriter } from '@lfsync/ports';
import { mapLimit } from '../load/util.ts';

/** `count` events of one repository from `head + 1` on, in the shape clients push (plus the sequence). */
export function storedEvents(repository: string, head: number, count: number, pad: string) {
  const createdAt = new Date().toISOString();
  return Array.from({ length: count }, (_, k) => {
    const id = `${repository}-${head + k}`;
    return {
      _event_id: id,
      _operation: 0 as const,
      _created_at: createdAt,
      _data: { id, n: head + k, pad },
      serverSequence: head + k + 1,
    };
  });
}

export interface BulkLoad {
  repositories: readonly string[];
  eventsPerRepository: number;
  /** Events per log batch (one batch document each), as the persister would have stored them. */
  batchSize: number;
  pad: string;
  /** Log batches per `insert` call (the persister's group). */
  groupBatches: number;
  /** `insert` calls in flight at once. */
  writers: number;
}

interface GroupPlan {
  repository: string;
  /** First sequence of each batch in the group. */
  froms: number[];
}

function groupPlans(load: BulkLoad): GroupPlan[] {
  const plans: GroupPlan[] = [];
  for (const repository of load.repositories) {
    for (let head = 0; head < load.eventsPerRepository; head += load.batchSize * load.groupBatches) {
      const froms: number[] = [];
      for (let k = 0; k < load.groupBatches; k++) {
        const from = head + k * load.batchSize + 1;
        if (from <= load.eventsPerRepository) froms.push(from);
      }
      plans.push({ repository, froms });
    }
  }
  return plans;
}

function groupBatches(plan: GroupPlan, load: BulkLoad): SequencedBatch[] {
  return plan.froms.map((from) => {
    const size = Math.min(load.batchSize, load.eventsPerRepository - from + 1);
    const events = storedEvents(plan.repository, from - 1, size, load.pad);
    return { repository: plan.repository, fromSequence: from, toSequence: from + size - 1, events };
  });
}

/**
 * Fills the store directly, without the pipeline: the same `insert` calls the persister makes, in groups
 * of whole log batches (built as they are written, so a million events fit in memory), then the heads.
 * Returns events per second.
 */
export async function bulkLoad(store: EventWriter, load: BulkLoad): Promise<number> {
  const started = performance.now();
  await mapLimit(groupPlans(load), load.writers, (plan) => store.insert(groupBatches(plan, load)));
  // Once everything is in (FerretDB's upsert of one head from two writers at once can collide).
  await store.advanceHeads(new Map(load.repositories.map((r) => [r, load.eventsPerRepository])));
  const seconds = (performance.now() - started) / 1000;
  return (load.repositories.length * load.eventsPerRepository) / seconds;
}
