import { startFerretDb, uniqueName } from '@lfsync/testkit';
import { MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { insertIgnoringDuplicates, raiseCounters } from './write-commands.ts';

async function database() {
  const client = await MongoClient.connect(inject('mongoUrl'));
  const db = client.db(uniqueName('writes'));
  onTestFinished(async () => {
    await db.dropDatabase();
    await client.close();
  });
  return { db, writeConcern: { w: inject('mongoWriteConcern') } };
}

/** Large enough that twelve of them are sent in two commands (a command is one BSON document, ≤ 16 MiB). */
const bigDocument = (i: number) => ({ _id: `d${i}`, b: String(i).padEnd(300_000, 'x') });

describe('insert and update commands', () => {
  it('inserts a group larger than one command, and returns the documents already stored', async () => {
    const { db, writeConcern } = await database();
    const first = Array.from({ length: 12 }, (_, i) => bigDocument(i));
    expect(await insertIgnoringDuplicates(db, 'docs', first, writeConcern)).toEqual([]);
    const again = [...first, bigDocument(12), bigDocument(13)];
    const duplicates = await insertIgnoringDuplicates(db, 'docs', again, writeConcern);
    expect(duplicates.map((d) => d._id).sort()).toEqual(first.map((d) => d._id).sort());
    expect(await db.collection('docs').countDocuments()).toBe(14);
  });

  it('fails on a write error other than a duplicate key', async () => {
    const { db, writeConcern } = await database();
    // An array is no valid `_id`: a write error for that document alone, not a duplicate.
    const invalid = { _id: ['x'] as unknown as string, b: 'y' };
    const outcome = insertIgnoringDuplicates(db, 'docs', [{ _id: 'ok', b: 'z' }, invalid], writeConcern);
    await expect(outcome).rejects.toBeInstanceOf(MongoServerError);
  });

  it('raises counters, creating them, and never lowers one', async () => {
    const { db, writeConcern } = await database();
    await raiseCounters(db, 'heads', new Map([['a', { s: 5 }]]), writeConcern);
    await raiseCounters(
      db,
      'heads',
      new Map([
        ['a', { s: 3 }],
        ['b', { s: 7 }],
      ]),
      writeConcern,
    );
    const heads = await db.collection('heads').find().sort({ _id: 1 }).toArray();
    expect(heads).toEqual([
      { _id: 'a', s: 5 },
      { _id: 'b', s: 7 },
    ]);
  });
});

describe('raising counters on FerretDB', () => {
  it('two writers creating the same counters at once both succeed (regression: one failed with E11000)', async () => {
    const server = await startFerretDb();
    const clients = [await MongoClient.connect(server.url), await MongoClient.connect(server.url)];
    onTestFinished(async () => {
      await Promise.all(clients.map((c) => c.close(true)));
      await server.dispose();
    });
    const name = uniqueName('writes');
    const writeConcern = { w: 1 } as const;
    const heads = clients[0]?.db(name).collection<{ _id: string; s: number }>('heads');
    // Each round's counters are new: both upserts may insert them, and FerretDB then fails one.
    for (let round = 0; round < 20; round++) {
      const ids = Array.from({ length: 4 }, (_, i) => `c${round}-${i}`);
      await Promise.all(
        clients.map((client, w) =>
          // Each writer holds the larger value of every other counter: a lost update of either shows.
          raiseCounters(
            client.db(name),
            'heads',
            new Map(ids.map((id, i) => [id, { s: 3 + ((w + i) % 2) }])),
            writeConcern,
          ),
        ),
      );
      const stored = await heads?.find({ _id: { $in: ids } }).toArray();
      expect(stored?.map((h) => h.s)).toEqual([4, 4, 4, 4]);
    }
  }, 60_000);
});
