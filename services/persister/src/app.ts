import { hostname } from 'node:os';
import { busNames } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import { systemClock } from '@lfsync/ports';
import {
  connectNats,
  ensureLogStream,
  JetStreamReplicasError,
  isMongoAuthError,
  mongoClientOptions,
  retryUntilDone,
  serverAtLeast,
  startOpsServer,
  type Logger,
  type NatsHandle,
} from '@lfsync/runtime';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { MongoClient } from 'mongodb';
import type { PersisterConfig } from './config.ts';
import { createPersisterMetrics, type PersisterMetrics } from './metrics.ts';
import { JetStreamLogReader } from './nats/jetstream-log-reader.ts';
import { openJetStreamLogFeed } from './nats/jetstream-log-feed.ts';
import { ensureLogConsumer } from './nats/log-consumer.ts';
import { natsCommitPublisher } from './nats/nats-commit-publisher.ts';
import { PersisterLease } from './nats/persister-lease.ts';
import { runPersister } from './run-persister.ts';

export interface Persister {
  readonly opsPort: number;
  stop(): Promise<void>;
}

/**
 * Wires the persister: JetStream log consumer → MongoDB → commit broadcast on NATS. Of several replicas one
 * consumes (the holder of the lease) and the others stand by to take over. The ops server answers first,
 * so that `/readyz` reports not-ready while a dependency is unreachable or refuses the credentials.
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
  let started = false;
  const ops = await startOpsServer(config.OPS_PORT, metrics.registry, [
    { name: 'nats', check: () => bus.nats?.connected() ?? false },
    { name: 'mongodb', check: () => store.ping() },
    { name: 'started', check: () => started },
  ]);
  await ensureIndexes(store, log);
  const nats = (bus.nats = await connectNats(config, 'persister', log));
  const { jsm, lease } = await openJetStream(config, nats, log);
  const consuming = consumeWhileLeaseHeld(lease, () =>
    startConsuming(config, { nats, jsm, store, metrics, log }),
  );
  started = true;
  log.info({ opsPort: ops.port, prefix: names.prefix }, 'persister started');
  return {
    opsPort: ops.port,
    async stop() {
      started = false;
      lease.stop();
      await consuming;
      await lease.release();
      await nats.nc.drain().catch(() => nats.nc.close());
      await mongo.close();
      await ops.close();
    },
  };
}

/** The log stream, the consumer and the lease; JetStream may not answer for a while (a cluster electing leaders): waits for it rather than crash. */
function openJetStream(
  config: PersisterConfig,
  nats: NatsHandle,
  log: Logger,
): Promise<{ jsm: JetStreamManager; lease: PersisterLease }> {
  const names = busNames(config.BUS_PREFIX);
  return retryUntilDone(
    'opening the JetStream log, consumer and lease',
    async () => {
      const jsm = await jetstreamManager(nats.nc);
      await ensureLogStream(jsm, names, { replicas: config.NATS_REPLICAS });
      await ensureLogConsumer(jsm, names, { batchSize: config.BATCH_SIZE, replicas: config.NATS_REPLICAS });
      const lease = await PersisterLease.open(nats.nc, names, {
        ttlMs: config.LEASE_TTL_MS,
        replicas: config.NATS_REPLICAS,
        holder: `${hostname()}:${process.pid}`,
        logger: log,
      });
      return { jsm, lease };
    },
    log,
    { maxDelayMs: 1_000, fatal: (err) => err instanceof JetStreamReplicasError },
  );
}

/** Creates the MongoDB indexes, retried until the database answers; a refused login is logged once. */
async function ensureIndexes(store: MongoEventStore, log: Logger): Promise<void> {
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
}

/** While this replica holds the lease, consumes the log; stands by otherwise, until the lease is stopped. */
async function consumeWhileLeaseHeld(
  lease: PersisterLease,
  start: () => Promise<{ stop(): Promise<void> }>,
): Promise<void> {
  while (await lease.acquire()) {
    const consumer = await start();
    await lease.held();
    await consumer.stop();
  }
}

async function startConsuming(
  config: PersisterConfig,
  deps: {
    nats: NatsHandle;
    jsm: JetStreamManager;
    store: MongoEventStore;
    metrics: PersisterMetrics;
    log: Logger;
  },
): Promise<{ stop(): Promise<void> }> {
  const { nats, jsm, store, metrics, log } = deps;
  const names = busNames(config.BUS_PREFIX);
  const feed = await retryUntilDone(
    'opening the log consumer',
    () =>
      openJetStreamLogFeed({
        js: jetstream(nats.nc),
        names,
        batchSize: config.BATCH_SIZE,
        logger: log,
        metrics,
        clock: systemClock,
      }),
    log,
    { maxDelayMs: 1_000 },
  );
  metrics.active.set(1);
  const consumer = runPersister({
    feed,
    store,
    publisher: natsCommitPublisher(nats.nc, names, systemClock),
    logger: log,
    batchSize: config.BATCH_SIZE,
    writesInFlight: config.WRITES_IN_FLIGHT,
    metrics,
    clock: systemClock,
    ...(serverAtLeast(nats.nc.info?.version, 2, 11) ? { logReader: new JetStreamLogReader(jsm, names) } : {}),
  });
  return {
    async stop() {
      await consumer.stop();
      metrics.active.set(0);
    },
  };
}
