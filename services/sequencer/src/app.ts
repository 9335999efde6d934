import { busNames } from '@lfsync/contracts';
import { systemClock } from '@lfsync/ports';
import {
  JetStreamReplicasError,
  connectNats,
  retryUntilDone,
  startOpsServer,
  type Logger,
  type NatsHandle,
} from '@lfsync/runtime';
import type { SequencerConfig } from './config.ts';
import { SequencerService } from './domain/sequencer-service.ts';
import { createSequencerMetrics } from './metrics.ts';
import { JetStreamSequenceLog } from './nats/jetstream-sequence-log.ts';
import { KvEventIndex } from './nats/kv-event-index.ts';
import { serveSequenceRequests } from './nats/sequence-responder.ts';
import { SequencerMembership } from './nats/sequencer-membership.ts';

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
  // JetStream may not answer for a while (a cluster electing leaders): wait for it rather than crash.
  const jetStream = await retryUntilDone(
    'opening the JetStream log and event-id index',
    async () => ({
      log: await JetStreamSequenceLog.open(nc, names, {
        duplicateWindowMs: config.DUPLICATE_WINDOW_MS,
        replicas: config.NATS_REPLICAS,
      }),
      index: await KvEventIndex.open(nc, names, config.NATS_REPLICAS),
    }),
    log,
    { maxDelayMs: 1_000, fatal: (err) => err instanceof JetStreamReplicasError },
  );
  const service = new SequencerService({
    ...jetStream,
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
  serving = true;
  log.info({ opsPort: ops.port, prefix: names.prefix }, 'sequencer started');
  return {
    opsPort: ops.port,
    async stop() {
      serving = false;
      membership.stop();
      await responder.stop();
      await nc.drain().catch(() => nc.close());
      await ops.close();
    },
  };
}
