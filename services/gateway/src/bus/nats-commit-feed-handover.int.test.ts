import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { EVERY_REPOSITORY } from './commit-feed.ts';
import { feedUnderTest } from './testing/feed-under-test.ts';
import { HoldingProxy } from './testing/holding-proxy.ts';

/**
 * The feed hands every repository followed by name over between its own subscription and the wildcard
 * (the server sends a commit once in steady state), and no commit published meanwhile reaches no
 * subscription.
 */
/** A feed behind a proxy that can hold what the server sends, following everything and `r`, both ready. */
async function wildcardAndRBehindProxy() {
  const proxy = await HoldingProxy.start(inject('natsUrl'));
  onTestFinished(() => proxy.close());
  const under = await feedUnderTest({
    servers: proxy.url,
    publisherServers: inject('natsUrl'),
    cleanup: onTestFinished,
  });
  under.feed.follow(EVERY_REPOSITORY);
  under.feed.follow('r');
  await under.feed.ready('r');
  return { proxy, ...under };
}

describe('NatsCommitFeed handovers', () => {
  it('keeps the wildcard until the subscriptions by name that replace it are confirmed, then forgets what it alone brought', async () => {
    const { proxy, feed, nc, publish, settled, received, stopped, kept } = await wildcardAndRBehindProxy();
    expect(feed.subscriptions).toBe(1);
    proxy.hold();
    feed.unfollow(EVERY_REPOSITORY);
    await expect.poll(() => proxy.heldPongs()).toBe(1); // the server took the SUB of `r`
    publish('r', 1);
    publish('other', 1);
    await expect.poll(() => proxy.heldMessages()).toBe(3); // `r` on both subscriptions: the wildcard is held
    expect(feed.subscriptions).toBe(2);
    expect(stopped).toEqual([]);
    proxy.release();
    await settled();
    await expect.poll(() => stopped).toEqual([undefined]);
    expect(kept).toEqual([['r']]); // what was kept of `r` stays: every commit of it came on one or the other
    expect(feed.subscriptions).toBe(1);
    expect(new Set(received)).toEqual(new Set(['r@1', 'other@1']));

    const before = nc.stats().inMsgs;
    publish('r', 2);
    publish('other', 2);
    await settled();
    expect(nc.stats().inMsgs - before).toBe(1);
    expect(received.at(-1)).toBe('r@2');
  });

  it('keeps, when the wildcard ends, only what was kept of repositories whose own subscriptions were confirmed before its UNSUB and are still held', async () => {
    const { proxy, feed, stopped, kept } = await wildcardAndRBehindProxy();
    feed.follow('s');
    proxy.hold();
    feed.unfollow(EVERY_REPOSITORY);
    await expect.poll(() => proxy.heldPongs()).toBe(1); // the server took the SUBs of `r` and `s`
    proxy.sendPongs();
    await expect.poll(() => feed.subscriptions).toBe(2); // the wildcard drains: its flush stays unanswered
    feed.unfollow('s'); // linger 0: ends
    feed.follow('x'); // a commit of `x` sent between the wildcard's UNSUB and this SUB reached neither
    await expect.poll(() => feed.subscriptions).toBe(2); // `s` has ended: r and x
    proxy.release();
    await expect.poll(() => stopped.includes(undefined)).toBe(true);
    expect(kept).toEqual([['r']]);
  });

  it('delivers every commit published while the wildcard comes and goes, and each once in steady state', async () => {
    const { feed, nc, publish, settled, received, stopped, kept } = await feedUnderTest({
      servers: inject('natsUrl'),
      cleanup: onTestFinished,
    });
    const repositories = Array.from({ length: 5 }, (_, i) => `r${i}`);
    for (const repository of repositories) feed.follow(repository);
    await feed.ready('r0');
    let sequence = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        sequence += 1;
        for (const repository of repositories) publish(repository, sequence);
        await sleep(1);
      }
    })();
    for (let round = 0; round < 6; round++) {
      feed.follow(EVERY_REPOSITORY);
      await expect.poll(() => feed.subscriptions).toBe(1);
      feed.unfollow(EVERY_REPOSITORY);
      await expect.poll(() => feed.subscriptions).toBe(repositories.length);
    }
    publishing = false;
    await publisher;
    await settled();
    const got = new Set(received);
    const missing = repositories.flatMap((repository) =>
      Array.from({ length: sequence }, (_, i) => `${repository}@${i + 1}`).filter((c) => !got.has(c)),
    );
    expect(missing).toEqual([]);
    expect(stopped).toEqual(Array.from({ length: 6 }, () => undefined)); // no repository followed by name
    expect(kept).toEqual(Array.from({ length: 6 }, () => repositories));

    for (const wildcard of [false, true]) {
      if (wildcard) feed.follow(EVERY_REPOSITORY);
      await expect.poll(() => feed.subscriptions).toBe(wildcard ? 1 : repositories.length);
      await nc.flush(); // the server took the UNSUBs of the subscriptions replaced
      const before = nc.stats().inMsgs;
      for (const repository of repositories) publish(repository, ++sequence);
      await settled();
      expect(nc.stats().inMsgs - before).toBe(repositories.length);
    }
  }, 30_000);

  it('hands over a wildcard copy that reaches the client after the PONG of the subscription by name that replaces it, when the server matched it before that SUB', async () => {
    const { proxy, feed, publish, settled, received } = await wildcardAndRBehindProxy();
    proxy.hold();
    publish('r', 1);
    await expect.poll(() => proxy.heldMessages()).toBe(1); // only the wildcard existed: one copy
    feed.unfollow(EVERY_REPOSITORY); // linger 0: `r` is subscribed by name, then the wildcard drained
    await expect.poll(() => proxy.heldPongs()).toBe(1);
    // nats-server matches a message against its subscriptions, then writes it: a publisher goroutine that
    // matched before the SUB of `r` was inserted can write its copy after the PONG that confirms it.
    proxy.sendPongs();
    await expect.poll(() => feed.subscriptions).toBe(1); // `r` confirmed, the wildcard draining
    proxy.release();
    await settled();
    expect(received).toEqual(['r@1']);
  });
});
