import { describe, expect, it } from 'vitest';
import type { BatchFields } from './batch-scan.ts';
import { RangeWalk } from './range-walk.ts';

const doc = (f: number, t: number): BatchFields => ({ f, t, b: '' });

/** Feeds the documents in the order given (a scan's `t` order) and lists the ranges read. */
function walk(afterSequence: number, documents: BatchFields[]): string[] {
  const order = new RangeWalk(afterSequence);
  const read = [...documents, undefined].flatMap((d) => order.take(d));
  return read.map((d) => `${d.f}-${d.t}`);
}

describe('RangeWalk', () => {
  it('reads consecutive documents as they come, and from inside one', () => {
    expect(walk(0, [doc(1, 3), doc(4, 5), doc(6, 9)])).toEqual(['1-3', '4-5', '6-9']);
    expect(walk(4, [doc(4, 5), doc(6, 9)])).toEqual(['4-5', '6-9']);
  });

  it('holds back the parts of a chunk being merged until the chunk comes, then skips them', () => {
    // reader at 501: parts 501-600 and 601-1000 arrive before the chunk 1-1000 only when 501's part is gone
    expect(walk(500, [doc(601, 1000), doc(1, 1000), doc(1001, 1003)])).toEqual(['1-1000', '1001-1003']);
  });

  it('goes on after a lost range once no chunk can hold the next sequence', () => {
    expect(walk(0, [doc(1, 3), doc(7, 8), doc(9, 9)])).toEqual(['1-3', '7-8', '9-9']);
    expect(walk(3, [doc(2001, 2005)])).toEqual(['2001-2005']);
    expect(walk(3, [doc(7, 8), doc(1500, 1600)])).toEqual(['7-8', '1500-1600']);
  });

  it('drops documents entirely before the next sequence (left over from a merge)', () => {
    expect(walk(0, [doc(1, 1000), doc(5, 6), doc(1001, 1001)])).toEqual(['1-1000', '1001-1001']);
  });
});
