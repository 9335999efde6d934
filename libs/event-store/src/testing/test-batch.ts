import type { SequencedBatch } from '@lfsync/contracts';

/**
 * The events `ids` as one log batch from sequence `from`, each of entity `d-<id>` unless `entityOf` says
 * otherwise; their data holds keys MongoDB takes as operators or paths (`a.b`, `$weird`), which the store
 * must keep as they were sent.
 */
export function batch(
  repository: string,
  from: number,
  ids: readonly string[],
  entityOf: (id: string, sequence: number) => string = (id) => `d-${id}`,
): SequencedBatch {
  return {
    repository,
    fromSequence: from,
    toSequence: from + ids.length - 1,
    events: ids.map((id, i) => ({
      _event_id: id,
      _operation: 0,
      _created_at: '2025-01-01T00:00:00.000Z',
      _data: { id: entityOf(id, from + i), 'a.b': 1, $weird: true },
      serverSequence: from + i,
    })),
  };
}
