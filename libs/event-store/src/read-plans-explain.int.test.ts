import { uniqueName } from '@lfsync/testkit';
import { MongoClient, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isFerretDb } from './batch-scan.ts';
import { MongoEventStore } from './mongo-event-store.ts';
import { storeReads, useRecordingStore } from './testing/sent-reads.ts';

/** Every stage named anywhere in an explain output (classic and slot-based plans nest differently). */
function stagesOf(plan: unknown, found: string[] = []): string[] {
  if (typeof plan !== 'object' || plan === null) return found;
  for (const [key, value] of Object.entries(plan as Document)) {
    if (key === 'stage' && typeof value === 'string') found.push(value);
    else if (key !== 'rejectedPlans') stagesOf(value, found);
  }
  return found;
}

async function isMongoDb(url: string): Promise<boolean> {
  const client = await MongoClient.connect(url);
  try {
    return !(await isFerretDb(client.db()));
  } finally {
    await client.close();
  }
}

/**
 * MongoDB's own verdict on every read the services make through the store (the `range` catch-up plan,
 * which MongoDB gets): its query planner picks an index, never a collection scan. Runs where the tests run
 * on MongoDB (`TEST_SERVERS=containers`); on FerretDB read-plans.int.test.ts checks the same reads against
 * the declared indexes instead.
 */
describe.runIf(await isMongoDb(inject('mongoUrl')))(
  'the reads of MongoEventStore, explained by MongoDB',
  () => {
    const repo = uniqueName('r');
    const suite = useRecordingStore(
      { beforeAll, afterAll },
      () => inject('mongoUrl'),
      uniqueName('explain'),
      { writeConcern: inject('mongoWriteConcern'), readPlan: 'range' },
      repo,
    );

    it.each(Object.keys(storeReads({} as MongoEventStore, '')))(
      '%s: an index, no collection scan',
      async (name) => {
        suite.sent.length = 0;
        await storeReads(suite.store, repo)[name]!();
        expect(suite.sent.length).toBeGreaterThan(0);
        for (const read of [...suite.sent]) {
          const find = {
            find: read.collection,
            filter: read.filter,
            ...(read.sort === undefined ? {} : { sort: read.sort }),
            ...(read.hint === undefined ? {} : { hint: read.hint }),
          };
          const explained = await suite.db.command({ explain: find, verbosity: 'queryPlanner' });
          const stages = stagesOf(explained['queryPlanner']);
          expect({ read, stages }).toMatchObject({ stages: expect.not.arrayContaining(['COLLSCAN']) });
          expect(stages.some((s) => /IXSCAN|IDHACK/.test(s))).toBe(true);
        }
      },
    );
  },
);
