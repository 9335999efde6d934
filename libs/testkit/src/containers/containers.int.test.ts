import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { uniqueName } from '../names.ts';
import { testServersConfig } from '../test-servers-config.ts';

// Runs where the suite got its servers from containers (TEST_SERVERS=containers, or auto with Docker);
// skipped on machines without a container runtime, such as the one this project is built on.
describe.runIf(inject('testServers') === 'containers' && process.env['MONGO_URL'] === undefined)(
  'servers in containers',
  () => {
    const config = testServersConfig(process.env);

    it('MongoDB is an initiated replica set whose primary takes majority writes', async () => {
      expect(inject('mongoWriteConcern')).toBe('majority');
      const client = await MongoClient.connect(inject('mongoUrl'));
      onTestFinished(() => client.close());
      const hello = await client.db('admin').command({ hello: 1 });
      expect(hello).toMatchObject({ setName: 'rs0', isWritablePrimary: true });
      expect(hello['hosts']).toHaveLength(config.TEST_MONGO_MEMBERS);
      const db = client.db(uniqueName('db'));
      await db
        .collection('things')
        .insertOne({ n: 1 }, { writeConcern: { w: 'majority', wtimeoutMS: 10_000 } });
      await db.dropDatabase();
    });
  },
);

describe.runIf(inject('testServers') === 'containers' && process.env['NATS_URL'] === undefined)(
  'NATS in containers',
  () => {
    const nodes = testServersConfig(process.env).TEST_NATS_NODES;

    it('is one JetStream cluster: a stream is replicated on every node', async () => {
      const nc = await connect({ servers: inject('natsUrl') });
      onTestFinished(() => nc.close());
      expect(nc.info?.cluster).toBe('lfs');
      const jsm = await jetstreamManager(nc);
      const stream = uniqueName('R');
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], num_replicas: nodes });
      onTestFinished(async () => {
        await jsm.streams.delete(stream);
      });
      await jetstream(nc).publish(`${stream}.x`, 'replicated');
      const info = await jsm.streams.info(stream);
      expect(info.state.messages).toBe(1);
      expect(1 + (info.cluster?.replicas ?? []).length).toBe(nodes);
    });
  },
);
