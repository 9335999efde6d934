import {
  addFerretDbPostgresqlIndexes,
  psql,
  startFerretDb,
  uniqueName,
  type RunningServer,
} from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoEventStore } from './mongo-event-store.ts';
import { recordingStore, storeReads, type SentRead } from './testing/sent-reads.ts';

const postgresqlUrl = process.env['FERRETDB_POSTGRESQL_URL'];

interface PostgresqlPlan {
  'Node Type': string;
  'Relation Name'?: string;
  Schema?: string;
  Filter?: string;
  /** Where an index already serves the condition (the wrapper's `_id` index). */
  'Recheck Cond'?: string;
  Plans?: PostgresqlPlan[];
}

/** Reads FerretDB runs in Go over the whole collection, and why that is acceptable. */
const NOT_PUSHED_DOWN: Record<string, string> = {
  repositories: 'a list of every repository reads every head by design',
  'insert of a stored group (persister after a crash)':
    'FerretDB runs `_id: {$in}` in Go; only after a persister crash, one query per 1,000 events',
};

/** The scan nodes of a plan, depth first. */
function scans(plan: PostgresqlPlan): PostgresqlPlan[] {
  return [...(plan['Relation Name'] === undefined ? [] : [plan]), ...(plan.Plans ?? []).flatMap(scans)];
}

/**
 * FerretDB on PostgreSQL (runs only when FERRETDB_POSTGRESQL_URL names a database FerretDB may use): every
 * filter FerretDB sends to PostgreSQL for the store's reads can be served by an index once
 * scripts/ferretdb-postgresql-indexes.sql has run — FerretDB 1.24 writes equalities as jsonb containment
 * (`@>`), which its own B-tree indexes cannot serve. Before, only `_id` lookups (the heads, and catch-up's
 * `by-id` batches) are: our FerretDB wrapper keeps that one index itself (go/ferretdb/id_indexes.go).
 * Whether PostgreSQL then picks the index is its cost decision (a small table is scanned), so the test asks
 * with sequential scans disabled.
 */
describe.skipIf(postgresqlUrl === undefined)('the store on FerretDB with PostgreSQL', () => {
  const url = postgresqlUrl ?? '';
  let server: RunningServer;
  let client: MongoClient;
  let db: Db;
  let store: MongoEventStore;
  const sent: SentRead[] = [];
  const repo = uniqueName('r');

  beforeAll(async () => {
    server = await startFerretDb({ postgresqlUrl: url });
    ({ client, db, store } = await recordingStore(
      server.url,
      uniqueName('pgplans'),
      { writeConcern: 1 },
      repo,
      sent,
    ));
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
    await server?.dispose();
  });

  /** The scans PostgreSQL would run for each filter FerretDB pushes down, with sequential scans disabled. */
  async function scansOfEveryRead(): Promise<Array<{ read: string; scan: string }>> {
    const found: Array<{ read: string; scan: string }> = [];
    for (const [name, read] of Object.entries(storeReads(store, repo))) {
      if (name in NOT_PUSHED_DOWN) continue;
      sent.length = 0;
      await read();
      for (const { collection, filter } of [...sent]) {
        const explained = await db.command({
          explain: { find: collection, filter },
          verbosity: 'queryPlanner',
        });
        const planner = explained['queryPlanner'] as { Plan: PostgresqlPlan };
        for (const scan of scans(planner.Plan)) {
          const condition = scan.Filter ?? scan['Recheck Cond'];
          expect(condition, `${name}: FerretDB pushed no filter down`).toBeDefined();
          const sql = `EXPLAIN (FORMAT JSON) SELECT 1 FROM "${scan.Schema}"."${scan['Relation Name']}" WHERE ${condition}`;
          const out = await psql(url, '-tA', '-c', 'SET enable_seqscan = off', '-c', sql);
          const [{ Plan }] = JSON.parse(out.slice(out.indexOf('['))) as [{ Plan: PostgresqlPlan }];
          found.push({ read: `${name} ${JSON.stringify(filter)}`, scan: Plan['Node Type'] });
        }
      }
    }
    return found;
  }

  it('serves every read from an index once the GIN indexes are there, and only _id lookups before', async () => {
    const before = await scansOfEveryRead();
    expect(before.length).toBeGreaterThan(0);
    for (const { read, scan } of before)
      expect(scan, read).toBe(/ \{"_id":"[^"]*"\}$/.test(read) ? 'Bitmap Heap Scan' : 'Seq Scan');
    expect(before.filter(({ scan }) => scan === 'Seq Scan').length).toBeGreaterThan(0);
    await addFerretDbPostgresqlIndexes(url, db.databaseName);
    const after = await scansOfEveryRead();
    for (const { read, scan } of after) expect(scan, read).toMatch(/Index|Bitmap Heap Scan/);
  }, 120_000);
});
