import type { BusNames } from '@lfsync/contracts';
import { creatingWithReplicas, ensureConsumerReplicas } from '@lfsync/runtime';
import { AckPolicy, DeliverPolicy, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';

const NANOS_PER_MS = 1_000_000;
const ACK_WAIT_MS = 30_000;
/** The durable exists with another configuration. */
const CONSUMER_EXISTS = 10148;

/**
 * Creates the persisters' durable consumer on the log stream, kept on `replicas` servers; one created
 * earlier with fewer is scaled up (never down).
 */
export async function ensureLogConsumer(
  jsm: JetStreamManager,
  names: BusNames,
  options: { batchSize: number; replicas: number; startSequence?: number },
): Promise<void> {
  const { batchSize, replicas, startSequence } = options;
  const config = {
    durable_name: names.persisterConsumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: ACK_WAIT_MS * NANOS_PER_MS,
    ...(startSequence === undefined
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSequence }),
    filter_subject: names.logSubjectWildcard,
    max_ack_pending: Math.max(1_000, batchSize * 8),
    num_replicas: replicas,
  };
  const what = `JetStream consumer ${names.persisterConsumer}`;
  try {
    await creatingWithReplicas(what, replicas, () => jsm.consumers.add(names.logStream, config));
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === CONSUMER_EXISTS)) throw err;
    await ensureConsumerReplicas(jsm, names.logStream, names.persisterConsumer, replicas);
  }
}
