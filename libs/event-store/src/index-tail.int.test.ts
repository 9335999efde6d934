import type { EntityEvent } from '@lfsync/ports';
import { uniqueName } from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENTS_COLLECTION } from './event-documents.ts';
import { HEADS_COLLECTION, MongoEventStore, type HeadDocument } from './mongo-event-store.ts';
import { batch } from './testing/test-batch.ts';

/** Entities by event id: `b2` updates `b`'s entity, `a0` sorts first, `z` last. */
const ENTITY: Record<string, string> = { a: 'e-a', b: 'e-b', c: 'e-c', b2: 'e-b', a0: 'e-0', z: 'e-z' };
const entityOf = (id: string) => ENTITY[id] ?? `e-${id}`;

async function snapshot(
  store: MongoEventStore,
  repository: string,
  at: number,
  options: { afterDataId?: string; pageSize: number },
): Promise<EntityEvent[][]> {
  const pages: EntityEvent[][] = [];
  for await (const page of store.scanLatestByDataId(repository, at, options)) pages.push(page);
  return pages;
}

const summary = (pages: EntityEvent[][]) => pages.map((page) => page.map((e) => `${e.dataId}@${e.sequence}`));

describe('MongoEventStore: events stored but not indexed yet (the index tail)', () => {
  let store: MongoEventStore;
  let db: Db;
  beforeAll(async () => {
    const client = await MongoClient.connect(inject('mongoUrl'));
    db = client.db(uniqueName('tail'));
    store = new MongoEventStore(db, { writeConcern: inject('mongoWriteConcern') });
    await store.ensureIndexes();
    return async () => {
      await db.dropDatabase();
      await client.close();
    };
  });

  /** Sequences 1–3 indexed, 4–6 (`b2`, `a0`, `z`) stored and committed but not indexed. */
  async function repositoryWithTail(): Promise<string> {
    const repo = uniqueName('r');
    await store.insert([batch(repo, 1, ['a', 'b', 'c'], entityOf)]);
    await store.advanceHeads(new Map([[repo, 3]]));
    await store.insertBodies([batch(repo, 4, ['b2', 'a0', 'z'], entityOf)]);
    await store.advanceHeads(new Map([[repo, 6]]), new Map([[repo, 3]]));
    await store.compactionIdle(); // the tail may be merged into a chunk before its index is written
    return repo;
  }

  it('finds an event of the tail by its id and an entity by its latest event', async () => {
    const repo = await repositoryWithTail();
    const a0 = await store.findByEventId(repo, 'a0');
    expect(Object.keys(a0 ?? {})).toEqual(['sequence', 'json']);
    expect(a0?.sequence).toBe(5);
    expect((await store.findByEventId(repo, 'a'))?.sequence).toBe(1);
    expect(await store.findByEventId(repo, 'missing')).toBeUndefined();
    const latest = await store.latestByDataId(repo, 'e-b');
    expect(latest?.sequence).toBe(4);
    expect(JSON.parse(latest?.json ?? '{}')).toMatchObject({ _event_id: 'b2', serverSequence: 4 });
    expect((await store.latestByDataId(repo, 'e-c'))?.sequence).toBe(3);
  });

  it('merges the tail into a snapshot, in entity order and page size', async () => {
    const repo = await repositoryWithTail();
    expect(summary(await snapshot(store, repo, 6, { pageSize: 2 }))).toEqual([
      ['e-0@5', 'e-a@1'],
      ['e-b@4', 'e-c@3'],
      ['e-z@6'],
    ]);
    expect(summary(await snapshot(store, repo, 6, { afterDataId: 'e-a', pageSize: 10 }))).toEqual([
      ['e-b@4', 'e-c@3', 'e-z@6'],
    ]);
    // A snapshot at a sequence inside the tail takes the tail up to there only.
    expect(summary(await snapshot(store, repo, 4, { pageSize: 10 }))).toEqual([['e-a@1', 'e-b@4', 'e-c@3']]);
    expect(summary(await snapshot(store, repo, 3, { pageSize: 10 }))).toEqual([['e-a@1', 'e-b@2', 'e-c@3']]);
  });

  it('answers the same once the tail is indexed', async () => {
    const repo = await repositoryWithTail();
    const before = summary(await snapshot(store, repo, 6, { pageSize: 2 }));
    await store.index([batch(repo, 4, ['b2', 'a0', 'z'], entityOf)]);
    expect(summary(await snapshot(store, repo, 6, { pageSize: 2 }))).toEqual(before);
    expect((await store.findByEventId(repo, 'a0'))?.sequence).toBe(5);
    expect((await store.latestByDataId(repo, 'e-b'))?.sequence).toBe(4);
  });

  it('completes the index a writer left behind before a writer resumes', async () => {
    const repo = await repositoryWithTail();
    const events = db.collection(EVENTS_COLLECTION);
    const heads = db.collection<HeadDocument>(HEADS_COLLECTION);
    expect(await events.countDocuments({ r: repo })).toBe(3);
    expect(await heads.findOne({ _id: repo })).toMatchObject({ s: 6, x: 3 });

    expect(await store.indexTail(repo)).toEqual([
      { sequence: 4, eventId: 'b2' },
      { sequence: 5, eventId: 'a0' },
      { sequence: 6, eventId: 'z' },
    ]);

    expect(await store.resumeAt(repo)).toBe(6);
    expect(await store.indexTail(repo)).toEqual([]);
    expect(await events.countDocuments({ r: repo })).toBe(6);
    expect(await heads.findOne({ _id: repo })).toMatchObject({ s: 6, x: 6 });
    expect(await events.findOne({ r: repo, e: 'a0' }, { projection: { _id: 0, s: 1, d: 1 } })).toEqual({
      s: 5,
      d: 'e-0',
    });
    expect((await store.findByEventId(repo, 'z'))?.sequence).toBe(6);
  });

  it('takes a head raised without `indexedThrough` as indexed up to it (written by an earlier version)', async () => {
    const repo = uniqueName('r');
    await store.insert([batch(repo, 1, ['a'], entityOf)]);
    await store.advanceHeads(new Map([[repo, 1]]));
    const head = await db.collection<HeadDocument>(HEADS_COLLECTION).findOne({ _id: repo });
    expect(head?.x).toBeUndefined();
    expect(await store.resumeAt(repo)).toBe(1);
    // The next head raise records how far the index goes from there.
    await store.insertBodies([batch(repo, 2, ['b'], entityOf)]);
    await store.advanceHeads(new Map([[repo, 2]]), new Map([[repo, 1]]));
    expect(await db.collection<HeadDocument>(HEADS_COLLECTION).findOne({ _id: repo })).toMatchObject({
      s: 2,
      x: 1,
    });
    expect((await store.findByEventId(repo, 'b'))?.sequence).toBe(2);
  });
});
