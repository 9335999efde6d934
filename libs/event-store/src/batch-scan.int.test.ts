import { uniqueName } from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BatchReadPlan } from './batch-scan.ts';
import { MongoEventStore } from './mongo-event-store.ts';
import { batch } from './testing/test-batch.ts';

const PLANS: BatchReadPlan[] = ['range', 'by-id'];

/** Batches 1–3, 4–5, 6, 7–9 of one repository, head 8 (9 stored but not committed). */
describe.each(PLANS)('catch-up reads with the %s plan', (plan) => {
  let client: MongoClient;
  let db: Db;
  let store: MongoEventStore;
  const repo = uniqueName('r');

  beforeAll(async () => {
    client = await MongoClient.connect(inject('mongoUrl'));
    db = client.db(uniqueName('scan'));
    store = new MongoEventStore(db, { writeConcern: inject('mongoWriteConcern'), readPlan: plan });
    await store.ensureIndexes();
    await store.insert([batch(repo, 1, ['a', 'b', 'c']), batch(repo, 4, ['d', 'e'])]);
    await store.insert([batch(repo, 6, ['f']), batch(repo, 7, ['g', 'h', 'i'])]);
    await store.advanceHeads(new Map([[repo, 8]]));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  const sequencesAfter = async (after: number, pageSize = 100) => {
    const pages: number[][] = [];
    for await (const page of store.scanAfter(repo, after, pageSize)) pages.push(page.map((e) => e.sequence));
    return pages;
  };

  it('reads every committed event once, in order, from a batch start or from inside a batch', async () => {
    expect(await sequencesAfter(0)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8]]);
    expect(await sequencesAfter(3)).toEqual([[4, 5, 6, 7, 8]]);
    expect(await sequencesAfter(1)).toEqual([[2, 3, 4, 5, 6, 7, 8]]);
    expect(await sequencesAfter(7)).toEqual([[8]]);
    expect(await sequencesAfter(8)).toEqual([]);
  });

  it('reads across a range lost with a restore (the head was raised over it) to the events after it', async () => {
    const restored = uniqueName('r');
    await store.insert([batch(restored, 1, ['l1', 'l2', 'l3']), batch(restored, 7, ['l7', 'l8'])]);
    await store.insert([batch(restored, 9, ['l9'])]);
    await store.advanceHeads(new Map([[restored, 9]]));
    const read = async (after: number) => {
      const sequences: number[] = [];
      for await (const page of store.scanAfter(restored, after, 100))
        sequences.push(...page.map((e) => e.sequence));
      return sequences;
    };
    expect(await read(0)).toEqual([1, 2, 3, 7, 8, 9]);
    expect(await read(3)).toEqual([7, 8, 9]);
    expect(await read(4)).toEqual([7, 8, 9]);
    expect(await read(7)).toEqual([8, 9]);
  });

  it('pages', async () => {
    expect(await sequencesAfter(2, 3)).toEqual([
      [3, 4, 5],
      [6, 7, 8],
    ]);
    expect((await store.readAfter(repo, 4, 2)).map((e) => e.sequence)).toEqual([5, 6]);
  });

  it('reads batches of one size and then of others (the by-id walk guesses sizes ahead)', async () => {
    const uniform = uniqueName('r');
    const ids = (n: number, from: number) => Array.from({ length: n }, (_, i) => `u${from + i}`);
    const sizes = [2, 2, 2, 2, 2, 3, 3, 1, 2, 2, 2];
    let from = 1;
    const stored = sizes.map((size) => {
      const b = batch(uniform, from, ids(size, from));
      from += size;
      return b;
    });
    await store.insert(stored);
    await store.advanceHeads(new Map([[uniform, from - 1]]));
    const read = await store.readAfter(uniform, 0, 100);
    expect(read.map((e) => e.sequence)).toEqual(Array.from({ length: from - 1 }, (_, i) => i + 1));
    expect((await store.readAfter(uniform, 5, 100)).map((e) => e.sequence)[0]).toBe(6);
  });

  it('returns the events as stored, also from batches written as arrays (before one string)', async () => {
    const legacy = uniqueName('r');
    const events = batch(legacy, 1, ['x', 'y']).events.map((e) => JSON.stringify(e));
    await db
      .collection('event_batches')
      .insertOne({ _id: `${legacy}:1` as never, r: legacy, f: 1, t: 2, b: events });
    await store.advanceHeads(new Map([[legacy, 2]]));
    const read = await store.readAfter(legacy, 0, 10);
    expect(read).toEqual([
      { sequence: 1, json: events[0] },
      { sequence: 2, json: events[1] },
    ]);
    expect(JSON.parse((await store.readAfter(repo, 0, 1))[0]!.json)).toMatchObject({ _event_id: 'a' });
  });
});
