import { eventsJsonOf } from '@lfsync/contracts';
import { sequencedBatch } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { mergeContiguous } from './session-registry.ts';

const commit = (from: number, to: number) => {
  const batch = sequencedBatch(from, to, 'r');
  return { batch, eventsJson: eventsJsonOf(batch) };
};

describe('mergeContiguous', () => {
  it('joins batches that follow each other into one, keeping every event in order', () => {
    const merged = mergeContiguous([commit(1, 2), commit(3, 3), commit(4, 6)]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.batch).toMatchObject({ fromSequence: 1, toSequence: 6 });
    expect(merged[0]?.batch.events.map((e) => e.serverSequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(merged[0]?.eventsJson).toEqual(eventsJsonOf(sequencedBatch(1, 6, 'r')));
  });

  it('keeps batches apart across a gap or a step back', () => {
    const merged = mergeContiguous([commit(1, 2), commit(5, 6), commit(3, 4), commit(5, 5)]);
    expect(merged.map(({ batch }) => [batch.fromSequence, batch.toSequence])).toEqual([
      [1, 2],
      [5, 6],
      [3, 5],
    ]);
  });

  it('splits runs longer than 1,000 events', () => {
    const merged = mergeContiguous([commit(1, 600), commit(601, 1200)]);
    expect(merged.map(({ batch }) => [batch.fromSequence, batch.toSequence])).toEqual([
      [1, 600],
      [601, 1200],
    ]);
  });
});
