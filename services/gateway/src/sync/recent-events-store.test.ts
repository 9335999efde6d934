import { eventsJsonOf, type SequencedBatch } from '@lfsync/contracts';
import type { EventReader, StoredEvent } from '@lfsync/ports';
import { sequencedBatch } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { RecentEventsStore } from './recent-events-store.ts';

/** Holds 1..100 of every repository; counts the reads that reach it. */
class FakeDatabase implements EventReader {
  reads = 0;
  readAfter(_repository: string, after: number, limit: number): Promise<StoredEvent[]> {
    this.reads += 1;
    return Promise.resolve(
      Array.from({ length: Math.max(0, Math.min(limit, 100 - after)) }, (_, i) => ({
        sequence: after + 1 + i,
        json: `{"db":${after + 1 + i}}`,
      })),
    );
  }
  async *scanAfter(repository: string, after: number, pageSize: number): AsyncGenerator<StoredEvent[]> {
    yield await this.readAfter(repository, after, pageSize);
  }
  head = () => Promise.resolve(100);
  findByEventId = () => Promise.resolve(undefined);
  latestByDataId = () => Promise.resolve(undefined);
  scanLatestByDataId = async function* () {};
  repositories = () => Promise.resolve([]);
  ping = () => Promise.resolve(true);
}

async function scan(store: EventReader, after: number, pageSize = 2): Promise<number[][]> {
  const pages: number[][] = [];
  for await (const page of store.scanAfter('r', after, pageSize)) pages.push(page.map((e) => e.sequence));
  return pages;
}

function setup(maxBytes = 1_000_000) {
  const database = new FakeDatabase();
  return { database, store: new RecentEventsStore(database, maxBytes) };
}

function remember(store: RecentEventsStore, batch: SequencedBatch): void {
  store.remember(batch, eventsJsonOf(batch));
}

describe('RecentEventsStore', () => {
  it('serves reads that start inside the window from memory, in pages', async () => {
    const { database, store } = setup();
    remember(store, sequencedBatch(1, 3));
    remember(store, sequencedBatch(4, 5));
    expect(await scan(store, 0)).toEqual([[1, 2], [3, 4], [5]]);
    expect(await scan(store, 3)).toEqual([[4, 5]]);
    expect(await scan(store, 5)).toEqual([]);
    expect((await store.readAfter('r', 1, 2)).map((e) => e.json)).toEqual([
      JSON.stringify(sequencedBatch(2, 2).events[0]),
      JSON.stringify(sequencedBatch(3, 3).events[0]),
    ]);
    expect(database.reads).toBe(0);
  });

  it('asks the database for reads starting before or beyond the window, and for other repositories', async () => {
    const { database, store } = setup();
    remember(store, sequencedBatch(10, 12));
    await scan(store, 5);
    await scan(store, 13);
    await store.readAfter('other', 0, 5);
    expect(database.reads).toBe(3);
  });

  it('restarts the window after a gap and ignores what it already holds', async () => {
    const { database, store } = setup();
    remember(store, sequencedBatch(1, 2));
    remember(store, sequencedBatch(1, 3)); // overlapping redelivery: only 3 is new
    expect(await scan(store, 0, 10)).toEqual([[1, 2, 3]]);
    remember(store, sequencedBatch(6, 7)); // 4..5 were missed
    expect(await scan(store, 5, 10)).toEqual([[6, 7]]);
    await scan(store, 0, 10);
    expect(database.reads).toBe(1);
  });

  it('evicts the oldest events of the least recently written repository first', async () => {
    const entryBytes = JSON.stringify(sequencedBatch(1, 1).events[0]).length + 64;
    const { database, store } = setup(4 * entryBytes);
    remember(store, sequencedBatch(1, 3, 'old'));
    remember(store, sequencedBatch(1, 4));
    expect(store.cachedBytes).toBe(4 * entryBytes);
    await store.readAfter('old', 0, 10);
    expect(database.reads).toBe(1);
    expect(await scan(store, 0, 10)).toEqual([[1, 2, 3, 4]]);
  });

  it('forgets everything after the bus connection was lost', async () => {
    const { database, store } = setup();
    remember(store, sequencedBatch(1, 3));
    store.forget();
    expect(store.cachedBytes).toBe(0);
    await scan(store, 0);
    expect(database.reads).toBe(1);
  });

  it('reads a repository only once its broadcasts are sure to arrive (untilLive settled)', async () => {
    const database = new FakeDatabase();
    let live: () => void = () => {};
    const pending = new Promise<void>((resolve) => (live = resolve));
    const store = new RecentEventsStore(database, 1_000_000, (repository) =>
      repository === 'r' ? pending : undefined,
    );
    const reading = scan(store, 98);
    const head = store.head('r');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(database.reads).toBe(0);
    expect(await store.readAfter('other', 99, 10)).toHaveLength(1);
    expect(database.reads).toBe(1);
    live();
    expect(await reading).toEqual([[99, 100]]);
    expect(await head).toBe(100);
  });
});
