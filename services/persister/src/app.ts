import { busNames, type BusNames } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import { systemClock } from '@lfsync/ports';
import {
  connectNats,
  isMongoAuthError,
  mongoClientOptions,
  ensureLogStream,
  retryUntilDone,
  serverAtLeast,
  startOpsServer,
  type Logger,
  type NatsHandle,
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

/**
 * Wires the persister: JetStream log consumer → MongoDB → commit broadcast on NATS. The ops server answers
 * first, so that `/readyz` reports not-ready while a dependency is unreachable or refuses the credentials.
 */
export async function startPersister(config: PersisterConfig, logger: Logger): Promise<Persister> {
  const log = logger.child({ component: 'persister' });
  const names = busNames(config.BUS_PREFIX);
  const metrics = createPersisterMetrics();
  const mongo = new MongoClient(config.MONGO_URL, mongoClientOptions(config));
  const store = new MongoEventStore(mongo.db(config.MONGO_DB), {
    writeConcern: config.MONGO_WRITE_CONCERN === 'majority' ? 'majority' : 1,
  });
  const bus: { nats?: NatsHandle } = {};
  let consuming = false;
  const ops = await startOpsServer(config.OPS_PORT, metrics.registry, [
    { name: 'nats', check: () => bus.nats?.connected() ?? false },
    { name: 'mongodb', check: () => store.ping() },
    { name: 'consuming', check: () => consuming },
  ]);
  let authFailing = false;
  await retryUntilDone(
    'creating MongoDB indexes',
    () =>
      store.ensureIndexes().catch((err: unknown) => {
        if (isMongoAuthError(err) && !authFailing) log.error({ err }, 'mongodb authentication failed');
        authFailing = isMongoAuthError(err);
        throw err;
      }),
    log,
  );
  const nats = await connectNats(config, 'persister', log);
  bus.nats = nats;
  const consumer = await startConsumer(config, { nats, store, names, log, metrics });
  consuming = true;
  log.info({ opsPort: ops.port, prefix: names.prefix }, 'persister started');
  return {
    opsPort: ops.port,
    async stop() {
      consuming = false;
      await consumer.stop();
      await nats.nc.drain().catch(() => nats.nc.close());
      await mongo.close();
      await ops.close();
    },
  };
}

interface ConsumerDependencies {
  nats: NatsHandle;
  store: MongoEventStore;
  names: BusNames;
  log: Logger;
  metrics: ReturnType<typeof createPersisterMetrics>;
}

async function startConsumer(config: PersisterConfig, deps: ConsumerDependencies) {
  const { nats, store, names, log, metrics } = deps;
  const jsm = await jetstreamManager(nats.nc);
  await ensureLogStream(jsm, names);
  return runPersister({
    feed: await openJetStreamLogFeed({
      js: jetstream(nats.nc),
      jsm,
      names,
      batchSize: config.BATCH_SIZE,
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
}
