import type { SequencedBatch } from '@lfsync/contracts';
import { uniqueName } from '@lfsync/testkit';
import { MongoClient, type CommandStartedEvent, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BatchDocument, BatchReadPlan } from './batch-scan.ts';
import { MongoEventStore } from './mongo-event-store.ts';
import { batch } from './testing/test-batch.ts';

const PLANS: BatchReadPlan[] = ['range', 'by-id'];
/** Entities per repository: event s is a version of entity `x<s mod ENTITIES>`. */
const ENTITIES = 300;

let client: MongoClient;
let db: Db;
/** The filters of the finds sent to `event_batches` since the last reset. */
const batchReads: Document[] = [];

beforeAll(async () => {
  client = await MongoClient.connect(inject('mongoUrl'), { monitorCommands: true });
  db = client.db(uniqueName('bodies'));
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'find' && event.command['find'] === 'event_batches')
      batchReads.push(event.command['filter'] as Document);
  });
  await new MongoEventStore(db).ensureIndexes();
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

const store = (options: ConstructorParameters<typeof MongoEventStore>[1] = {}) =>
  new MongoEventStore(db, { writeConcern: inject('mongoWriteConcern'), ...options });

/** Events `ids` from sequence `from`, event s of entity `x<s mod ENTITIES>`. */
const versions = (repository: string, from: number, ids: readonly string[]): SequencedBatch =>
  batch(repository, from, ids, (_, sequence) => `x${sequence % ENTITIES}`);

/** `ids[s - 1]` at sequence s, in log batches of 7 (some straddle a chunk's end), committed. */
async function repository(ids: readonly string[], compacted: boolean): Promise<string> {
  const repo = uniqueName('r');
  const writer = store({ compaction: compacted });
  for (let from = 1; from <= ids.length; from += 7)
    await writer.insert([versions(repo, from, ids.slice(from - 1, from + 6))]);
  await writer.advanceHeads(new Map([[repo, ids.length]]));
  await writer.compactionIdle();
  return repo;
}

const eventIds = (total: number) => Array.from({ length: total }, (_, i) => `e${i + 1}`);

/** What a reader gets for `repo`: each read's sequence and the event id and entity in its JSON. */
async function reads(
  repo: string,
  plan: BatchReadPlan,
  atSequence: number,
  eventId = 'e1234',
  entity = 'x34',
) {
  const reader = store({ readPlan: plan });
  const parsed = (event: { sequence: number; json: string } | undefined) => {
    const { _event_id, _data, serverSequence } = JSON.parse(event?.json ?? 'null') as {
      _event_id: string;
      _data: { id: string };
      serverSequence: number;
    };
    return { sequence: event?.sequence, serverSequence, eventId: _event_id, entity: _data.id };
  };
  const pages = [];
  for await (const page of reader.scanLatestByDataId(repo, atSequence, { pageSize: 100 }))
    pages.push(page.map(parsed));
  return {
    byEventId: parsed(await reader.findByEventId(repo, eventId)),
    byDataId: parsed(await reader.latestByDataId(repo, entity)),
    pages,
  };
}

/** The snapshot of a repository of `total` events with ids `e<s>`, in the store's entity-id order. */
function snapshotOf(total: number) {
  const latest = Array.from({ length: ENTITIES }, (_, i) => total - i);
  return latest
    .map((s) => ({ sequence: s, serverSequence: s, eventId: `e${s}`, entity: `x${s % ENTITIES}` }))
    .sort((a, b) => (a.entity < b.entity ? -1 : 1));
}

describe.each(PLANS)('the JSON of an event, read from its batch or chunk (catch-up %s)', (plan) => {
  it('is read back by event id, by entity and in snapshot pages, before and after the merge into chunks', async () => {
    for (const compacted of [false, true]) {
      const repo = await repository(eventIds(2_100), compacted);
      const found = await reads(repo, plan, 2_100);
      expect(found.byEventId).toEqual({
        sequence: 1_234,
        serverSequence: 1_234,
        eventId: 'e1234',
        entity: 'x34',
      });
      expect(found.byDataId).toEqual({
        sequence: 1_834,
        serverSequence: 1_834,
        eventId: 'e1834',
        entity: 'x34',
      });
      expect(found.pages.map((page) => page.length)).toEqual([100, 100, 100]);
      expect(found.pages.flat()).toEqual(snapshotOf(2_100));
    }
  });

  it('asks for the documents of a snapshot page at once, and on FerretDB only by _id', async () => {
    const repo = await repository(eventIds(2_100), true);
    batchReads.length = 0;
    const pages = [];
    for await (const page of store({ readPlan: plan }).scanLatestByDataId(repo, 2_100, { pageSize: 100 }))
      pages.push(page);
    expect(pages).toHaveLength(3);
    if (plan === 'range') expect(batchReads).toHaveLength(3);
    else for (const filter of batchReads) expect(filter).toEqual({ _id: expect.any(String) });
    // The 300 latest versions sit in chunk 1,001–2,000, the split-off 2,001–2,002 and 14 batches.
    const ids = (filter: Document): unknown[] =>
      (filter['_id'] as { $in?: unknown[] }).$in ?? [filter['_id']];
    if (plan === 'by-id') expect(new Set(batchReads.flatMap(ids)).size).toBe(2 + 14);
  });

  it('is read for a copy displaced to another sequence (an event id pushed again), also from a chunk', async () => {
    const ids = eventIds(1_100);
    ids[1_049] = 'e7';
    const repo = await repository(ids, true);
    const reader = store({ readPlan: plan });
    const displaced = await reader.findByEventId(repo, 'e7#1050');
    expect(displaced?.sequence).toBe(1_050);
    expect(JSON.parse(displaced?.json ?? '{}')).toMatchObject({ _event_id: 'e7', serverSequence: 1_050 });
    const original = await reader.findByEventId(repo, 'e7');
    expect(JSON.parse(original?.json ?? '{}')).toMatchObject({ _event_id: 'e7', serverSequence: 7 });
  });

  it('is read from the document itself where it was written with its JSON (before this layout)', async () => {
    const repo = uniqueName('r');
    const oldLayout = versions(repo, 1, eventIds(600)).events.map((event) => ({
      _id: `${repo}:${event.serverSequence}`,
      r: repo,
      s: event.serverSequence,
      e: event._event_id,
      d: `x${event.serverSequence % ENTITIES}`,
      b: JSON.stringify(event),
      at: new Date(),
    }));
    await db.collection<{ _id: string }>('events').insertMany(oldLayout);
    // Its batch document says otherwise, to tell which one was read.
    const other = versions(
      repo,
      1,
      eventIds(600).map((id) => `${id}-batch`),
    );
    await db.collection<BatchDocument>('event_batches').insertOne({
      _id: `${repo}:1`,
      r: repo,
      f: 1,
      t: 600,
      b: other.events.map((event) => JSON.stringify(event)).join('\n'),
    });
    const writer = store({ compaction: false });
    await writer.insert([versions(repo, 601, eventIds(700).slice(600))]);
    await writer.advanceHeads(new Map([[repo, 700]]));
    const old = await reads(repo, plan, 700, 'e123', 'x250');
    expect(old.byEventId).toEqual({ sequence: 123, serverSequence: 123, eventId: 'e123', entity: 'x123' });
    expect(old.byDataId).toEqual({ sequence: 550, serverSequence: 550, eventId: 'e550', entity: 'x250' });
    expect((await reads(repo, plan, 700, 'e650')).byEventId).toMatchObject({ eventId: 'e650' });
    expect(old.pages.flat()).toEqual(snapshotOf(700));
  });
});
