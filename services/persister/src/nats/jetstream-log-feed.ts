import type { BusNames } from '@lfsync/contracts';
import type { Cancel, Clock, LogDelivery, LogFeed } from '@lfsync/ports';
import { type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { PersisterMetrics } from '../metrics.ts';

const GAUGES_INTERVAL_MS = 5_000;
/**
 * Pull requests expire after 5 s with a heartbeat each second (the client's defaults: 30 s and 15 s). When
 * the consumer's leader dies, the pull it held is lost and only missed heartbeats tell: pulls resume after
 * about 2 s instead of 30.
 */
const PULL_TIMING = { expires: 5_000, idle_heartbeat: 1_000 };

/** The append time is in the message's reply subject (its JetStream info), so reading it costs no request. */
function deliveryLagSeconds(message: JsMsg, nowMs: number): number {
  return Math.max(0, nowMs - message.info.timestampNanos / 1e6) / 1000;
}

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

  constructor(
    messages: ConsumerMessages,
    options: { logger: Logger; metrics: PersisterMetrics; clock: Clock },
  ) {
    const { logger, metrics, clock } = options;
    this.#messages = messages;
    this.#feeding = (async () => {
      for await (const message of messages) {
        metrics.deliveryLag.observe(deliveryLagSeconds(message, clock.now()));
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

/** Feeds from the persister's durable consumer (created by `ensureLogConsumer`). */
export async function openJetStreamLogFeed(options: {
  js: JetStreamClient;
  names: BusNames;
  batchSize: number;
  logger: Logger;
  metrics: PersisterMetrics;
  clock: Clock;
}): Promise<LogFeed> {
  const { js, names, batchSize, logger, metrics, clock } = options;
  const consumer = await js.consumers.get(names.logStream, names.persisterConsumer);
  const feed = new JetStreamLogFeed(await consumer.consume({ max_messages: batchSize * 4, ...PULL_TIMING }), {
    logger,
    metrics,
    clock,
  });

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
