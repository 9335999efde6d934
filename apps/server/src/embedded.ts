import { join } from 'node:path';
import { sequencingTimeoutMs } from '@lfsync/contracts';
import {
  InProcessCommitBus,
  InProcessPresenceBus,
  InProcessSequencerClient,
  InProcessStatsBus,
  LmdbEnvironment,
  LmdbEventIndex,
  LmdbEventStore,
  LmdbLogFeed,
  LmdbSequenceLog,
} from '@lfsync/embedded';
import {
  startGateway,
  unfilteredCommitFeed,
  type GatewayAdapters,
  type GatewayConfig,
} from '@lfsync/gateway';
import {
  createPersisterMetrics,
  persisterConfigSchema,
  reportPersisterStats,
  runPersister,
  type PersisterMetrics,
} from '@lfsync/persister';
import { systemClock, type Clock, type EventIndex } from '@lfsync/ports';
import {
  SequencerService,
  StoreBackedEventIndex,
  reportSequencerStats,
  sequencerConfigSchema,
} from '@lfsync/sequencer';
import type { Logger } from 'pino';

export interface EmbeddedOptions {
  /** Where the LMDB environment lives (created if missing); the data survives restarts. */
  dataDir: string;
  gatewayConfig: GatewayConfig;
  logger: Logger;
  /** Defaults are the sequencer's and persister's own config defaults. */
  duplicateWindowMs?: number;
  maxAppendBytes?: number;
  batchSize?: number;
  /** LOG_RETENTION_MS: log entries stored and older than this are removed (each repository's last stays). */
  logRetentionMs?: number;
  /** LOG_MAX_BYTES: past it appends are refused with a retryable UNAVAILABLE (0 = no limit). */
  logMaxBytes?: number;
  /** EVENT_INDEX_TTL_MS: ids indexed longer ago leave the index and are found in the store (0 = kept). */
  eventIndexTtlMs?: number;
  /** Time for the log, the index, the sequencer and the persister (tests move it past a window). */
  clock?: Clock;
}

/** Embedded defaults: the LMDB log keeps a day of what the store already has, */
export const EMBEDDED_LOG_RETENTION_MS = 86_400_000;
/** and the event-id index a week of ids (as the Compose deployment's KV bucket). */
export const EMBEDDED_EVENT_INDEX_TTL_MS = 7 * 86_400_000;

export interface Embedded {
  readonly port: number;
  readonly url: string;
  /** Stops the gateway (sessions closed with 1001), lets in-flight work finish, then closes the storage. */
  stop(): Promise<void>;
}

/** The LMDB environment of the embedded mode's data directory (created if missing). */
export function openEmbeddedStorage(dataDir: string): LmdbEnvironment {
  return LmdbEnvironment.open(join(dataDir, 'lmdb'));
}

/**
 * The whole product in one process without NATS or MongoDB: the same sequencer, persister and gateway
 * code, wired to the LMDB log, index and store and to an in-process commit bus.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const { gatewayConfig, logger } = options;
  const clock = options.clock ?? systemClock;
  const env = openEmbeddedStorage(options.dataDir);
  const log = new LmdbSequenceLog(env, {
    duplicateWindowMs: options.duplicateWindowMs ?? sequencerConfigSchema.parse({}).DUPLICATE_WINDOW_MS,
    retentionMs: options.logRetentionMs ?? EMBEDDED_LOG_RETENTION_MS,
    maxBytes: options.logMaxBytes ?? 0,
    clock,
  });
  const store = new LmdbEventStore(env);
  const feed = new LmdbLogFeed(env, log, { clock });
  const index = boundedEventIndex(env, store, feed, options);
  const bus = new InProcessCommitBus(logger.child({ component: 'commit-bus' }));
  const metrics = createPersisterMetrics();
  metrics.active.set(1);
  const persister = runPersister({
    feed,
    store,
    publisher: bus,
    logger: logger.child({ component: 'persister' }),
    batchSize: options.batchSize ?? persisterConfigSchema.parse({}).BATCH_SIZE,
    metrics,
    clock,
  });
  const adapters = gatewayAdapters(index.sequencer, log, store, bus, options);
  const stopStats = reportEmbeddedStats(adapters, metrics, options);
  const stopStorage = async () => {
    stopStats();
    await persister.stop();
    await index.stop();
    await env.close();
  };
  let gateway;
  try {
    gateway = await startGateway(gatewayConfig, logger, adapters);
  } catch (err) {
    await stopStorage();
    throw err;
  }
  logger.info({ dataDir: options.dataDir, port: gateway.port }, 'embedded mode started');
  return {
    port: gateway.port,
    url: gateway.url,
    async stop() {
      await gateway.stop();
      await stopStorage();
    },
  };
}

/**
 * The LMDB index, with EVENT_INDEX_TTL_MS swept of older ids, which the sequencer then finds in the store
 * (`StoreBackedEventIndex`, as on NATS; the persister's progress is the feed's).
 */
function boundedEventIndex(
  env: LmdbEnvironment,
  store: LmdbEventStore,
  feed: LmdbLogFeed,
  options: EmbeddedOptions,
): { sequencer: EventIndex; stop(): Promise<void> } {
  const clock = options.clock ?? systemClock;
  const windowMs = options.eventIndexTtlMs ?? EMBEDDED_EVENT_INDEX_TTL_MS;
  const recent = new LmdbEventIndex(env, { windowMs, clock });
  if (windowMs === 0) return { sequencer: recent, stop: () => Promise.resolve() };
  const log = options.logger.child({ component: 'event-index' });
  recent.startSweeping(
    (removed) => log.debug({ removed }, 'expired event ids removed from the index'),
    (err: unknown) => log.error({ err }, 'event-id index sweep failed'),
  );
  const sequencer = new StoreBackedEventIndex({
    recent,
    store,
    windowMs,
    persistedBefore: () => feed.persistedBefore(),
    clock,
  });
  return { sequencer, stop: () => recent.stopSweeping() };
}

interface EmbeddedAdapters extends GatewayAdapters {
  sequencer: InProcessSequencerClient;
  sequencerService: SequencerService;
}

/**
 * The sequencer's and persister's stats reports on the in-process bus, as their own processes send them
 * over NATS (the persister's lag is not measured: the LMDB log has no consumer to ask).
 */
function reportEmbeddedStats(
  adapters: EmbeddedAdapters,
  metrics: PersisterMetrics,
  options: EmbeddedOptions,
): () => void {
  const common = {
    bus: adapters.stats,
    intervalMs: options.gatewayConfig.STATS_INTERVAL_MS,
    clock: systemClock,
    logger: options.logger,
  };
  const stopSequencer = reportSequencerStats({
    ...common,
    instance: 'embedded-sequencer',
    requestsInFlight: () => adapters.sequencer.inFlight,
    queuedEvents: () => adapters.sequencerService.queuedEvents,
  });
  const stopPersister = reportPersisterStats({
    ...common,
    instance: 'embedded-persister',
    metrics,
    measuresLag: false,
  });
  return () => {
    stopSequencer();
    stopPersister();
  };
}

/** The gateway's view of the embedded mode: the store, the in-process sequencer and commit bus. */
function gatewayAdapters(
  index: EventIndex,
  log: LmdbSequenceLog,
  store: LmdbEventStore,
  bus: InProcessCommitBus,
  options: EmbeddedOptions,
): EmbeddedAdapters {
  const service = new SequencerService({
    log,
    index,
    maxAppendBytes: options.maxAppendBytes ?? sequencerConfigSchema.parse({}).MAX_APPEND_BYTES,
    clock: options.clock ?? systemClock,
  });
  const sequencer = new InProcessSequencerClient({
    handler: service,
    timeoutMs: sequencingTimeoutMs(options.gatewayConfig.ACK_TIMEOUT_MS),
    logger: options.logger.child({ component: 'sequencer' }),
  });
  return {
    store,
    sequencer,
    sequencerService: service,
    subscribeCommits: (handlers) =>
      unfilteredCommitFeed(
        bus.subscribe((batch) => {
          if (handlers.wants(batch.repository)) handlers.onCommit(batch);
        }),
      ),
    presence: new InProcessPresenceBus(options.logger.child({ component: 'presence-bus' })),
    stats: new InProcessStatsBus(options.logger.child({ component: 'stats-bus' })),
    // In-process delivery cannot miss a broadcast: there is no connection to lose.
    onBroadcastGap: () => undefined,
    readiness: [{ name: 'storage', check: () => store.ping() }],
    close: () => sequencer.drain(),
  };
}
