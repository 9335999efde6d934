import type { BusNames } from '@lfsync/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { LogDelivery, LogPersister } from '../domain/log-persister.ts';
import type { PersisterMetrics } from '../metrics.ts';

const NANOS_PER_MS = 1_000_000;
const ACK_WAIT_MS = 30_000;

function delivery(message: JsMsg): LogDelivery {
  return {
    data: message.data,
    json: () => message.json(),
    ack: () => message.ack(),
    retryLater: (delayMs) => message.nak(delayMs),
    reject: () => message.term(),
    working: () => message.working(),
  };
}

/**
 * Feeds the persister from the log's durable consumer. Messages that arrive while a group is being
 * written are taken together in the next group, so a busy log is written in large batches.
 */
export async function consumeLog(options: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: BusNames;
  persister: LogPersister;
  batchSize: number;
  logger: Logger;
  metrics: PersisterMetrics;
}): Promise<{ stop(): Promise<void> }> {
  const { js, jsm, names, persister, batchSize, logger, metrics } = options;
  await jsm.consumers.add(names.logStream, {
    durable_name: names.persisterConsumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: ACK_WAIT_MS * NANOS_PER_MS,
    deliver_policy: DeliverPolicy.All,
    filter_subject: names.logSubjectWildcard,
    max_ack_pending: Math.max(1_000, batchSize * 8),
  });
  const consumer = await js.consumers.get(names.logStream, names.persisterConsumer);
  const messages = await consumer.consume({ max_messages: batchSize * 4 });

  const buffer: LogDelivery[] = [];
  let wake: (() => void) | undefined;
  let stopped = false;
  const feeding = (async () => {
    for await (const message of messages) {
      buffer.push(delivery(message));
      wake?.();
    }
  })();

  const writing = (async () => {
    while (!stopped) {
      if (buffer.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      await persister.persist(buffer.splice(0, batchSize));
    }
  })();

  const gauges = setInterval(() => {
    consumer.info(true).then(
      (info) => {
        metrics.consumerPending.set(info.num_pending);
        metrics.consumerAckPending.set(info.num_ack_pending);
      },
      (err: unknown) => logger.debug({ err }, 'consumer info unavailable'),
    );
  }, 5_000);
  gauges.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(gauges);
      persister.stop();
      await messages.close();
      wake?.();
      await Promise.allSettled([feeding, writing]);
      await persister.idle();
    },
  };
}
