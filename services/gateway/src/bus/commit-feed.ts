import {
  COMMITTED_AT_HEADER,
  decodeSequencedBatch,
  type BusNames,
  type SequencedBatch,
} from '@lfsync/contracts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** Every commit the persisters announce, validated; one subscription per gateway. */
export function subscribeCommits(
  nc: NatsConnection,
  names: BusNames,
  logger: Logger,
  onCommit: (batch: SequencedBatch, committedAtMs: number | undefined) => void,
  wants: (repository: string) => boolean,
): Subscription {
  // The subject ends with the repository: a commit nobody here needs is dropped before it is decoded.
  const repositoryAt = names.commitSubject('').length;
  return nc.subscribe(names.commitSubjectWildcard, {
    callback: (err, msg) => {
      if (err !== null) {
        logger.error({ err }, 'commit subscription failed');
        return;
      }
      if (!wants(msg.subject.slice(repositoryAt))) return;
      const decoded = decodeSequencedBatch(msg.data);
      if (!decoded.ok) {
        logger.error({ subject: msg.subject }, 'invalid commit message ignored');
        return;
      }
      const committedAt = Number(msg.headers?.get(COMMITTED_AT_HEADER));
      onCommit(decoded.batch, Number.isFinite(committedAt) && committedAt > 0 ? committedAt : undefined);
    },
  });
}
