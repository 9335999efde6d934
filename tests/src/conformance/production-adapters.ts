import { DEFAULT_DUPLICATE_WINDOW_MS, busNames, type BusNames } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import { gatewayConfigSchema, startGateway } from '@lfsync/gateway';
import { persisterConfigSchema, startPersister } from '@lfsync/persister';
import type { EventIndex, EventStore, SequenceLog } from '@lfsync/ports';
import { JetStreamSequenceLog, KvEventIndex, sequencerConfigSchema, startSequencer } from '@lfsync/sequencer';
import { captureLogs, uniqueName } from '@lfsync/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { inject, onTestFinished } from 'vitest';
import { TEST_JWT_SECRET } from '../tokens.ts';
import type { AdapterSet, AdapterUnderTest, OpenAdapter } from './harness.ts';

/** Opens `create` on its own NATS connection; a reopen is a new connection to the same stream or bucket. */
function onNats<T>(create: (nc: NatsConnection, names: BusNames) => Promise<T>): OpenAdapter<T> {
  return async () => {
    const names = busNames(uniqueName('c'));
    let nc = await connect({ servers: inject('natsUrl') });
    let adapter = await create(nc, names);
    const subject: AdapterUnderTest<T> = {
      get adapter() {
        return adapter;
      },
      async reopen() {
        await nc.close();
        nc = await connect({ servers: inject('natsUrl') });
        adapter = await create(nc, names);
        return adapter;
      },
    };
    onTestFinished(async () => {
      const jsm = await jetstreamManager(nc);
      for (const stream of [names.logStream, `KV_${names.eventIndexBucket}`]) {
        await jsm.streams.delete(stream).catch(() => false);
      }
      await nc.close();
    });
    return subject;
  };
}

const openMongoEventStore: OpenAdapter<EventStore> = async () => {
  const database = uniqueName('db');
  const connectStore = async () => {
    const client = await MongoClient.connect(inject('mongoUrl'));
    const store = new MongoEventStore(client.db(database), { writeConcern: inject('mongoWriteConcern') });
    await store.ensureIndexes();
    return { client, store };
  };
  let current = await connectStore();
  onTestFinished(async () => {
    await current.client.db(database).dropDatabase();
    await current.client.close();
  });
  return {
    adapter: current.store,
    async reopen() {
      await current.client.close();
      current = await connectStore();
      return current.store;
    },
  };
};

/** The production adapters: JetStream log, KV index, MongoDB store, the three services on NATS. */
export const productionAdapters: AdapterSet<SequenceLog, EventIndex, EventStore> = {
  name: 'production (JetStream, NATS KV, MongoDB wire)',
  sequenceLog: onNats((nc, names) =>
    JetStreamSequenceLog.open(nc, names, { duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS, replicas: 1 }),
  ),
  eventIndex: onNats((nc, names) => KvEventIndex.open(nc, names)),
  eventStore: openMongoEventStore,
  pipeline: () => {
    const database = uniqueName('db');
    const common = { NATS_URL: inject('natsUrl'), BUS_PREFIX: uniqueName('p'), OPS_PORT: '0' };
    const mongo = { MONGO_URL: inject('mongoUrl'), MONGO_DB: database };
    const logger = captureLogs('warn').logger;
    onTestFinished(async () => {
      const client = await MongoClient.connect(inject('mongoUrl'));
      await client.db(database).dropDatabase();
      await client.close();
    });
    return Promise.resolve({
      async start() {
        const sequencer = await startSequencer(sequencerConfigSchema.parse(common), logger);
        const persister = await startPersister(
          persisterConfigSchema.parse({
            ...common,
            ...mongo,
            MONGO_WRITE_CONCERN: String(inject('mongoWriteConcern')),
          }),
          logger,
        );
        const gateway = await startGateway(
          gatewayConfigSchema.parse({
            ...common,
            ...mongo,
            PORT: '0',
            HOST: '127.0.0.1',
            JWT_SECRET: TEST_JWT_SECRET,
          }),
          logger,
        );
        let stopped = false;
        return {
          url: gateway.url,
          async stop() {
            if (stopped) return;
            stopped = true;
            await gateway.stop();
            await persister.stop();
            await sequencer.stop();
          },
        };
      },
    });
  },
};
