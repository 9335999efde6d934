import { hostname } from 'node:os';
import { busNames } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import { systemClock, type EventWriter } from '@lfsync/ports';
import {
  connectNats,
  ensureLogStream,
  isMongoAuthError,
  mongoClientOptions,
  natsStatsBus,
  retryJetStreamSetup,
  retryUntilDone,
  serverAtLeast,
  startOpsServer,
  type Logger,
  type NatsHandle,
} from '@lfsync/runtime';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nuid } from '@nats-io/transport-node';
import { MongoClient, type Db } from 'mongodb';
import type { PersisterConfig } from './config.ts';
import { createPersisterMetrics, gaugeMergedPartsWaiting, type PersisterMetrics } from './metrics.ts';
import { JetStreamLogReader } from './nats/jetstream-log-reader.ts';
import { openJetStreamLogFeed } from './nats/jetstream-log-feed.ts';
import { ensureLogConsumer } from './nats/log-consumer.ts';
import { natsCommitPublisher } from './nats/nats-commit-publisher.ts';
import { LogTrimmer } from './nats/log-trimmer.ts';
import { PersisterLease } from './nats/persister-lease.ts';
import { replayAfterRestore } from './nats/replay-after-restore.ts';
import { runPersister } from './run-persister.ts';
import { reportPersisterStats } from './stats.ts';
import { mongoLogPosition, type LogPosition } from './store/log-position.ts';
import { StoreDeadline } from './store/store-deadline.ts';

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
  const writeConcern = config.MONGO_WRITE_CONCERN === 'majority' ? 'majority' : 1;
  const store = openStore(mongo.db(config.MONGO_DB), config, writeConcern, { metrics, log });
  const deadline = new StoreDeadline({
    timeoutMs: config.STORE_TIMEOUT_MS,
    clock: systemClock,
    logger: log,
    onTimeout: (operation) => metrics.dbTimeouts.inc({ operation }),
  });
  const position = deadline.position(mongoLogPosition(mongo.db(config.MONGO_DB), writeConcern));
  const bus: { nats?: NatsHandle } = {};
  let started = false;
  const ops = await startOpsServer(config.OPS_PORT, metrics.registry, [
    { name: 'nats', check: () => bus.nats?.connected() ?? false },
    { name: 'mongodb', check: () => store.ping() },
    { name: 'started', check: () => started },
  ]);
  await ensureIndexes(store, log);
  const nats = (bus.nats = await connectNats(config, 'persister', log));
  const holder = `${hostname()}:${process.pid}`;
  const { jsm, lease } = await openJetStream(config, nats, holder, log);
  const stopStats = reportStats(nats, config, holder, metrics, log);
  const consuming = consumeWhileLeaseHeld(lease, () =>
    startConsuming(config, { nats, jsm, store: deadline.writer(store), position, metrics, log }),
  );
  started = true;
  log.info({ opsPort: ops.port, prefix: names.prefix }, 'persister started');
  return {
    opsPort: ops.port,
    async stop() {
      started = false;
      stopStats();
      lease.stop();
      await consuming;
      await lease.release();
      await nats.nc.drain().catch(() => nats.nc.close());
      store.stopCompaction();
      await mongo.close();
      await ops.close();
    },
  };
}

/** Reports the lag, the stored events and the repositories committed to, for the admin dashboard. */
function reportStats(
  nats: NatsHandle,
  config: PersisterConfig,
  holder: string,
  metrics: PersisterMetrics,
  log: Logger,
): () => void {
  return reportPersisterStats({
    bus: natsStatsBus(nats.nc, busNames(config.BUS_PREFIX), log),
    // Several replicas may share a process (tests): the dashboard tells them apart.
    instance: `${holder}:${nuid.next().slice(-6)}`,
    intervalMs: config.STATS_INTERVAL_MS,
    clock: systemClock,
    logger: log,
    metrics,
    measuresLag: true,
  });
}

/** The log stream, the consumer and the lease; JetStream may not answer for a while (a cluster electing leaders): waits for it rather than crash. */
function openJetStream(
  config: PersisterConfig,
  nats: NatsHandle,
  holder: string,
  log: Logger,
): Promise<{ jsm: JetStreamManager; lease: PersisterLease }> {
  const names = busNames(config.BUS_PREFIX);
  return retryJetStreamSetup(
    'opening the JetStream log, consumer and lease',
    async () => {
      const jsm = await jetstreamManager(nats.nc);
      await ensureLogStream(jsm, names, { replicas: config.NATS_REPLICAS });
      await ensureLogConsumer(jsm, names, { batchSize: config.BATCH_SIZE, replicas: config.NATS_REPLICAS });
      const lease = await PersisterLease.open(nats.nc, names, {
        ttlMs: config.LEASE_TTL_MS,
        replicas: config.NATS_REPLICAS,
        holder,
        logger: log,
      });
      return { jsm, lease };
    },
    log,
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
    store: EventWriter;
    position: LogPosition;
    metrics: PersisterMetrics;
    log: Logger;
  },
): Promise<{ stop(): Promise<void> }> {
  const { nats, jsm, store, metrics, log } = deps;
  const names = busNames(config.BUS_PREFIX);
  const batched = serverAtLeast(nats.nc.info?.version, 2, 11);
  const trimmer = await startTrimming(config, { ...deps, batched });
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
    ...(batched ? { logReader: new JetStreamLogReader(jsm, names) } : {}),
  });
  return {
    async stop() {
      await trimmer?.stop();
      await consumer.stop();
      metrics.active.set(0);
    },
  };
}

/**
 * With LOG_RETENTION_MS: replays the log if MongoDB is behind it (restored from a backup), then trims it
 * every LOG_TRIM_INTERVAL_MS while this replica holds the lease.
 */
async function startTrimming(
  config: PersisterConfig,
  deps: {
    jsm: JetStreamManager;
    position: LogPosition;
    metrics: PersisterMetrics;
    log: Logger;
    batched: boolean;
  },
): Promise<LogTrimmer | undefined> {
  if (config.LOG_RETENTION_MS === 0) return undefined;
  const { jsm, position, metrics, log } = deps;
  const names = busNames(config.BUS_PREFIX);
  await retryUntilDone(
    'checking the log position saved in MongoDB',
    () =>
      replayAfterRestore({
        jsm,
        names,
        position,
        consumer: { batchSize: config.BATCH_SIZE, replicas: config.NATS_REPLICAS },
        metrics,
        logger: log,
      }),
    log,
    { maxDelayMs: 1_000 },
  );
  const trimmer = new LogTrimmer({
    jsm,
    names,
    retentionMs: config.LOG_RETENTION_MS,
    position,
    metrics,
    logger: log,
    clock: systemClock,
    batched: deps.batched,
  });
  trimmer.start(config.LOG_TRIM_INTERVAL_MS);
  return trimmer;
}

function openStore(
  db: Db,
  config: PersisterConfig,
  writeConcern: 'majority' | 1,
  { metrics, log }: { metrics: PersisterMetrics; log: Logger },
): MongoEventStore {
  const store = new MongoEventStore(db, {
    writeConcern,
    compaction: config.BATCH_COMPACTION === 'on',
    onCompactionError: (err) => {
      metrics.compactionFailures.inc();
      log.warn({ err }, 'merging batches into chunks failed; they stay readable as they are');
    },
  });
  gaugeMergedPartsWaiting(metrics, () => store.mergedPartsWaiting());
  return store;
}
