import type { SequencedBatch } from '@lfsync/contracts';
import type { EventWriter } from '@lfsync/ports';

/** Sequences MongoDB misses that the log no longer holds. */
export interface LostRange {
  repository: string;
  fromSequence: number;
  toSequence: number;
}

export interface LostRangeFinder {
  /** The repository's first batch in the whole log past `afterSequence`. */
  firstBatchAfter(repository: string, afterSequence: number): Promise<SequencedBatch | undefined>;
}

/**
 * For repositories whose batches wait for a predecessor: if the log's first batch past the stored head
 * starts beyond head + 1, the sequences between were trimmed from the log after being stored, and MongoDB
 * no longer has them (restored from an older backup). Nothing can bring them back: the head is raised over
 * them so the repository moves on (no sequence is given twice: the log keeps the real head), and each
 * range is returned to be reported.
 */
export async function skipLostRanges(
  repositories: ReadonlySet<string>,
  heads: Map<string, number>,
  log: LostRangeFinder,
  store: EventWriter,
): Promise<LostRange[]> {
  const lost: LostRange[] = [];
  for (const repository of repositories) {
    const head = heads.get(repository) ?? 0;
    const first = await log.firstBatchAfter(repository, head);
    if (first === undefined || first.fromSequence <= head + 1) continue;
    lost.push({ repository, fromSequence: head + 1, toSequence: first.fromSequence - 1 });
  }
  if (lost.length === 0) return lost;
  await store.advanceHeads(new Map(lost.map((l) => [l.repository, l.toSequence])));
  for (const l of lost) heads.set(l.repository, l.toSequence);
  return lost;
}
