import { uniqueName } from '@lfsync/testkit';
import { Binary, MongoClient, type CommandStartedEvent, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BatchDocument, BatchReadPlan } from './batch-scan.ts';
import { MongoEventStore } from './mongo-event-store.ts';
import { batch } from './testing/test-batch.ts';

const PLANS: BatchReadPlan[] = ['range', 'by-id'];

let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = await MongoClient.connect(inject('mongoUrl'));
  db = client.db(uniqueName('compaction'));
  await new MongoEventStore(db).ensureIndexes();
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

const batches = () => db.collection<BatchDocument>('event_batches');
const store = (options: ConstructorParameters<typeof MongoEventStore>[1] = {}) =>
  new MongoEventStore(db, { writeConcern: inject('mongoWriteConcern'), ...options });
const sequences = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** `total` events of a new repository in log batches of `size`, committed, stored without compaction. */
async function repository(total: number, size: number): Promise<string> {
  const repo = uniqueName('r');
  const writer = store({ compaction: false });
  const all = sequences(1, total);
  for (let from = 1; from <= total; from += size)
    await writer.insert([
      batch(
        repo,
        from,
        all.slice(from - 1, from - 1 + size).map((s) => `e${s}`),
      ),
    ]);
  await writer.advanceHeads(new Map([[repo, total]]));
  return repo;
}

/** The JSON texts of events `from`…`to` of `repo` as the store keeps them (ids `e<sequence>`). */
function eventTexts(repo: string, from: number, to: number): string[] {
  const ids = sequences(from, to).map((s) => `e${s}`);
  return batch(repo, from, ids).events.map((e) => JSON.stringify(e));
}

/** What the store holds for `repo`: `[f, t]` of each document, in order. */
async function layout(repo: string): Promise<Array<[number, number]>> {
  const documents = await batches().find({ r: repo }).sort({ f: 1 }).toArray();
  return documents.map((d) => [d.f, d.t]);
}

async function compact(repo: string, head: number): Promise<void> {
  const compactor = store();
  await compactor.advanceHeads(new Map([[repo, head]]));
  await compactor.compactionIdle();
}

/** Every sequence read after `after`, and whether each event is the one stored at its sequence. */
async function readAll(repo: string, plan: BatchReadPlan, after = 0, pageSize = 100) {
  const read: number[] = [];
  for await (const page of store({ readPlan: plan }).scanAfter(repo, after, pageSize))
    for (const event of page) {
      expect(JSON.parse(event.json)).toMatchObject({ _event_id: `e${event.sequence}` });
      read.push(event.sequence);
    }
  return read;
}

describe('batch compaction', () => {
  it('merges committed batches into chunks of 1,000 at aligned sequences and leaves the tail', async () => {
    const repo = await repository(2_345, 7);
    await compact(repo, 2_345);
    expect(await layout(repo)).toEqual([
      [1, 1_000],
      [1_001, 2_000],
      // The batch 1,996–2,002 straddled the chunk's end: its last two events moved on.
      [2_001, 2_002],
      ...sequences(0, 48).map((k): [number, number] => [2_003 + 7 * k, Math.min(2_009 + 7 * k, 2_345)]),
    ]);
    expect((await batches().findOne({ _id: `${repo}:1` }))?.b).toBeInstanceOf(Binary);
    for (const plan of PLANS) {
      expect(await readAll(repo, plan)).toEqual(sequences(1, 2_345));
      expect(await readAll(repo, plan, 1_234)).toEqual(sequences(1_235, 2_345));
      expect(await readAll(repo, plan, 1_999, 3)).toEqual(sequences(2_000, 2_345));
    }
  });

  it('finds the chunk of a catch-up resumed inside it by _id, never by a range (FerretDB would scan)', async () => {
    const repo = await repository(2_100, 10);
    await compact(repo, 2_100);
    const monitored = await MongoClient.connect(inject('mongoUrl'), { monitorCommands: true });
    const filters: Document[] = [];
    monitored.on('commandStarted', (event: CommandStartedEvent) => {
      if (event.commandName === 'find' && event.command['find'] === 'event_batches')
        filters.push(event.command['filter'] as Document);
    });
    try {
      const reader = new MongoEventStore(monitored.db(db.databaseName), { readPlan: 'by-id' });
      const read = (await reader.readAfter(repo, 1_234, 1_000)).map((e) => e.sequence);
      expect(read).toEqual(sequences(1_235, 2_100));
    } finally {
      await monitored.close();
    }
    expect(filters.length).toBeGreaterThan(1);
    for (const filter of filters) expect(Object.keys(filter)).toEqual(['_id']);
    // First: is anything stored past the raised head (2,100)? Then the catch-up.
    expect(filters[0]).toEqual({ _id: `${repo}:2101` });
    expect(filters[1]).toEqual({ _id: `${repo}:1235` });
    expect(filters[2]).toEqual({ _id: `${repo}:1001` });
  });

  it('sends FerretDB only filters it runs in SQL: each find, replace and delete by _id alone', async () => {
    const repo = await repository(2_100, 10);
    const monitored = await MongoClient.connect(inject('mongoUrl'), { monitorCommands: true });
    const filters: Document[] = [];
    monitored.on('commandStarted', (event: CommandStartedEvent) => {
      const command = event.command;
      if (event.commandName === 'find') filters.push(command['filter'] as Document);
      for (const update of (command['updates'] ?? []) as Document[]) filters.push(update['q'] as Document);
      for (const remove of (command['deletes'] ?? []) as Document[]) filters.push(remove['q'] as Document);
    });
    try {
      const compactor = new MongoEventStore(monitored.db(db.databaseName));
      await compactor.advanceHeads(new Map([[repo, 2_100]]));
      await compactor.compactionIdle();
    } finally {
      await monitored.close();
    }
    expect(await layout(repo)).toHaveLength(2 + 10);
    expect(filters.length).toBeGreaterThan(200);
    for (const filter of filters) expect(Object.keys(filter)).toEqual(['_id']);
  });

  it('merges the batches it stored itself without reading them back', async () => {
    const repo = uniqueName('r');
    const monitored = await MongoClient.connect(inject('mongoUrl'), { monitorCommands: true });
    const bodiesRead: Document[] = [];
    monitored.on('commandStarted', (event: CommandStartedEvent) => {
      const projection = event.command['projection'] as Document | undefined;
      if (event.commandName === 'find' && projection?.['b'] === 1)
        bodiesRead.push(event.command['filter'] as Document);
    });
    try {
      const writer = new MongoEventStore(monitored.db(db.databaseName), {
        writeConcern: inject('mongoWriteConcern'),
      });
      const all = sequences(1, 2_100);
      for (let from = 1; from <= 2_100; from += 7)
        await writer.insert([
          batch(
            repo,
            from,
            all.slice(from - 1, from + 6).map((s) => `e${s}`),
          ),
        ]);
      await writer.advanceHeads(new Map([[repo, 2_100]]));
      await writer.compactionIdle();
    } finally {
      await monitored.close();
    }
    expect((await layout(repo)).slice(0, 3)).toEqual([
      [1, 1_000],
      [1_001, 2_000],
      [2_001, 2_002],
    ]);
    expect(bodiesRead).toEqual([]);
    for (const plan of PLANS) expect(await readAll(repo, plan, 999)).toEqual(sequences(1_000, 2_100));
  });

  it('compacts only whole chunks of committed events, and again as the head moves', async () => {
    const repo = await repository(1_500, 100);
    await compact(repo, 999);
    expect((await layout(repo))[0]).toEqual([1, 100]);
    await compact(repo, 1_500);
    expect(await layout(repo)).toEqual([
      [1, 1_000],
      ...sequences(10, 14).map((k): [number, number] => [k * 100 + 1, k * 100 + 100]),
    ]);
    await compact(repo, 1_500);
    expect(await layout(repo)).toHaveLength(6);
  });

  it.each(PLANS)('never misses or repeats an event when a chunk is merged mid-read (%s)', async (plan) => {
    const repo = await repository(2_100, 10);
    const read: number[] = [];
    let compacted = false;
    for await (const page of store({ readPlan: plan }).scanAfter(repo, 0, 50)) {
      read.push(...page.map((e) => e.sequence));
      if (compacted || read.length < 300) continue;
      await compact(repo, 2_100);
      compacted = true;
    }
    expect(compacted).toBe(true);
    expect(await layout(repo)).toHaveLength(2 + 10);
    expect(read).toEqual(sequences(1, 2_100));
  });

  it('finishes a merge a crash interrupted, and reads correctly at every step', async () => {
    const repo = await repository(1_100, 100);
    // Step 2 done, step 3 not: the chunk lists its parts, which are all still there.
    const parts = sequences(1, 9).map((k) => k * 100 + 1);
    await batches().replaceOne(
      { _id: `${repo}:1` },
      { r: repo, f: 1, t: 1_000, b: eventTexts(repo, 1, 1_000).join('\n'), p: parts },
    );
    for (const plan of PLANS) expect(await readAll(repo, plan, 150, 7)).toEqual(sequences(151, 1_100));
    await compact(repo, 1_100);
    expect(await layout(repo)).toEqual([
      [1, 1_000],
      [1_001, 1_100],
    ]);
    expect((await batches().findOne({ _id: `${repo}:1` }))?.p).toBeUndefined();
    // A part delivered again afterwards (a persister redelivery) overlaps the chunk: read once still.
    await store({ compaction: false }).insert([
      batch(
        repo,
        501,
        sequences(501, 600).map((s) => `e${s}`),
      ),
    ]);
    for (const plan of PLANS) expect(await readAll(repo, plan)).toEqual(sequences(1, 1_100));
  });

  it('deletes the parts of every chunk a stopped process left listing them (parts go chunk after chunk)', async () => {
    const repo = await repository(3_100, 100);
    for (const from of [1, 1_001, 2_001])
      await batches().replaceOne(
        { _id: `${repo}:${from}` },
        {
          r: repo,
          f: from,
          t: from + 999,
          b: eventTexts(repo, from, from + 999).join('\n'),
          p: sequences(1, 9).map((k) => from - 1 + k * 100 + 1),
        },
      );
    await compact(repo, 3_100);
    expect(await layout(repo)).toEqual([
      [1, 1_000],
      [1_001, 2_000],
      [2_001, 3_000],
      [3_001, 3_100],
    ]);
    expect(await batches().countDocuments({ r: repo, p: { $exists: true } })).toBe(0);
    for (const plan of PLANS) expect(await readAll(repo, plan)).toEqual(sequences(1, 3_100));
  });

  it('deletes the parts of a chunk another process built and left listing them', async () => {
    const repo = await repository(2_100, 100);
    const part401 = await batches().findOne({ _id: `${repo}:401` });
    await batches().deleteOne({ _id: `${repo}:401` });
    const b = store({ onCompactionError: () => undefined });
    await b.advanceHeads(new Map([[repo, 2_100]]));
    await b.compactionIdle(); // a part missing: this process waits before trying again
    // Meanwhile another process builds chunk 1 and stops before deleting its parts.
    await batches().insertOne(part401 as BatchDocument);
    await batches().replaceOne(
      { _id: `${repo}:1` },
      {
        r: repo,
        f: 1,
        t: 1_000,
        b: eventTexts(repo, 1, 1_000).join('\n'),
        p: sequences(1, 9).map((k) => k * 100 + 1),
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await b.advanceHeads(new Map([[repo, 2_100]]));
    await b.compactionIdle();
    expect(await layout(repo)).toEqual([
      [1, 1_000],
      [1_001, 2_000],
      [2_001, 2_100],
    ]);
    for (const plan of PLANS) expect(await readAll(repo, plan)).toEqual(sequences(1, 2_100));
  });

  it('reads older batch bodies (arrays) into chunks', async () => {
    const repo = uniqueName('r');
    await batches().insertMany([
      { _id: `${repo}:1`, r: repo, f: 1, t: 600, b: eventTexts(repo, 1, 600) },
      { _id: `${repo}:601`, r: repo, f: 601, t: 1_200, b: eventTexts(repo, 601, 1_200).join('\n') },
    ]);
    await compact(repo, 1_200);
    expect(await layout(repo)).toEqual([
      [1, 1_000],
      [1_001, 1_200],
    ]);
    for (const plan of PLANS) expect(await readAll(repo, plan)).toEqual(sequences(1, 1_200));
  });

  it('leaves a repository whose chunk cannot be built (a lost range) as it is, reports it, and waits before trying again', async () => {
    const repo = await repository(1_200, 100);
    await batches().deleteOne({ _id: `${repo}:401` });
    const errors: unknown[] = [];
    const compactor = store({ onCompactionError: (err) => errors.push(err) });
    await compactor.advanceHeads(new Map([[repo, 1_200]]));
    await compactor.compactionIdle();
    await compactor.advanceHeads(new Map([[repo, 1_200]]));
    await compactor.compactionIdle();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/retried in 1000 ms/);
    expect(await layout(repo)).toHaveLength(11);
  });
});
