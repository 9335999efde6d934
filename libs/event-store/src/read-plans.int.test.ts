import { uniqueName } from '@lfsync/testkit';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BatchReadPlan } from './batch-scan.ts';
import { MongoEventStore } from './mongo-event-store.ts';
import {
  indexFor,
  useRecordingStore,
  storeReads,
  type IndexInfo,
  type SentRead,
} from './testing/sent-reads.ts';

/**
 * Every read the gateway, persister and admin CLI make through the store must be served by an index on
 * MongoDB. No mongod runs here, so the test records the commands the store really sends (to the real
 * FerretDB) and checks each against the indexes the store really declared, by MongoDB's rules: the filter's
 * equality fields lead the index, the sort follows them (ESR), and a hint names that index. Both catch-up
 * plans are checked: `range` (what MongoDB gets) and `by-id` (FerretDB). FerretDB's own plans:
 * read-plans-postgresql.int.test.ts.
 */
describe.each<BatchReadPlan>(['range', 'by-id'])('the reads of MongoEventStore, catch-up %s', (readPlan) => {
  const repo = uniqueName('r');
  const suite = useRecordingStore(
    { beforeAll, afterAll },
    () => inject('mongoUrl'),
    uniqueName('plans'),
    // MongoDB's indexes, also on FerretDB (which is not given the entity index).
    { writeConcern: inject('mongoWriteConcern'), readPlan, dataIdIndex: true },
    repo,
  );

  const reads = () => storeReads(suite.store, repo);

  it.each(Object.keys(storeReads({} as MongoEventStore, '')))(
    '%s: every query is served by a declared index',
    async (name) => {
      suite.sent.length = 0;
      await reads()[name]!();
      expect(suite.sent.length).toBeGreaterThan(0);
      for (const read of [...suite.sent]) {
        const indexes = (await suite.db.collection(read.collection).indexes()) as IndexInfo[];
        expect({ ...read, index: indexFor(read, indexes) }).toMatchObject({ index: expect.any(String) });
      }
    },
  );

  it('finds no index for a query none serves (the check can fail)', () => {
    const indexes: IndexInfo[] = [
      { name: '_id_', key: { _id: 1 } },
      { name: 'repository_data_id', key: { r: 1, d: 1, s: -1 } },
    ];
    const read = (filter: Document, sort?: Document, hint?: string): SentRead => ({
      collection: 'events',
      filter,
      sort,
      hint,
    });
    expect(indexFor(read({ e: 'x' }), indexes)).toBeUndefined();
    expect(indexFor(read({ r: 'x' }, { t: 1 }), indexes)).toBeUndefined();
    expect(indexFor(read({ r: 'x', d: 'y' }, { s: -1 }), indexes)).toBe('repository_data_id');
    expect(indexFor(read({ r: 'x', d: 'y' }, { s: 1 }), indexes)).toBe('repository_data_id');
    expect(indexFor(read({ r: 'x', d: 'y' }, { s: -1 }, 'other'), indexes)).toBeUndefined();
  });
});
