import { startFerretDb } from '@lfsync/testkit';
import { MongoClient } from 'mongodb';
import { expect, it } from 'vitest';
import { MongoEventStore } from './mongo-event-store.ts';

it('asks again whether it runs on FerretDB when the database was not up at the first question', async () => {
  const ferret = await startFerretDb();
  const client = await MongoClient.connect(ferret.url, { serverSelectionTimeoutMS: 500 });
  try {
    await ferret.process.stop();
    const store = new MongoEventStore(client.db('detection'));
    await expect(store.ensureIndexes()).rejects.toThrow();
    await ferret.process.start();
    await store.ensureIndexes();
    const names = (await client.db('detection').collection('events').indexes()).map((i) => i.name);
    // Made only where it is not FerretDB, whose backends cannot use it.
    expect(names).not.toContain('repository_data_id');
  } finally {
    await client.close();
    await ferret.dispose();
  }
});
