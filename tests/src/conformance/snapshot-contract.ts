import type { ServerEvent } from '@lfsync/contracts';
import type { EntityEvent, EventStore } from '@lfsync/ports';
import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import type { OpenAdapter } from './harness.ts';

function version(sequence: number, dataId: string | undefined, operation: 0 | 1 | 2 = 1): ServerEvent {
  return {
    _event_id: `e${sequence}`,
    _operation: operation,
    _created_at: '2025-01-01T00:00:00.000Z',
    ...(operation === 2
      ? { _data_id: dataId }
      : { _data: dataId === undefined ? {} : { id: dataId, v: sequence } }),
    serverSequence: sequence,
  };
}

async function snapshotOf(
  store: EventStore,
  repository: string,
  at: number,
  options: { afterDataId?: string | undefined; pageSize: number },
): Promise<EntityEvent[][]> {
  const pages: EntityEvent[][] = [];
  for await (const page of store.scanLatestByDataId(repository, at, options)) pages.push(page);
  return pages;
}

const LONG_ID = `long-${'x'.repeat(600)}`;

/**
 * The state snapshot a fresh client starts from (I8): the latest event per entity at S, nothing after S,
 * deletes kept, events without an entity id left out, paged and resumable in one fixed entity order.
 */
export function describeSnapshotContract(name: string, open: OpenAdapter<EventStore>): void {
  describe(`EventStore snapshot contract: ${name}`, () => {
    it('gives the latest event of each entity at S, deletes included, in pages that resume', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      const events = [
        version(1, 'b', 0),
        version(2, 'a', 0),
        version(3, undefined),
        version(4, 'b'),
        version(5, 'c', 0),
        version(6, 'a', 2),
        version(7, LONG_ID, 0),
        version(8, 'b'),
        version(9, LONG_ID),
      ];
      // Another repository whose name extends this one's: never mixed in.
      await store.insert([
        { repository: repo, fromSequence: 1, toSequence: 9, events },
        { repository: `${repo}x`, fromSequence: 1, toSequence: 1, events: [version(1, 'a', 0)] },
      ]);
      await store.advanceHeads(
        new Map([
          [repo, 9],
          [`${repo}x`, 1],
        ]),
      );

      const atSeven = (await snapshotOf(store, repo, 7, { pageSize: 10 })).flat();
      expect(atSeven.map((e) => [e.dataId, e.sequence]).sort()).toEqual([
        ['a', 6],
        ['b', 4],
        ['c', 5],
        [LONG_ID, 7],
      ]);
      expect(atSeven.find((e) => e.dataId === 'a')?.json).toBe(JSON.stringify(events[5]));

      const pages = await snapshotOf(store, repo, 9, { pageSize: 2 });
      expect(pages.map((p) => p.length)).toEqual([2, 2]);
      const order = pages.flat().map((e) => e.dataId);
      expect(new Set(order).size).toBe(4);
      const resumed = await snapshotOf(store, repo, 9, { afterDataId: order[1], pageSize: 10 });
      expect(resumed.flat().map((e) => e.dataId)).toEqual(order.slice(2));
      expect(pages.flat().find((e) => e.dataId === LONG_ID)?.sequence).toBe(9);
    });

    it('is empty at 0 and for a repository without events', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      await store.insert([
        { repository: repo, fromSequence: 1, toSequence: 1, events: [version(1, 'a', 0)] },
      ]);
      await store.advanceHeads(new Map([[repo, 1]]));
      expect(await snapshotOf(store, repo, 0, { pageSize: 10 })).toEqual([]);
      expect(await snapshotOf(store, uniqueName('none'), 5, { pageSize: 10 })).toEqual([]);
    });
  });
}
