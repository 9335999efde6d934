import { sequencedBatch } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { mergeContiguous } from './session-registry.ts';

describe('mergeContiguous', () => {
  it('joins batches that follow each other into one, keeping every event in order', () => {
    const merged = mergeContiguous([
      sequencedBatch(1, 2, 'r'),
      sequencedBatch(3, 3, 'r'),
      sequencedBatch(4, 6, 'r'),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ fromSequence: 1, toSequence: 6 });
    expect(merged[0]?.events.map((e) => e.serverSequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps batches apart across a gap or a step back', () => {
    const merged = mergeContiguous([
      sequencedBatch(1, 2, 'r'),
      sequencedBatch(5, 6, 'r'),
      sequencedBatch(3, 4, 'r'),
      sequencedBatch(5, 5, 'r'),
    ]);
    expect(merged.map((b) => [b.fromSequence, b.toSequence])).toEqual([
      [1, 2],
      [5, 6],
      [3, 5],
    ]);
  });

  it('splits runs longer than 1,000 events', () => {
    const merged = mergeContiguous([sequencedBatch(1, 600, 'r'), sequencedBatch(601, 1200, 'r')]);
    expect(merged.map((b) => [b.fromSequence, b.toSequence])).toEqual([
      [1, 600],
      [601, 1200],
    ]);
  });
});
