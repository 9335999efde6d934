import { COMMITTED_AT_HEADER, busNames } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
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
import { headers } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import type { PersisterConfig } from './config.ts';
import { LogPersister } from './domain/log-persister.ts';
import { createPersisterMetrics } from './metrics.ts';
import { JetStreamLogReader } from './nats/jetstream-log-reader.ts';
import { consumeLog } from './nats/log-consumer.ts';

export interface Persister {
  readonly opsPort: number;
  stop(): Promise<void>;
}

/** Wires the persister: JetStream log consumer → MongoDB → commit broadcast on NATS. */
export async function startPersister(config: PersisterConfig, logger: Logger): Promise<Persister> {
  const log = logger.child({ component: 'persister' });
  const names = busNames(config.BUS_PREFIX);
  const metrics = createPersisterMetrics();
  const mongo = new MongoClient(config.MONGO_URL, MONGO_CLIENT_OPTIONS);
  const store = new MongoEventStore(mongo.db(config.MONGO_DB), {
    writeConcern: config.MONGO_WRITE_CONCERN === 'majority' ? 'majority' : 1,
  });
  await retryUntilDone('creating MongoDB indexes', () => store.ensureIndexes(), log);

  const nats = await connectNats(config.NATS_URL, 'persister', log);
  const jsm = await jetstreamManager(nats.nc);
  await ensureLogStream(jsm, names);
  const persister = new LogPersister({
    store,
    publisher: {
      publish: (repository, data) => {
        const h = headers();
        h.set(COMMITTED_AT_HEADER, String(Date.now()));
        nats.nc.publish(names.commitSubject(repository), data, { headers: h });
      },
    },
    logger: log,
    metrics,
    writesInFlight: config.WRITES_IN_FLIGHT,
    ...(serverAtLeast(nats.nc.info?.version, 2, 11) ? { logReader: new JetStreamLogReader(jsm, names) } : {}),
  });
  const consumer = await consumeLog({
    js: jetstream(nats.nc),
    jsm,
    names,
    persister,
    batchSize: config.BATCH_SIZE,
    logger: log,
    metrics,
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
