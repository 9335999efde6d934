import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import type { CommitFeed } from '../bus/commit-feed.ts';
import { CommitInterest } from './commit-interest.ts';

class FakeCommitFeed implements CommitFeed {
  readonly calls: string[] = [];
  readonly subscriptions = 0;
  follow(key: string): void {
    this.calls.push(`+${key}`);
  }
  unfollow(key: string): void {
    this.calls.push(`-${key}`);
  }
  ready(): Promise<void> | undefined {
    return undefined;
  }
  close(): void {}
}

function interestWithFeed() {
  const clock = new FakeClock();
  const interest = new CommitInterest(clock);
  const feed = new FakeCommitFeed();
  interest.attach(feed);
  return { clock, interest, feed };
}

describe('CommitInterest', () => {
  it('follows a repository once while any subscriber or push needs it; every pattern follows everything', () => {
    const { interest, feed } = interestWithFeed();
    interest.follow('doc:1');
    interest.follow('doc:1');
    interest.follow('doc:*');
    interest.follow('*');
    interest.unfollow('doc:1');
    expect(feed.calls).toEqual(['+doc:1', '+*']);
    interest.unfollow('doc:1');
    interest.unfollow('doc:*');
    interest.unfollow('*');
    interest.unfollow('*');
    expect(feed.calls).toEqual(['+doc:1', '+*', '-doc:1', '-*']);
  });

  it('tells a feed attached later what is already needed', () => {
    const interest = new CommitInterest(new FakeClock());
    interest.follow('a');
    interest.follow('team/*');
    const feed = new FakeCommitFeed();
    interest.attach(feed);
    expect(feed.calls).toEqual(['+a', '+*']);
  });

  it('does not follow everything for a session that subscribes right behind its auth', async () => {
    const { clock, interest, feed } = interestWithFeed();
    interest.followImplicit();
    interest.unfollowImplicit();
    await clock.advance(1_000);
    expect(feed.calls).toEqual([]);
  });

  it('follows everything for a session that never subscribed, a moment later or at once when it reads', async () => {
    const { clock, interest, feed } = interestWithFeed();
    interest.followImplicit();
    expect(feed.calls).toEqual([]);
    await clock.advance(0);
    expect(feed.calls).toEqual(['+*']);
    interest.unfollowImplicit();
    expect(feed.calls).toEqual(['+*', '-*']);

    interest.followImplicit();
    void interest.ready('r');
    expect(feed.calls).toEqual(['+*', '-*', '+*']);
    await clock.advance(0);
    expect(feed.calls).toEqual(['+*', '-*', '+*']);
  });
});
