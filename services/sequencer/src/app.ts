import { busNames, type BusNames } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import { systemClock, type EventIndex, type SequenceLog } from '@lfsync/ports';
import {
  connectNats,
  mongoClientOptions,
  natsStatsBus,
  retryJetStreamSetup,
  startOpsServer,
  type Logger,
  type NatsHandle,
} from '@lfsync/runtime';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import type { SequencerConfig } from './config.ts';
import { SequencerService } from './domain/sequencer-service.ts';
import { StoreBackedEventIndex } from './domain/store-backed-event-index.ts';
import { StoreHeadSequenceLog } from './domain/store-head-sequence-log.ts';
import { createSequencerMetrics, type SequencerMetrics } from './metrics.ts';
import { JetStreamSequenceLog } from './nats/jetstream-sequence-log.ts';
import { JETSTREAM_TIMEOUT_MS } from './nats/jetstream-timeout.ts';
import { KvEventIndex } from './nats/kv-event-index.ts';
import { persisterProgress } from './nats/persister-progress.ts';
import { serveSequenceRequests, type SequenceResponder } from './nats/sequence-responder.ts';
import { SequencerMembership } from './nats/sequencer-membership.ts';
import { warnOfNatsServerFaults } from './nats/nats-server-faults.ts';
import { reportSequencerStats } from './stats.ts';

export interface Sequencer {
  readonly opsPort: number;
  stop(): Promise<void>;
}

/**
 * Wires the sequencer: JetStream log + KV event index, served on NATS request/reply, each repository owned by
 * one replica. The ops server answers first, so that `/readyz` reports not-ready while NATS is unreachable or
 * refuses the credentials.
 */
export async function startSequencer(config: SequencerConfig, logger: Logger): Promise<Sequencer> {
  const log = logger.child({ component: 'sequencer' });
  const names = busNames(config.BUS_PREFIX);
  const metrics = createSequencerMetrics();
  const bus: { nats?: NatsHandle } = {};
  let serving = false;
  const ops = await startOpsServer(config.OPS_PORT, metrics.registry, [
    { name: 'nats', check: () => bus.nats?.connected() ?? false },
    { name: 'serving', check: () => serving },
  ]);
  const nats = (bus.nats = await connectNats(config, 'sequencer', log));
  const nc = nats.nc;
  warnOfNatsServerFaults(nc.info?.version, log);
  const mongo =
    config.MONGO_URL === undefined
      ? undefined
      : new MongoClient(config.MONGO_URL, mongoClientOptions(config));
  // JetStream may not answer for a while (a cluster electing leaders): wait for it rather than crash.
  const logAndIndex = await retryJetStreamSetup(
    'opening the JetStream log and event-id index',
    () => openLogAndIndex(nc, names, config, metrics, mongo),
    log,
  );
  const service = new SequencerService({
    ...logAndIndex,
    maxAppendBytes: config.MAX_APPEND_BYTES,
    onAppend: (events, conflicts) => {
      metrics.conflicts.inc(conflicts);
      if (events > 0) metrics.appends.inc();
    },
    clock: systemClock,
  });
  const membership = new SequencerMembership(nc, names, log);
  membership.start();
  const responder = serveSequenceRequests({ nc, names, service, logger: log, metrics, membership });
  const stopStats = reportStats(nats, config, membership.id, { responder, service }, log);
  serving = true;
  log.info({ opsPort: ops.port, prefix: names.prefix }, 'sequencer started');
  return {
    opsPort: ops.port,
    async stop() {
      serving = false;
      stopStats();
      membership.stop();
      await responder.stop();
      await nc.drain().catch(() => nc.close());
      await mongo?.close();
      await ops.close();
    },
  };
}

/** Reports the requests in flight and the events queued, for the admin dashboard. */
function reportStats(
  nats: NatsHandle,
  config: SequencerConfig,
  instance: string,
  queue: { responder: SequenceResponder; service: SequencerService },
  log: Logger,
): () => void {
  return reportSequencerStats({
    bus: natsStatsBus(nats.nc, busNames(config.BUS_PREFIX), log),
    instance,
    intervalMs: config.STATS_INTERVAL_MS,
    clock: systemClock,
    logger: log,
    requestsInFlight: () => queue.responder.inFlight,
    queuedEvents: () => queue.service.queuedEvents,
  });
}

/**
 * The JetStream log and KV index; with EVENT_INDEX_TTL_MS, index entries expire and what they no longer
 * hold (and a repository the log lost) is read from MongoDB.
 */
async function openLogAndIndex(
  nc: NatsConnection,
  names: BusNames,
  config: SequencerConfig,
  metrics: SequencerMetrics,
  mongo: MongoClient | undefined,
): Promise<{ log: SequenceLog; index: EventIndex }> {
  const log = await JetStreamSequenceLog.open(nc, names, {
    duplicateWindowMs: config.DUPLICATE_WINDOW_MS,
    replicas: config.NATS_REPLICAS,
    maxBytes: config.LOG_MAX_BYTES,
    onFull: () => metrics.logFull.inc(),
  });
  const recent = await KvEventIndex.open(nc, names, config.NATS_REPLICAS, config.EVENT_INDEX_TTL_MS);
  if (mongo === undefined || config.EVENT_INDEX_TTL_MS === 0) return { log, index: recent };
  const store = new MongoEventStore(mongo.db(config.MONGO_DB));
  const jsm = await jetstreamManager(nc, { timeout: JETSTREAM_TIMEOUT_MS });
  return {
    log: new StoreHeadSequenceLog(log, store),
    index: new StoreBackedEventIndex({
      recent,
      store,
      windowMs: config.EVENT_INDEX_TTL_MS,
      persistedBefore: persisterProgress(jsm, names, systemClock),
      onLagging: () => metrics.persisterLagging.inc(),
      clock: systemClock,
    }),
  };
}
