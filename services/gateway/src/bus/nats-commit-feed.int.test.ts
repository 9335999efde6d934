import { busNames } from '@lfsync/contracts';
import { systemClock } from '@lfsync/ports';
import { captureLogs, sequencedBatch, uniqueName } from '@lfsync/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { EVERY_REPOSITORY } from './commit-feed.ts';
import { NatsCommitFeed } from './nats-commit-feed.ts';
import { HoldingProxy } from './testing/holding-proxy.ts';

async function connected(servers = inject('natsUrl')): Promise<NatsConnection> {
  const nc = await connect({ servers });
  onTestFinished(() => nc.close());
  return nc;
}

/** A feed on its own connection, recording what it brings; commits are published from another one. */
async function feedUnderTest(lingerMs = 0, servers = inject('natsUrl')) {
  const names = busNames(uniqueName('p'));
  const [nc, publisher] = [await connected(servers), await connected()];
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
  onTestFinished(() => feed.close());
  const publish = (repository: string, sequence: number) =>
    publisher.publish(
      names.commitSubject(repository),
      JSON.stringify(sequencedBatch(sequence, sequence, repository)),
    );
  return { feed, nc, names, publisher, publish, received, stopped };
}

async function settled(nc: NatsConnection, publisher: NatsConnection): Promise<void> {
  await publisher.flush();
  await nc.flush();
}

describe('NatsCommitFeed', () => {
  it('is sent only the commits of the repositories it follows', async () => {
    const { feed, nc, publisher, publish, received } = await feedUnderTest();
    feed.follow('mine');
    await feed.ready('mine');
    for (const repository of ['mine', 'theirs', 'mine:2']) publish(repository, 1);
    await settled(nc, publisher);
    expect(received).toEqual(['mine@1']);
    expect(nc.stats().inMsgs).toBe(1);
  });

  it('is ready for a repository once the server confirmed its subscription: a commit published then arrives', async () => {
    for (let round = 0; round < 20; round++) {
      const { feed, nc, publisher, publish, received } = await feedUnderTest();
      const repository = `r${round}`;
      feed.follow(repository);
      const ready = feed.ready(repository);
      expect(ready).toBeInstanceOf(Promise);
      await ready;
      expect(feed.ready(repository)).toBeUndefined();
      publish(repository, 1);
      await settled(nc, publisher);
      expect(received).toEqual([`${repository}@1`]);
      await nc.close();
      await publisher.close();
    }
  });

  it('takes every repository with the wildcard, once each also where one has its own subscription', async () => {
    const { feed, nc, publisher, publish, received } = await feedUnderTest();
    feed.follow('own');
    feed.follow(EVERY_REPOSITORY);
    await feed.ready('own');
    await feed.ready('other');
    publish('own', 1);
    publish('other', 1);
    await settled(nc, publisher);
    expect(received.sort()).toEqual(['other@1', 'own@1']);
    expect(nc.stats().inMsgs).toBe(3); // `own` came on both subscriptions, and was taken once
  });

  it('ends a subscription after the linger, unless followed again; then says what went stale', async () => {
    const { feed, nc, publisher, publish, received, stopped } = await feedUnderTest(200);
    feed.follow('a');
    feed.follow('b');
    await feed.ready('a');
    feed.unfollow('a');
    feed.unfollow('b');
    feed.follow('b');
    publish('a', 1);
    await settled(nc, publisher);
    expect(received).toEqual(['a@1']); // still lingering
    await new Promise((resolve) => setTimeout(resolve, 400));
    publish('a', 2);
    publish('b', 1);
    await settled(nc, publisher);
    expect(received).toEqual(['a@1', 'b@1']);
    expect(stopped).toEqual(['a']);
    expect(feed.subscriptions).toBe(1);
  });

  it('leaves a repository subscribed by name in place when the wildcard ends', async () => {
    const { feed, nc, publisher, publish, received, stopped } = await feedUnderTest(0);
    feed.follow(EVERY_REPOSITORY);
    feed.follow('kept');
    await feed.ready('kept');
    feed.unfollow(EVERY_REPOSITORY);
    await new Promise((resolve) => setTimeout(resolve, 50));
    publish('kept', 1);
    publish('dropped', 1);
    await settled(nc, publisher);
    expect(received).toEqual(['kept@1']);
    expect(stopped).toEqual([undefined]);
  });

  it('hands over a commit already sent on a subscription it ends, whose wildcard copy was skipped (regression: lost until the next commit)', async () => {
    const proxy = await HoldingProxy.start(inject('natsUrl'));
    onTestFinished(() => proxy.close());
    const { feed, nc, publisher, publish, received } = await feedUnderTest(0, proxy.url);
    feed.follow('r');
    feed.follow(EVERY_REPOSITORY);
    await feed.ready('r');
    proxy.hold();
    publish('r', 1);
    await publisher.flush();
    await expect.poll(() => proxy.heldMessages()).toBe(2);
    // The server sent the copy of the subscription by name first: the wildcard's goes first here, and is
    // skipped, as the subscription by name is confirmed. That one then ends before its copy is read.
    proxy.send(1);
    await expect.poll(() => nc.stats().inMsgs).toBe(1);
    expect(received).toEqual([]);
    feed.unfollow('r');
    await expect.poll(() => feed.subscriptions).toBe(1);
    proxy.release();
    await settled(nc, publisher);
    expect(received).toEqual(['r@1']);
  });

  it('followed again while its old subscription drains, is ready only once what was kept of it is dropped (a commit between UNSUB and SUB reached neither)', async () => {
    const proxy = await HoldingProxy.start(inject('natsUrl'));
    onTestFinished(() => proxy.close());
    const { feed, stopped } = await feedUnderTest(0, proxy.url);
    feed.follow('r');
    await feed.ready('r');
    proxy.hold(); // the drain's flush stays unanswered
    feed.unfollow('r');
    await expect.poll(() => feed.subscriptions).toBe(0);
    feed.follow('r');
    const seenWhenReady: Array<string | undefined>[] = [];
    const ready = feed.ready('r')?.then(() => seenWhenReady.push([...stopped]));
    expect(ready).toBeDefined();
    proxy.release();
    await ready;
    expect(seenWhenReady).toEqual([['r']]);
  });
});
