import type { SequencedBatch } from '@lfsync/contracts';

/** A log batch of `repository` holding sequences `from..to`, event ids `e<sequence>`: for unit tests. */
export function sequencedBatch(from: number, to: number, repository = 'r'): SequencedBatch {
  return {
    repository,
    fromSequence: from,
    toSequence: to,
    events: Array.from({ length: to - from + 1 }, (_, i) => ({
      _event_id: `e${from + i}`,
      _operation: 0 as const,
      _created_at: 0,
      serverSequence: from + i,
    })),
  };
}
