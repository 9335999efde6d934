import { busNames, type SequencedBatch } from '@lfsync/contracts';
import { systemClock } from '@lfsync/ports';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { NatsCommitFeed } from '../nats-commit-feed.ts';

// This folder ships in the gateway's image: it imports only the gateway's own dependencies (no test kit).

/** A commit of one event at `sequence`. */
function commitAt(repository: string, sequence: number): SequencedBatch {
  const event = {
    _event_id: `e${sequence}`,
    _operation: 0 as const,
    _created_at: 0,
    serverSequence: sequence,
  };
  return { repository, fromSequence: sequence, toSequence: sequence, events: [event] };
}

/** Where the feed and the publisher connect; `cleanup` is the test runner's `onTestFinished`. */
export interface FeedUnderTestOptions {
  servers: string;
  publisherServers?: string;
  lingerMs?: number;
  cleanup: (fn: () => Promise<void> | void) => void;
}

/** A feed on its own connection, recording what it brings; commits are published from another one. */
export async function feedUnderTest(options: FeedUnderTestOptions) {
  const { servers, publisherServers = servers, lingerMs = 0, cleanup } = options;
  const names = busNames(`p${randomBytes(6).toString('hex')}`);
  const connected = async (url: string): Promise<NatsConnection> => {
    const nc = await connect({ servers: url });
    cleanup(() => nc.close());
    return nc;
  };
  const [nc, publisher] = [await connected(servers), await connected(publisherServers)];
  const received: string[] = [];
  const stopped: Array<string | undefined> = [];
  /** At each end of the wildcard, the repositories it said were kept (sorted). */
  const kept: string[][] = [];
  const feed = new NatsCommitFeed({
    nc,
    names,
    handlers: {
      onCommit: (batch) => received.push(`${batch.repository}@${batch.toSequence}`),
      wants: () => true,
      stopped: (repository, keptNow) => {
        stopped.push(repository);
        if (repository === undefined) kept.push([...(keptNow ?? [])].sort());
      },
    },
    clock: systemClock,
    lingerMs,
    logger: pino({ level: 'silent' }),
  });
  cleanup(() => feed.close());
  const publish = (repository: string, sequence: number) =>
    publisher.publish(names.commitSubject(repository), JSON.stringify(commitAt(repository, sequence)));
  /** Resolves once what was published so far reached the feed's connection and was handled. */
  const settled = async () => {
    await publisher.flush();
    await nc.flush();
  };
  return { feed, nc, names, publisher, publish, settled, received, stopped, kept };
}
