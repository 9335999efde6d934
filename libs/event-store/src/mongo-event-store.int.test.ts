import { startFerretDb, uniqueName } from '@lfsync/testkit';
import { MongoClient } from 'mongodb';
import { beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { isFerretDb } from './batch-scan.ts';
import { MongoEventStore } from './mongo-event-store.ts';
import { batch } from './testing/test-batch.ts';

describe('MongoEventStore', () => {
  let store: MongoEventStore;
  beforeAll(async () => {
    const client = await MongoClient.connect(inject('mongoUrl'));
    const db = client.db(uniqueName('store'));
    store = new MongoEventStore(db, { writeConcern: inject('mongoWriteConcern') });
    await store.ensureIndexes();
    return async () => {
      await db.dropDatabase();
      await client.close();
    };
  });

  it('serialises again a given event text that holds a raw line break (batch bodies are split at them)', async () => {
    const repo = uniqueName('r');
    const stored = batch(repo, 1, ['a', 'b']);
    await store.insert([stored], [[JSON.stringify(stored.events[0], null, 1)]]);
    await store.advanceHeads(new Map([[repo, 2]]));
    expect(await store.readAfter(repo, 0, 10)).toEqual([
      { sequence: 1, json: JSON.stringify(stored.events[0]) },
      { sequence: 2, json: JSON.stringify(stored.events[1]) },
    ]);
  });

  it('shows the events stored without a gap: up to the raised head, then the batches stored in sequence after it', async () => {
    const repo = uniqueName('r');
    // 1–2 and 4 are stored, 3 is not (yet): nothing past 2 may be seen, whatever the head says.
    await store.insert([batch(repo, 1, ['a', 'b']), batch(repo, 4, ['d'])]);
    expect(await store.head(repo)).toBe(2);
    const visible = await store.readAfter(repo, 0, 10);
    expect(visible.map((e) => e.sequence)).toEqual([1, 2]);
    expect(JSON.parse(visible[0]!.json)).toMatchObject({
      _event_id: 'a',
      serverSequence: 1,
      _data: { 'a.b': 1, $weird: true },
    });
    expect(await store.findByEventId(repo, 'd')).toBeUndefined();
    expect(await store.repositories()).not.toContain(repo); // listed once a head is raised
    await store.insert([batch(repo, 3, ['c'])]);
    expect(await store.head(repo)).toBe(4);
    expect((await store.readAfter(repo, 1, 10)).map((e) => e.sequence)).toEqual([2, 3, 4]);
    expect((await store.findByEventId(repo, 'd'))?.sequence).toBe(4);
    await store.advanceHeads(new Map([[repo, 2]]));
    expect((await store.readAfter(repo, 0, 2)).map((e) => e.sequence)).toEqual([1, 2]);
    expect(await store.head(repo)).toBe(4);
    expect(await store.repositories()).toContain(repo);
  });

  it('answers head reads made at once, each with every batch stored before it asked', async () => {
    const repo = uniqueName('r');
    await store.insert(Array.from({ length: 20 }, (_, i) => batch(repo, i + 1, [`e${i + 1}`])));
    const first = await Promise.all(Array.from({ length: 50 }, () => store.head(repo)));
    expect(new Set(first)).toEqual(new Set([20]));
    const during = store.head(repo);
    await store.insert([batch(repo, 21, ['e21'])]);
    const after = store.head(repo); // asked while `during` may still walk: must see 21
    expect(await during).toBeGreaterThanOrEqual(20);
    expect(await after).toBe(21);
  });

  it('never lowers a head', async () => {
    const repo = uniqueName('r');
    await store.advanceHeads(new Map([[repo, 5]]));
    await store.advanceHeads(new Map([[repo, 3]]));
    expect(await store.head(repo)).toBe(5);
  });

  it('treats a re-inserted batch as a no-op', async () => {
    const repo = uniqueName('r');
    await store.insert([batch(repo, 1, ['a', 'b'])]);
    expect(await store.insert([batch(repo, 1, ['a', 'b']), batch(repo, 3, ['c'])])).toEqual({
      displacedEventIds: [],
    });
    await store.advanceHeads(new Map([[repo, 3]]));
    expect((await store.readAfter(repo, 0, 10)).map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it('fills a slot whose event id is already stored elsewhere, keeping the sequence gapless', async () => {
    const repo = uniqueName('r');
    await store.insert([batch(repo, 1, ['a'])]);
    const { displacedEventIds } = await store.insert([batch(repo, 2, ['a'])]);
    expect(displacedEventIds).toEqual(['a#2']);
    await store.advanceHeads(new Map([[repo, 2]]));
    expect((await store.readAfter(repo, 0, 10)).map((e) => e.sequence)).toEqual([1, 2]);
  });

  it('finds the latest version of an entity', async () => {
    const repo = uniqueName('r');
    const b = batch(repo, 1, ['a', 'b']);
    b.events[1]!._data = { id: 'd-a', v: 2 };
    await store.insert([b]);
    await store.advanceHeads(new Map([[repo, 2]]));
    const latest = await store.latestByDataId(repo, 'd-a');
    expect(latest?.sequence).toBe(2);
    onTestFinished(() => undefined);
  });
});

describe('MongoEventStore.ensureIndexes', () => {
  /** A database of its own, dropped after the test. */
  async function freshDb() {
    const client = await MongoClient.connect(inject('mongoUrl'));
    onTestFinished(() => client.close());
    const db = client.db(uniqueName('idx'));
    onTestFinished(async () => {
      await db.dropDatabase();
    });
    return db;
  }

  it('can run again on a database that has the indexes (regression: FerretDB panicked)', async () => {
    const db = await freshDb();
    await new MongoEventStore(db).ensureIndexes();
    await new MongoEventStore(db).ensureIndexes();
    const names = (await db.collection('events').indexes()).map((i) => i.name);
    expect(names).toContain('repository_event_id');
    expect(names).not.toContain('repository_sequence');
    // FerretDB's backends cannot use the entity index; MongoDB serves the snapshot from it.
    if (await isFerretDb(db)) expect(names).not.toContain('repository_data_id');
    else expect(names).toContain('repository_data_id');
  });

  it('makes the entity index where asked to, also on FerretDB', async () => {
    const db = await freshDb();
    await new MongoEventStore(db, { dataIdIndex: true }).ensureIndexes();
    const names = (await db.collection('events').indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['repository_event_id', 'repository_data_id']));
  });
});

describe('MongoEventStore when the database dies mid-write', () => {
  it('rejects an insert cut off by a connection reset (regression: it resolved, and acked events were lost)', async () => {
    const server = await startFerretDb();
    const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 20_000 });
    onTestFinished(async () => {
      await client.close(true);
      await server.dispose();
    });
    const db = client.db(uniqueName('store'));
    const store = new MongoEventStore(db, { writeConcern: 1 });
    await store.ensureIndexes();
    const repo = uniqueName('r');
    await store.insert([batch(repo, 1, ['a'])]);

    server.process.pause();
    const cutOff = store.insert([batch(repo, 2, ['b', 'c'])]).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.process.kill('SIGKILL');
    expect(await cutOff).toBeInstanceOf(Error);

    // Retried once the database is back, it lands; a batch partly stored before is completed.
    await server.process.start();
    await store.insert([batch(repo, 2, ['b', 'c'])]);
    await store.insert([batch(repo, 2, ['b', 'c']), batch(repo, 4, ['d'])]);
    await store.advanceHeads(new Map([[repo, 4]]));
    expect((await store.readAfter(repo, 0, 10)).map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    expect(await db.collection('events').countDocuments({ r: repo })).toBe(4);
  }, 60_000);
});

describe('MongoEventStore on FerretDB with SQLite', () => {
  it('advances 150 existing heads at once and the database still answers (regression: FerretDB hung for ever)', async () => {
    const server = await startFerretDb();
    // A hung command fails the test after 10 s instead of waiting for ever.
    const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 20_000, socketTimeoutMS: 10_000 });
    onTestFinished(async () => {
      await client.close(true);
      await server.dispose();
    });
    const store = new MongoEventStore(client.db(uniqueName('store')), { writeConcern: 1 });
    const repositories = Array.from({ length: 150 }, (_, i) => uniqueName(`r${i}`));
    await store.advanceHeads(new Map(repositories.map((r) => [r, 1])));
    await store.advanceHeads(new Map(repositories.map((r) => [r, 2])));
    expect(await Promise.all(repositories.map((r) => store.head(r)))).toEqual(repositories.map(() => 2));
  }, 60_000);
});
