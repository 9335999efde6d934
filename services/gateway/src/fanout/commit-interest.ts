import { parsePattern } from '@lfsync/contracts';
import type { Cancel, Clock } from '@lfsync/ports';
import { EVERY_REPOSITORY, type CommitFeed } from '../bus/commit-feed.ts';

/**
 * Which commits this gateway needs from the bus: the repositories its sessions subscribed to by name, every
 * repository while a session holds a pattern or never subscribed, and the repositories it has pushes in
 * flight for (their acks wait for the commit). Counted per key, so the feed is told only when a key is
 * first needed and when it no longer is.
 *
 * A session that never subscribed wants every repository, but most clients subscribe right behind their
 * `auth`: that interest starts a moment later, or at once when a store read needs it (a catch-up must not
 * start before the commits after it are sure to arrive), so such a client never has the gateway take every
 * commit.
 */
export class CommitInterest {
  readonly #clock: Clock;
  readonly #counts = new Map<string, number>();
  #feed: CommitFeed | undefined;
  #implicit: 'none' | 'soon' | 'held' = 'none';
  #cancelSoon: Cancel | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** From now on the feed brings what is needed (everything needed so far included). */
  attach(feed: CommitFeed): void {
    this.#feed = feed;
    for (const key of this.#counts.keys()) feed.follow(key);
  }

  /** A pattern's first subscriber (or a push's repository): its commits are needed. */
  follow(pattern: string): void {
    const key = keyOf(pattern);
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    if (count === 1) this.#feed?.follow(key);
  }

  unfollow(pattern: string): void {
    const key = keyOf(pattern);
    const count = (this.#counts.get(key) ?? 0) - 1;
    if (count > 0) return void this.#counts.set(key, count);
    if (count < 0) return;
    this.#counts.delete(key);
    this.#feed?.unfollow(key);
  }

  /** The first session that never subscribed is here: every repository is needed, in a moment. */
  followImplicit(): void {
    if (this.#implicit !== 'none') return;
    this.#implicit = 'soon';
    this.#cancelSoon = this.#clock.schedule(0, () => this.#holdImplicit());
  }

  /** No session that never subscribed is left. */
  unfollowImplicit(): void {
    const was = this.#implicit;
    this.#implicit = 'none';
    this.#cancelSoon?.();
    this.#cancelSoon = undefined;
    if (was === 'held') this.unfollow(EVERY_REPOSITORY);
  }

  /** See `CommitFeed.ready`; a store read brings the interest of sessions that never subscribed forward. */
  ready(repository: string): Promise<void> | undefined {
    if (this.#implicit === 'soon') this.#holdImplicit();
    return this.#feed?.ready(repository);
  }

  #holdImplicit(): void {
    if (this.#implicit !== 'soon') return;
    this.#cancelSoon?.();
    this.#cancelSoon = undefined;
    this.#implicit = 'held';
    this.follow(EVERY_REPOSITORY);
  }
}

function keyOf(pattern: string): string {
  const parsed = parsePattern(pattern);
  return parsed.kind === 'exact' ? parsed.name : EVERY_REPOSITORY;
}
