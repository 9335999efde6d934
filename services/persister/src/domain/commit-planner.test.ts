import type { SequencedBatch } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { planCommit } from './commit-planner.ts';

function item(repository: string, from: number, to: number) {
  const events = Array.from({ length: to - from + 1 }, (_, i) => ({
    _event_id: `${repository}-${from + i}`,
    _operation: 0 as const,
    _created_at: 0,
    _data: {},
    serverSequence: from + i,
  }));
  const batch: SequencedBatch = { repository, fromSequence: from, toSequence: to, events };
  return { batch, source: `${repository}${from}` };
}

describe('planCommit', () => {
  it('commits consecutive batches of each repository, in any arrival order', () => {
    const plan = planCommit([item('a', 3, 4), item('b', 1, 1), item('a', 1, 2)], new Map());
    expect(plan.ready.map((p) => p.source)).toEqual(['a1', 'a3', 'b1']);
    expect(plan.heads).toEqual(
      new Map([
        ['a', 4],
        ['b', 1],
      ]),
    );
    expect(plan.blocked).toEqual([]);
  });

  it('blocks a batch whose predecessor is missing', () => {
    const plan = planCommit([item('a', 5, 6)], new Map([['a', 2]]));
    expect(plan.ready).toEqual([]);
    expect(plan.blocked.map((p) => p.source)).toEqual(['a5']);
    expect(plan.heads.size).toBe(0);
  });

  it('recognises redelivered batches as stored', () => {
    const plan = planCommit([item('a', 1, 2), item('a', 3, 3)], new Map([['a', 2]]));
    expect(plan.stored.map((p) => p.source)).toEqual(['a1']);
    expect(plan.ready.map((p) => p.source)).toEqual(['a3']);
    expect(plan.heads.get('a')).toBe(3);
  });

  it('blocks everything after a gap, even when later batches are present', () => {
    const plan = planCommit([item('a', 1, 1), item('a', 3, 3), item('a', 4, 4)], new Map());
    expect(plan.ready.map((p) => p.source)).toEqual(['a1']);
    expect(plan.blocked.map((p) => p.source)).toEqual(['a3', 'a4']);
  });
});
