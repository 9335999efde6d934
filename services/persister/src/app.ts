import { busNames } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import { systemClock } from '@lfsync/ports';
import {
  MONGO_CLIENT_OPTIONS,
  connectNats,
  ensureLogStream,
  retryUntilDone,
  serverAtLeast,
  startOpsServer,
  type Logger,
} from '@lfsync/runtime';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MongoClient } from 'mongodb';
import type { PersisterConfig } from './config.ts';
import { createPersisterMetrics } from './metrics.ts';
import { JetStreamLogReader } from './nats/jetstream-log-reader.ts';
import { openJetStreamLogFeed } from './nats/jetstream-log-feed.ts';
import { natsCommitPublisher } from './nats/nats-commit-publisher.ts';
import { runPersister } from './run-persister.ts';

export interface Persister {
  readonly opsPort: number;
  stop(): Promise<void>;
}

/** Wires the persister: JetStream log consumer → MongoDB → commit broadcast on NATS. */
export async function startPersister(config: PersisterConfig, logger: Logger): Promise<Persister> {
  const log = logger.child({ component: 'persister' });
  const names = busNames(config.BUS_PREFIX);
  const metrics = createPersisterMetrics();
  const { mongo, store } = await openStore(config, log);

  const nats = await connectNats(config.NATS_URL, 'persister', log);
  const jsm = await jetstreamManager(nats.nc);
  await ensureLogStream(jsm, names, { replicas: config.NATS_REPLICAS });
  const consumer = runPersister({
    feed: await openJetStreamLogFeed({
      js: jetstream(nats.nc),
      jsm,
      names,
      batchSize: config.BATCH_SIZE,
      replicas: config.NATS_REPLICAS,
      logger: log,
      metrics,
      clock: systemClock,
    }),
    store,
    publisher: natsCommitPublisher(nats.nc, names, systemClock),
    logger: log,
    batchSize: config.BATCH_SIZE,
    writesInFlight: config.WRITES_IN_FLIGHT,
    metrics,
    clock: systemClock,
    ...(serverAtLeast(nats.nc.info?.version, 2, 11) ? { logReader: new JetStreamLogReader(jsm, names) } : {}),
  });
  const ops = await startOpsServer(config.OPS_PORT, metrics.registry, [
    { name: 'nats', check: () => nats.connected() },
    { name: 'mongodb', check: () => store.ping() },
  ]);
  log.info({ opsPort: ops.port, prefix: names.prefix }, 'persister started');
  return {
    opsPort: ops.port,
    async stop() {
      await consumer.stop();
      await nats.nc.drain().catch(() => nats.nc.close());
      await mongo.close();
      await ops.close();
    },
  };
}

/** The MongoDB store, with its indexes created (retried until the database answers). */
async function openStore(config: PersisterConfig, log: Logger) {
  const mongo = new MongoClient(config.MONGO_URL, MONGO_CLIENT_OPTIONS);
  const store = new MongoEventStore(mongo.db(config.MONGO_DB), {
    writeConcern: config.MONGO_WRITE_CONCERN === 'majority' ? 'majority' : 1,
  });
  await retryUntilDone('creating MongoDB indexes', () => store.ensureIndexes(), log);
  return { mongo, store };
}
