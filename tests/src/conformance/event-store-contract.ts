import type { EventStore, StoredEvent } from '@lfsync/ports';
import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { batch, serverEvent } from './events.ts';
import type { OpenAdapter } from './harness.ts';

const sequences = (events: readonly StoredEvent[]) => events.map((e) => e.sequence);
const eventIds = (events: readonly StoredEvent[]) =>
  events.map((e) => (JSON.parse(e.json) as { _event_id: string })._event_id);

async function scanAll(store: EventStore, repository: string, after: number, pageSize: number) {
  const pages: StoredEvent[][] = [];
  for await (const page of store.scanAfter(repository, after, pageSize)) pages.push(page);
  return pages;
}

/**
 * What the persister and the gateway rely on from the event store: idempotent inserts, heads that only
 * rise, and reads that never look past the head, nor past a batch not stored yet (invariant I3); with
 * `headFollowsBatches`, the head counts the batches stored in sequence past the raised one. Each `open()` is
 * a fresh, empty store.
 */
export function describeEventStoreContract(name: string, open: OpenAdapter<EventStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    it('shows nothing past the head, nor past a batch not stored yet', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      // 3 is missing: 4 stays unseen, whatever the head says.
      await store.insert([batch(repo, 1, ['a', 'b']), batch(repo, 4, ['d'])]);
      // A store whose reads follow the batches stored in sequence past the raised head (MongoDB) sees 1–2 now.
      const seen = store.headFollowsBatches === true ? [1, 2] : [];
      expect(await store.head(repo)).toBe(seen.length);
      expect(sequences(await store.readAfter(repo, 0, 10))).toEqual(seen);
      expect(sequences((await scanAll(store, repo, 0, 10)).flat())).toEqual(seen);
      expect((await store.findByEventId(repo, 'a'))?.sequence).toBe(seen[0]);
      expect(await store.findByEventId(repo, 'd')).toBeUndefined();
      expect(await store.latestByDataId(repo, 'd-d')).toBeUndefined();
      expect(await store.repositories()).toEqual([]);

      await store.advanceHeads(new Map([[repo, 2]]));
      expect(sequences(await store.readAfter(repo, 0, 10))).toEqual([1, 2]);
      expect(await store.findByEventId(repo, 'd')).toBeUndefined();
      expect(sequences((await scanAll(store, repo, 0, 10)).flat())).toEqual([1, 2]);
      expect(await store.repositories()).toEqual([repo]);
    });

    it('reads after a sequence, ascending, at most the limit, with the JSON exactly as stored', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      const stored = batch(repo, 1, ['a', 'b', 'c', 'd']);
      await store.insert([stored]);
      await store.advanceHeads(new Map([[repo, 4]]));
      expect(sequences(await store.readAfter(repo, 1, 2))).toEqual([2, 3]);
      expect(sequences(await store.readAfter(repo, 3, 10))).toEqual([4]);
      expect(await store.readAfter(repo, 4, 10)).toEqual([]);
      const [first] = await store.readAfter(repo, 0, 1);
      expect(JSON.parse(first?.json ?? 'null')).toEqual(stored.events[0]);
      expect(await store.findByEventId(repo, 'c')).toEqual({
        sequence: 3,
        json: JSON.stringify(stored.events[2]),
      });
    });

    it("keeps each event's JSON as the caller passed it, serialising only what it was not given", async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      const stored = batch(repo, 1, ['a', 'b']);
      const [a] = stored.events;
      // The same event with its keys in another order: what the log carried is what clients get.
      const given = JSON.stringify({ serverSequence: a?.serverSequence, ...a });
      await store.insert([stored], [[given]]);
      await store.advanceHeads(new Map([[repo, 2]]));
      expect(await store.readAfter(repo, 0, 10)).toEqual([
        { sequence: 1, json: given },
        { sequence: 2, json: JSON.stringify(stored.events[1]) },
      ]);
      expect(await store.findByEventId(repo, 'a')).toEqual({ sequence: 1, json: given });
    });

    it('scans in pages of at most the page size, never past the head', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      await store.insert([
        batch(repo, 1, ['a', 'b', 'c']),
        batch(repo, 4, ['d', 'e']),
        batch(repo, 7, ['g']), // 6 is missing
      ]);
      await store.advanceHeads(new Map([[repo, 5]]));
      const pages = await scanAll(store, repo, 1, 2);
      expect(pages.map(sequences)).toEqual([
        [2, 3],
        [4, 5],
      ]);
      expect(eventIds(pages.flat())).toEqual(['b', 'c', 'd', 'e']);
      expect(await scanAll(store, repo, 5, 2)).toEqual([]);
    });

    it('never lowers a head', async () => {
      const { adapter: store } = await open();
      const [a, b] = [uniqueName('ra'), uniqueName('rb')];
      expect(await store.head(a)).toBe(0);
      await store.advanceHeads(
        new Map([
          [a, 5],
          [b, 2],
        ]),
      );
      await store.advanceHeads(
        new Map([
          [a, 3],
          [b, 4],
        ]),
      );
      expect(await store.head(a)).toBe(5);
      expect(await store.head(b)).toBe(4);
      await store.advanceHeads(new Map());
      expect(await store.head(a)).toBe(5);
    });

    it('treats a re-inserted batch as a no-op, whatever it holds now', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      const original = batch(repo, 1, ['a', 'b']);
      await store.insert([original]);
      const changed = batch(repo, 1, ['a', 'b']);
      changed.events[0] = serverEvent('a', 1, { changed: true });
      expect(await store.insert([changed, batch(repo, 3, ['c'])])).toEqual({ displacedEventIds: [] });
      await store.advanceHeads(new Map([[repo, 3]]));
      const events = await store.readAfter(repo, 0, 10);
      expect(sequences(events)).toEqual([1, 2, 3]);
      expect(events[0]?.json).toBe(JSON.stringify(original.events[0]));
    });

    it('fills a slot whose event id is stored at another sequence, keeping the sequence gapless', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      await store.insert([batch(repo, 1, ['a'])]);
      expect(await store.insert([batch(repo, 2, ['a'])])).toEqual({ displacedEventIds: ['a#2'] });
      await store.advanceHeads(new Map([[repo, 2]]));
      expect(sequences(await store.readAfter(repo, 0, 10))).toEqual([1, 2]);
      expect((await store.findByEventId(repo, 'a'))?.sequence).toBe(1);
      expect((await store.findByEventId(repo, 'a#2'))?.sequence).toBe(2);
    });

    it('finds the latest committed version of an entity, by _data_id or _data.id', async () => {
      const { adapter: store } = await open();
      const repo = uniqueName('r');
      const versions = batch(repo, 1, ['a', 'b', 'c', 'd']);
      versions.events[1] = { ...serverEvent('b', 2), _data: { id: 'd-a', v: 2 } };
      versions.events[2] = { ...serverEvent('c', 3), _data_id: 'entity', _data: { id: 'ignored' } };
      versions.events[3] = { ...serverEvent('d', 4), _data: { id: 'd-a', v: 4 } };
      await store.insert([versions]);
      await store.advanceHeads(new Map([[repo, 3]]));
      expect((await store.latestByDataId(repo, 'd-a'))?.sequence).toBe(2);
      expect((await store.latestByDataId(repo, 'entity'))?.sequence).toBe(3);
      expect(await store.latestByDataId(repo, 'ignored')).toBeUndefined();
      expect(await store.latestByDataId(repo, 'd-')).toBeUndefined();
      expect(await store.latestByDataId(uniqueName('other'), 'd-a')).toBeUndefined();
      await store.advanceHeads(new Map([[repo, 4]]));
      expect(await store.latestByDataId(repo, 'd-a')).toEqual({
        sequence: 4,
        json: JSON.stringify(versions.events[3]),
      });
    });

    it('lists the repositories with a committed event, by name', async () => {
      const { adapter: store } = await open();
      const prefix = uniqueName('r');
      const [a, b, empty] = [`${prefix}-b`, `${prefix}-a`, `${prefix}-c`];
      await store.insert([batch(a, 1, ['x']), batch(b, 1, ['y']), batch(empty, 1, ['z'])]);
      await store.advanceHeads(
        new Map([
          [a, 1],
          [b, 1],
          [empty, 0],
        ]),
      );
      expect(await store.repositories()).toEqual([b, a]);
      expect(await store.ping()).toBe(true);
    });

    it('keeps events and heads across a reopen', async () => {
      const subject = await open();
      const repo = uniqueName('r');
      await subject.adapter.insert([batch(repo, 1, ['a', 'b']), batch(repo, 4, ['d'])]);
      await subject.adapter.advanceHeads(new Map([[repo, 2]]));
      const store = await subject.reopen();
      expect(await store.head(repo)).toBe(2);
      expect(eventIds(await store.readAfter(repo, 0, 10))).toEqual(['a', 'b']);
      const rest = [batch(repo, 3, ['c']), batch(repo, 4, ['d'])];
      expect(await store.insert(rest)).toEqual({ displacedEventIds: [] });
      await store.advanceHeads(new Map([[repo, 4]]));
      expect(eventIds(await store.readAfter(repo, 0, 10))).toEqual(['a', 'b', 'c', 'd']);
      expect(await store.repositories()).toEqual([repo]);
    });
  });
}
