import { join } from 'node:path';
import { startGateway, type GatewayAdapters, type GatewayConfig } from '@lfsync/gateway';
import { LogPersister, createPersisterMetrics, persisterConfigSchema } from '@lfsync/persister';
import { SequencerService, sequencerConfigSchema } from '@lfsync/sequencer';
import type { Logger } from 'pino';
import { InProcessCommitBus } from './bus/in-process-commit-bus.ts';
import { InProcessSequencerClient } from './bus/in-process-sequencer-client.ts';
import { LmdbEnvironment } from './lmdb/lmdb-environment.ts';
import { LmdbEventIndex } from './lmdb/lmdb-event-index.ts';
import { LmdbEventStore } from './lmdb/lmdb-event-store.ts';
import { consumeLmdbLog } from './lmdb/lmdb-log-consumer.ts';
import { LmdbSequenceLog } from './lmdb/lmdb-sequence-log.ts';

export interface EmbeddedOptions {
  /** Where the LMDB environment lives (created if missing); the data survives restarts. */
  dataDir: string;
  gatewayConfig: GatewayConfig;
  logger: Logger;
  /** Defaults are the sequencer's and persister's own config defaults. */
  duplicateWindowMs?: number;
  maxAppendBytes?: number;
  batchSize?: number;
}

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
  const sequencerDefaults = sequencerConfigSchema.parse({});
  const persisterDefaults = persisterConfigSchema.parse({});
  const env = openEmbeddedStorage(options.dataDir);
  const log = new LmdbSequenceLog(env, {
    duplicateWindowMs: options.duplicateWindowMs ?? sequencerDefaults.DUPLICATE_WINDOW_MS,
  });
  const store = new LmdbEventStore(env);
  const bus = new InProcessCommitBus(logger.child({ component: 'commit-bus' }));
  const sequencer = new InProcessSequencerClient({
    handler: new SequencerService({
      log,
      index: new LmdbEventIndex(env),
      maxAppendBytes: options.maxAppendBytes ?? sequencerDefaults.MAX_APPEND_BYTES,
    }),
    timeoutMs: Math.min(gatewayConfig.ACK_TIMEOUT_MS, 10_000),
    logger: logger.child({ component: 'sequencer' }),
  });
  const persisterLogger = logger.child({ component: 'persister' });
  const consumer = consumeLmdbLog({
    env,
    log,
    sink: new LogPersister({
      store,
      publisher: bus,
      logger: persisterLogger,
      metrics: createPersisterMetrics(),
    }),
    batchSize: options.batchSize ?? persisterDefaults.BATCH_SIZE,
    logger: persisterLogger,
  });
  const adapters: GatewayAdapters = {
    store,
    sequencer,
    subscribeCommits: (onCommit) => bus.subscribe(onCommit),
    // In-process delivery cannot miss a broadcast: there is no connection to lose.
    onBroadcastGap: () => undefined,
    readiness: [{ name: 'storage', check: () => store.ping() }],
    close: () => sequencer.drain(),
  };

  let gateway;
  try {
    gateway = await startGateway(gatewayConfig, logger, adapters);
  } catch (err) {
    await consumer.stop();
    await env.close();
    throw err;
  }
  logger.info({ dataDir: options.dataDir, port: gateway.port }, 'embedded mode started');
  return {
    port: gateway.port,
    url: gateway.url,
    async stop() {
      await gateway.stop();
      await consumer.stop();
      await env.close();
    },
  };
}
