import type { BusNames } from '@lfsync/contracts';
import type { Clock } from '@lfsync/ports';
import type { JetStreamManager } from '@nats-io/jetstream';

/**
 * The time before which every log message is stored: the timestamp of the first message above the
 * persister consumer's ack floor (everything at or below it is acknowledged, hence stored), or now when
 * nothing is waiting. Needs `$JS.API.CONSUMER.INFO` on the persister's consumer.
 */
export function persisterProgress(
  jsm: JetStreamManager,
  names: BusNames,
  clock: Clock,
): () => Promise<number> {
  return async () => {
    const asked = clock.now();
    const consumer = await jsm.consumers.info(names.logStream, names.persisterConsumer);
    if (consumer.num_pending + consumer.num_ack_pending === 0) return asked;
    const first = await jsm.direct.getMessage(names.logStream, {
      seq: consumer.ack_floor.stream_seq + 1,
      next_by_subj: names.logSubjectWildcard,
    });
    return first === null ? asked : first.time.getTime();
  };
}
