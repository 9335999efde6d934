import { busNames } from '@lfsync/contracts';
import { systemClock } from '@lfsync/ports';
import { captureLogs, sequencedBatch, uniqueName } from '@lfsync/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsCommitFeed } from '../nats-commit-feed.ts';

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
  const names = busNames(uniqueName('p'));
  const connected = async (url: string): Promise<NatsConnection> => {
    const nc = await connect({ servers: url });
    cleanup(() => nc.close());
    return nc;
  };
  const [nc, publisher] = [await connected(servers), await connected(publisherServers)];
  const received: string[] = [];
  const stopped: Array<string | undefined> = [];
  const feed = new NatsCommitFeed({
    nc,
    names,
    handlers: {
      onCommit: (batch) => received.push(`${batch.repository}@${batch.toSequence}`),
      wants: () => true,
      stopped: (repository) => stopped.push(repository),
    },
    clock: systemClock,
    lingerMs,
    logger: captureLogs('fatal').logger,
  });
  cleanup(() => feed.close());
  const publish = (repository: string, sequence: number) =>
    publisher.publish(
      names.commitSubject(repository),
      JSON.stringify(sequencedBatch(sequence, sequence, repository)),
    );
  /** Resolves once what was published so far reached the feed's connection and was handled. */
  const settled = async () => {
    await publisher.flush();
    await nc.flush();
  };
  return { feed, nc, names, publisher, publish, settled, received, stopped };
}
