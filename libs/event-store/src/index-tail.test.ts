import type { EntityEvent } from '@lfsync/ports';
import { describe, expect, it } from 'vitest';
import { latestPerEntity, withTail, type TailEvent } from './index-tail.ts';

const tailEvent = (dataId: string, sequence: number): TailEvent => {
  const event = {
    _event_id: `e${sequence}`,
    _operation: 0,
    _created_at: 0,
    serverSequence: sequence,
    _data_id: dataId,
  };
  return { sequence, json: JSON.stringify(event), holder: 1, event: event as TailEvent['event'] };
};
const entity = (dataId: string, sequence: number): EntityEvent => ({
  dataId,
  sequence,
  json: `${dataId}@${sequence}`,
});
const names = (pages: EntityEvent[][]) => pages.map((page) => page.map((e) => `${e.dataId}@${e.sequence}`));

async function* pagesOf(pages: EntityEvent[][]): AsyncGenerator<EntityEvent[]> {
  for (const page of pages) yield await Promise.resolve(page);
}

async function collect(pages: AsyncIterable<EntityEvent[]>): Promise<EntityEvent[][]> {
  const out: EntityEvent[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('latestPerEntity', () => {
  it('keeps the latest event of each entity after `afterDataId`, in UTF-8 byte order (as the database sorts)', () => {
    // U+E000 sorts before U+10000 in UTF-8 (EE… < F0…), after it in UTF-16 (E000 > D800).
    const tail = [tailEvent('\u{10000}', 5), tailEvent('b', 6), tailEvent('\uE000', 7), tailEvent('b', 8)];
    expect(latestPerEntity(tail, undefined).map((e) => [e.dataId, e.sequence])).toEqual([
      ['b', 8],
      ['\uE000', 7],
      ['\u{10000}', 5],
    ]);
    expect(latestPerEntity(tail, 'b').map((e) => e.dataId)).toEqual(['\uE000', '\u{10000}']);
  });
});

describe('withTail', () => {
  it('merges the tail into the index pages: new entities in order, newer versions instead, pages of the same size', async () => {
    const indexed = pagesOf([[entity('a', 1), entity('c', 3)], [entity('e', 2)]]);
    const tail = [entity('b', 9), entity('c', 7), entity('f', 8)];
    expect(names(await collect(withTail(indexed, tail, 2)))).toEqual([
      ['a@1', 'b@9'],
      ['c@7', 'e@2'],
      ['f@8'],
    ]);
  });

  it('keeps the index version where it is the newer one, and serves a tail alone', async () => {
    expect(names(await collect(withTail(pagesOf([[entity('a', 9)]]), [entity('a', 4)], 10)))).toEqual([
      ['a@9'],
    ]);
    expect(names(await collect(withTail(pagesOf([]), [entity('x', 1), entity('y', 2)], 1)))).toEqual([
      ['x@1'],
      ['y@2'],
    ]);
  });
});
