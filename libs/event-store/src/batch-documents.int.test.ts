import { uniqueName } from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { BatchDocument } from './batch-scan.ts';
import { MongoEventStore } from './mongo-event-store.ts';
import { batch } from './testing/test-batch.ts';

const A = (repo: string) => batch(repo, 1, ['a1', 'a2', 'a3']);
const B = (repo: string) => batch(repo, 4, ['b4', 'b5']);
const C = (repo: string) => batch(repo, 6, ['c6']);

describe('MongoEventStore: one batch document per run of log batches', () => {
  let store: MongoEventStore;
  let db: Db;
  beforeAll(async () => {
    const client = await MongoClient.connect(inject('mongoUrl'));
    db = client.db(uniqueName('runs'));
    store = new MongoEventStore(db, { writeConcern: inject('mongoWriteConcern'), compaction: false });
    await store.ensureIndexes();
    return async () => {
      await db.dropDatabase();
      await client.close();
    };
  });

  const documents = async (repo: string) =>
    (await db.collection<BatchDocument>('event_batches').find({ r: repo }).sort({ f: 1 }).toArray()).map(
      (d) => `${d.f}-${d.t}`,
    );

  /** Every event once, in order, read from several starting points, and each found by its id. */
  async function expectReadable(repo: string, head: number): Promise<void> {
    await store.advanceHeads(new Map([[repo, head]]));
    for (const after of [0, 2, 3, 4, head - 1]) {
      const events = await store.readAfter(repo, after, 100);
      expect(events.map((e) => e.sequence)).toEqual(
        Array.from({ length: head - after }, (_, i) => after + i + 1),
      );
      for (const e of events) expect(JSON.parse(e.json)).toMatchObject({ serverSequence: e.sequence });
    }
    for (const id of ['a1', 'a3', 'b4', 'b5'])
      expect(JSON.parse((await store.findByEventId(repo, id))?.json ?? '{}')).toMatchObject({
        _event_id: id,
      });
  }

  it('stores the batches of a group that follow each other as one document, the others apart', async () => {
    const repo = uniqueName('r');
    const other = uniqueName('o');
    await store.insert([A(repo), B(repo), batch(other, 1, ['x']), C(repo)]);
    expect(await documents(repo)).toEqual(['1-5', '6-6']);
    expect(await documents(other)).toEqual(['1-1']);
    await expectReadable(repo, 6);
  });

  it('stores the rest of a run whose start an unfinished attempt stored alone (a redelivery grouped anew)', async () => {
    const repo = uniqueName('r');
    await store.insertBodies([A(repo)]);
    await store.insert([A(repo), B(repo)]);
    expect(await documents(repo)).toEqual(['1-3', '4-5']);
    await expectReadable(repo, 5);
  });

  it('stores nothing twice when an unfinished attempt stored the whole run and it comes back in parts', async () => {
    const repo = uniqueName('r');
    await store.insertBodies([A(repo), B(repo)]);
    await store.insert([A(repo)]);
    expect(await documents(repo)).toEqual(['1-5']);
    await store.insert([A(repo), B(repo), C(repo)]);
    expect(await documents(repo)).toEqual(['1-5', '6-6']);
    await expectReadable(repo, 6);
  });

  it('reads each event once where a part stored again overlaps the run stored before', async () => {
    const repo = uniqueName('r');
    await store.insertBodies([A(repo), B(repo)]);
    await store.insert([B(repo)]);
    expect(await documents(repo)).toEqual(['1-5', '4-5']);
    await store.index([A(repo)]);
    await expectReadable(repo, 5);
  });
});
