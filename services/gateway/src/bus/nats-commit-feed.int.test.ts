import type { NatsConnection } from '@nats-io/transport-node';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { EVERY_REPOSITORY } from './commit-feed.ts';
import { feedUnderTest as feedOn } from './testing/feed-under-test.ts';
import { HoldingProxy } from './testing/holding-proxy.ts';

const feedUnderTest = (lingerMs = 0, servers = inject('natsUrl')) =>
  feedOn({ servers, publisherServers: inject('natsUrl'), lingerMs, cleanup: onTestFinished });

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

  it('takes every repository with the wildcard alone, once each, also one followed by name', async () => {
    const { feed, nc, publisher, publish, received } = await feedUnderTest();
    feed.follow('own');
    await feed.ready('own');
    feed.follow(EVERY_REPOSITORY);
    feed.follow('later');
    await feed.ready('other');
    await expect.poll(() => feed.subscriptions).toBe(1); // the subscription of `own` ended…
    await nc.flush(); // …and the server took its UNSUB
    expect(feed.ready('later')).toBeUndefined();
    for (const repository of ['own', 'later', 'other']) publish(repository, 1);
    await settled(nc, publisher);
    expect(received.sort()).toEqual(['later@1', 'other@1', 'own@1']);
    expect(nc.stats().inMsgs).toBe(3); // the server sent each commit once
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
    const { feed, nc, publisher, publish, received, stopped, kept } = await feedUnderTest(0);
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
    expect(kept).toEqual([['kept']]);
  });

  it('hands over a commit already sent on a subscription by name the wildcard replaces (drained, not cut)', async () => {
    const proxy = await HoldingProxy.start(inject('natsUrl'));
    onTestFinished(() => proxy.close());
    const { feed, nc, publisher, publish, received } = await feedUnderTest(0, proxy.url);
    feed.follow('r');
    await feed.ready('r');
    proxy.hold();
    publish('r', 1);
    await expect.poll(() => proxy.heldMessages()).toBe(1); // sent on the subscription by name alone
    feed.follow(EVERY_REPOSITORY);
    await expect.poll(() => proxy.heldPongs()).toBe(1); // the server took the wildcard's SUB
    proxy.sendPongs();
    await expect.poll(() => feed.subscriptions).toBe(1); // the subscription by name ended before its copy is read
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
