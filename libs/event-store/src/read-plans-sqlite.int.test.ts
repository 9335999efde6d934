import { uniqueName } from '@lfsync/testkit';
import type { Db, Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useRecordingStore, type SentRead } from './testing/sent-reads.ts';

/** SQLite's plan rows as FerretDB explains a find, or undefined when the server is not FerretDB on SQLite. */
async function sqlitePlan(db: Db, read: SentRead): Promise<string[] | undefined> {
  const explained = await db.command({
    explain: { find: read.collection, filter: read.filter },
    verbosity: 'queryPlanner',
  });
  const plan = (explained['queryPlanner'] as Document | undefined)?.['Plan'] as unknown;
  return Array.isArray(plan) && plan.every((row) => typeof row === 'string') ? plan : undefined;
}

/**
 * FerretDB on SQLite (the tests' default server) sends only an `{_id: value}` filter to SQL; everything
 * else scans the collection. The catch-up reads of the `by-id` plan (FerretDB's) must each be an index
 * search — on the index our FerretDB wrapper keeps (libs/testkit/go/ferretdb/id_indexes.go) — so a
 * catch-up costs its own batches, not the store. Skipped on other servers.
 */
describe('catch-up reads on FerretDB with SQLite', () => {
  const repo = uniqueName('r');
  const suite = useRecordingStore(
    { beforeAll, afterAll },
    () => inject('mongoUrl'),
    uniqueName('sqliteplans'),
    { writeConcern: inject('mongoWriteConcern'), readPlan: 'by-id' },
    repo,
  );

  it('looks every batch up by _id through an index, and the same filter without it scans', async (ctx) => {
    for await (const page of suite.store.scanAfter(repo, 0, 100)) expect(page).toHaveLength(5);
    const lookups = suite.sent.filter((read) => read.collection === 'event_batches');
    // First: is anything stored past the raised head (5)? Then the catch-up.
    expect(lookups.map((read) => read.filter)).toEqual([
      { _id: `${repo}:6` },
      { _id: `${repo}:1` },
      { _id: `${repo}:4` },
    ]);
    if ((await sqlitePlan(suite.db, lookups[0]!)) === undefined) ctx.skip();
    // The wrapper adds the index within a moment of the collection's creation. A real read goes first:
    // EXPLAIN QUERY PLAN alone does not notice that another connection changed the schema.
    const refreshed = async (read: SentRead) => {
      await suite.db.collection(read.collection).findOne(read.filter);
      return (await sqlitePlan(suite.db, read))?.join(' ');
    };
    for (const read of lookups)
      await expect
        .poll(() => refreshed(read), { timeout: 10_000 })
        .toMatch(/SEARCH .* USING INDEX \S+_lfs_id/);
    const range = { ...lookups[0]!, filter: { r: repo, t: { $gt: 0 } } };
    expect((await sqlitePlan(suite.db, range))?.join(' ')).toMatch(/SCAN event_batches/);
  });
});
