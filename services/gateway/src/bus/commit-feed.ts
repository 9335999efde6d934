import type { SequencedBatch } from '@lfsync/contracts';

/** The key that follows the commits of every repository. */
export const EVERY_REPOSITORY = '*';

/** What the gateway does with the commits a feed brings. */
export interface CommitHandlers {
  /** `eventsJson`: each event's JSON as clients receive it, when the feed has it already. */
  onCommit(batch: SequencedBatch, committedAtMs?: number, eventsJson?: readonly string[]): void;
  /** A commit broadcast was not a valid sequenced batch: it was logged and dropped. */
  rejected?(): void;
  /** Asked per commit before it is decoded, so a commit nobody here needs costs almost nothing. */
  wants(repository: string): boolean;
  /**
   * The feed stopped bringing the commits of `repository` (undefined: of every repository but those of
   * `kept`, whose own subscriptions brought and still bring each of their commits): whatever was kept of
   * them would go stale.
   */
  stopped(repository: string | undefined, kept?: ReadonlySet<string>): void;
}

/**
 * The commit broadcasts this gateway receives: only those of the repositories it follows (by name, or
 * all of them with `EVERY_REPOSITORY`), so a gateway whose sessions need none of a repository is not sent
 * its commits at all.
 */
export interface CommitFeed {
  /** Brings the commits of `key` (a repository name or `EVERY_REPOSITORY`) from now on. */
  follow(key: string): void;
  /** The commits of `key` are no longer needed (the feed may keep bringing them a little longer). */
  unfollow(key: string): void;
  /**
   * Settles once every commit of `repository` published from now on is sure to arrive, when a
   * subscription that brings it is not yet confirmed; undefined when nothing needs waiting for. A catch-up
   * reads the store after this, so that a commit racing the subscription is either read or received.
   */
  ready(repository: string): Promise<void> | undefined;
  /** Bus subscriptions held (lingering ones included). */
  readonly subscriptions: number;
  close(): void;
}

/** A feed that brings every commit whatever is followed (in-process delivery, where that costs nothing). */
export function unfilteredCommitFeed(close: () => void): CommitFeed {
  return {
    follow: () => undefined,
    unfollow: () => undefined,
    ready: () => undefined,
    subscriptions: 1,
    close,
  };
}
