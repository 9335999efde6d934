import type { SequencedBatch } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { mergeContiguous } from './session-registry.ts';

function batch(repository: string, from: number, to: number): SequencedBatch {
  return {
    repository,
    fromSequence: from,
    toSequence: to,
    events: Array.from({ length: to - from + 1 }, (_, i) => ({
      _event_id: `${repository}${from + i}`,
      _operation: 0 as const,
      _created_at: 0,
      serverSequence: from + i,
    })),
  };
}

describe('mergeContiguous', () => {
  it('joins batches that follow each other into one, keeping every event in order', () => {
    const merged = mergeContiguous([batch('r', 1, 2), batch('r', 3, 3), batch('r', 4, 6)]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ fromSequence: 1, toSequence: 6 });
    expect(merged[0]?.events.map((e) => e.serverSequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps batches apart across a gap or a step back', () => {
    const merged = mergeContiguous([batch('r', 1, 2), batch('r', 5, 6), batch('r', 3, 4), batch('r', 5, 5)]);
    expect(merged.map((b) => [b.fromSequence, b.toSequence])).toEqual([
      [1, 2],
      [5, 6],
      [3, 5],
    ]);
  });

  it('splits runs longer than 1,000 events', () => {
    const merged = mergeContiguous([batch('r', 1, 600), batch('r', 601, 1200)]);
    expect(merged.map((b) => [b.fromSequence, b.toSequence])).toEqual([
      [1, 600],
      [601, 1200],
    ]);
  });
});
