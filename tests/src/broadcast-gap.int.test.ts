import {
  gatewayConfigSchema,
  startGateway,
  unfilteredCommitFeed,
  type GatewayAdapters,
} from '@lfsync/gateway';
import { MongoEventStore } from '@lfsync/event-store';
import { WsTestClient, captureLogs, uniqueName } from '@lfsync/testkit';
import { MongoClient } from 'mongodb';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { TEST_JWT_SECRET, signTestToken } from './tokens.ts';

describe('gateway after missed broadcasts', () => {
  it('sends what was committed while its bus connection was down, without the client asking', async () => {
    const mongo = await MongoClient.connect(inject('mongoUrl'));
    const db = mongo.db(uniqueName('db'));
    onTestFinished(async () => {
      await db.dropDatabase();
      await mongo.close();
    });
    const store = new MongoEventStore(db, { writeConcern: inject('mongoWriteConcern') });
    await store.ensureIndexes();
    let reconnected: () => void = () => {};
    const adapters: GatewayAdapters = {
      store,
      sequencer: { sequence: () => Promise.reject(new Error('not in this test')) },
      subscribeCommits: () => unfilteredCommitFeed(() => {}),
      onBroadcastGap: (listener) => (reconnected = listener),
      presence: {
        publish: () => {},
        subscribe: () => () => {},
        publishHeartbeat: () => {},
        subscribeHeartbeats: () => () => {},
      },
      stats: { publish: () => {}, subscribe: () => () => {} },
      readiness: [],
      close: async () => {},
    };
    const config = gatewayConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', JWT_SECRET: TEST_JWT_SECRET });
    const gateway = await startGateway(config, captureLogs('warn').logger, adapters);
    onTestFinished(() => gateway.stop());

    const repo = uniqueName('r');
    const client = await WsTestClient.connect(gateway.url);
    await client.auth(await signTestToken('reader'));
    expect((await client.catchUp(repo, 0)).events).toEqual([]);

    // Committed while the gateway's bus was away: no broadcast reached it.
    const events = [1, 2].map((s) => ({
      _event_id: `e${s}`,
      _operation: 0 as const,
      _created_at: 0,
      _data: {},
      serverSequence: s,
    }));
    await store.insert([{ repository: repo, fromSequence: 1, toSequence: 2, events }]);
    await store.advanceHeads(new Map([[repo, 2]]));
    reconnected();
    await expect.poll(() => client.eventsOf(repo).map((e) => e.serverSequence)).toEqual([1, 2]);
    await client.close();
  });
});
