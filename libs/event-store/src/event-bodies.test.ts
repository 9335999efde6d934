import type { Collection, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { BatchDocument, BatchReadPlan } from './batch-scan.ts';
import { chunkBody } from './chunk-layout.ts';
import { eventBodies } from './event-bodies.ts';

type Stored = Pick<BatchDocument, '_id' | 'f' | 't' | 'b'>;

const texts = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => JSON.stringify({ serverSequence: from + i }));

/**
 * A batches collection that answers its n-th read (a find or a findOne) from `states[n]` (the last one
 * once they run out): what a reader sees while a merge runs between its reads.
 */
function FakeBatches(states: ReadonlyArray<Record<string, Stored>>) {
  let reads = 0;
  const state = () => states[Math.min(reads++, states.length - 1)] as Record<string, Stored>;
  const fake = {
    find: (filter: Document) => {
      const current = state();
      const ids = (filter['_id'] as { $in: string[] }).$in;
      return { toArray: () => Promise.resolve(ids.flatMap((id) => current[id] ?? [])) };
    },
    findOne: (filter: Document) => Promise.resolve(state()[filter['_id'] as string] ?? null),
  };
  return { batches: fake as unknown as Collection<BatchDocument>, reads: () => reads };
}

const before: Record<string, Stored> = {
  'r:1001': { _id: 'r:1001', f: 1_001, t: 1_002, b: texts(1_001, 1_002).join('\n') },
  'r:1003': { _id: 'r:1003', f: 1_003, t: 1_009, b: texts(1_003, 1_009).join('\n') },
};
const merged: Record<string, Stored> = {
  'r:1001': { _id: 'r:1001', f: 1_001, t: 2_000, b: chunkBody(texts(1_001, 2_000)) },
};

describe.each<BatchReadPlan>(['range', 'by-id'])('eventBodies (%s)', (plan) => {
  it('finds an event whose batch was merged into a chunk between the reads of its two documents', async () => {
    // The chunk's start read before the merge, the batch after it: neither holds 1,005.
    const stale = { 'r:1001': before['r:1001'] as Stored };
    const { batches, reads } = FakeBatches(plan === 'range' ? [stale, merged] : [stale, {}, merged]);
    expect(await eventBodies(batches, plan, 'r', [{ s: 1_005, f: 1_003 }])).toEqual([
      JSON.stringify({ serverSequence: 1_005 }),
    ]);
    expect(reads()).toBe(plan === 'range' ? 2 : 3);
  });

  it('reads each document once for many events, and takes the JSON a document of the old layout carries', async () => {
    const { batches, reads } = FakeBatches([before]);
    const refs = [
      { s: 1_004, f: 1_003 },
      { s: 1_002, b: 'old' },
      { s: 1_001, f: 1_001 },
      { s: 1_009, f: 1_003 },
    ];
    const jsons = await eventBodies(batches, plan, 'r', refs);
    expect(
      jsons.map((json) =>
        json === 'old' ? json : (JSON.parse(json) as { serverSequence: number }).serverSequence,
      ),
    ).toEqual([1_004, 'old', 1_001, 1_009]);
    expect(reads()).toBe(plan === 'range' ? 1 : 2);
  });

  it('fails with the sequence when no document holds an event, after looking once more', async () => {
    const { batches, reads } = FakeBatches([{}]);
    await expect(eventBodies(batches, plan, 'r', [{ s: 1_005, f: 1_003 }])).rejects.toThrow(
      'event 1005 of r: no batch or chunk document holds it',
    );
    expect(reads()).toBe(plan === 'range' ? 2 : 4);
  });
});
