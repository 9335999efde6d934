import type { BusNames } from '@lfsync/contracts';
import type { Cancel, Clock, LogDelivery, LogFeed } from '@lfsync/ports';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { creatingWithReplicas, ensureConsumerReplicas } from '@lfsync/runtime';
import type { Logger } from 'pino';
import type { PersisterMetrics } from '../metrics.ts';

const NANOS_PER_MS = 1_000_000;
const ACK_WAIT_MS = 30_000;
const GAUGES_INTERVAL_MS = 5_000;
/**
 * Pull requests expire after 5 s with a heartbeat each second (the client's defaults: 30 s and 15 s). When
 * the consumer's leader dies, the pull it held is lost and only missed heartbeats tell: pulls resume after
 * about 2 s instead of 30.
 */
const PULL_TIMING = { expires: 5_000, idle_heartbeat: 1_000 };
/** The durable exists with another configuration. */
const CONSUMER_EXISTS = 10148;

function delivery(message: JsMsg): LogDelivery {
  return {
    data: message.data,
    ack: () => message.ack(),
    retryLater: (delayMs) => message.nak(delayMs),
    reject: () => message.term(),
    working: () => message.working(),
  };
}

/**
 * The log as the persister's durable pull consumer delivers it. Messages are buffered as they arrive, so
 * whatever came in while a group was written is handed out together. Acknowledgements go to the server
 * (nothing to checkpoint); what is not acknowledged within the ack wait is delivered again.
 */
class JetStreamLogFeed implements LogFeed {
  readonly #messages: ConsumerMessages;
  readonly #buffer: LogDelivery[] = [];
  readonly #feeding: Promise<void>;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(messages: ConsumerMessages, logger: Logger) {
    this.#messages = messages;
    this.#feeding = (async () => {
      for await (const message of messages) {
        this.#buffer.push(delivery(message));
        this.#wake?.();
      }
    })().catch((err: unknown) => logger.error({ err }, 'log consumer subscription failed'));
  }

  async next(max: number): Promise<LogDelivery[]> {
    while (this.#buffer.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    return this.#closed ? [] : this.#buffer.splice(0, max);
  }

  checkpoint(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#messages.close();
    await this.#feeding;
  }
}

/** Creates (or finds) the persister's durable consumer on the log stream and feeds from it. */
export async function openJetStreamLogFeed(options: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: BusNames;
  batchSize: number;
  replicas: number;
  logger: Logger;
  metrics: PersisterMetrics;
  clock: Clock;
}): Promise<LogFeed> {
  const { js, jsm, names, batchSize, replicas, logger, metrics, clock } = options;
  const config = {
    durable_name: names.persisterConsumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: ACK_WAIT_MS * NANOS_PER_MS,
    deliver_policy: DeliverPolicy.All,
    filter_subject: names.logSubjectWildcard,
    max_ack_pending: Math.max(1_000, batchSize * 8),
    num_replicas: replicas,
  };
  const what = `JetStream consumer ${names.persisterConsumer}`;
  try {
    await creatingWithReplicas(what, replicas, () => jsm.consumers.add(names.logStream, config));
  } catch (err) {
    // Created before with another replica count: raise it (never lowered).
    if (!(err instanceof JetStreamApiError && err.code === CONSUMER_EXISTS)) throw err;
    await ensureConsumerReplicas(jsm, names.logStream, names.persisterConsumer, replicas);
  }
  const consumer = await js.consumers.get(names.logStream, names.persisterConsumer);
  const feed = new JetStreamLogFeed(
    await consumer.consume({ max_messages: batchSize * 4, ...PULL_TIMING }),
    logger,
  );

  let cancelGauges: Cancel = () => undefined;
  const updateGauges = () => {
    consumer.info(true).then(
      (info) => {
        metrics.consumerPending.set(info.num_pending);
        metrics.consumerAckPending.set(info.num_ack_pending);
      },
      (err: unknown) => logger.debug({ err }, 'consumer info unavailable'),
    );
    cancelGauges = clock.schedule(GAUGES_INTERVAL_MS, updateGauges);
  };
  cancelGauges = clock.schedule(GAUGES_INTERVAL_MS, updateGauges);
  return {
    next: (max) => feed.next(max),
    checkpoint: () => feed.checkpoint(),
    async close() {
      cancelGauges();
      await feed.close();
    },
  };
}
