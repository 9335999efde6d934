import { COMMITTED_AT_HEADER, type BusNames } from '@lfsync/contracts';
import type { Clock, CommitPublisher } from '@lfsync/ports';
import { headers, type NatsConnection } from '@nats-io/transport-node';

/** Commit broadcasts on core NATS, stamped with the commit time (for the gateways' broadcast-lag metric). */
export function natsCommitPublisher(nc: NatsConnection, names: BusNames, clock: Clock): CommitPublisher {
  return {
    publish(repository, data) {
      const h = headers();
      h.set(COMMITTED_AT_HEADER, String(clock.now()));
      nc.publish(names.commitSubject(repository), data, { headers: h });
    },
  };
}
