import { COMMITTED_AT_HEADER, decodeBatchJson, type BusNames } from '@lfsync/contracts';
import type { Cancel, Clock } from '@lfsync/ports';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { EVERY_REPOSITORY, type CommitFeed, type CommitHandlers } from './commit-feed.ts';

export interface NatsCommitFeedOptions {
  nc: NatsConnection;
  names: BusNames;
  handlers: CommitHandlers;
  clock: Clock;
  /** How long a subscription nobody follows is kept, in case it is followed again (reconnects, churn). */
  lingerMs: number;
  logger: Logger;
}

interface Held {
  readonly subscription: Subscription;
  /** Until the server confirmed the subscription: settles then. */
  pending: Promise<void> | undefined;
  /** While nobody follows it: cancels its end. */
  cancelLinger: Cancel | undefined;
}

/**
 * Commit broadcasts over core NATS, subscribed per repository (`<prefix>.commit.<repository>`) for the
 * repositories followed by name, and on `<prefix>.commit.*` while every repository is followed. Names
 * hold no `.`, so a prefix pattern (`doc:*`) cannot be a subject wildcard: it follows everything.
 *
 * Both kinds can be held at once: the wildcard then skips a repository whose own subscription is
 * confirmed (the server sends that commit on both). Where neither is confirmed yet, a commit may come
 * twice; sessions drop what they already have, so that only costs a little.
 */
export class NatsCommitFeed implements CommitFeed {
  readonly #options: NatsCommitFeedOptions;
  readonly #held = new Map<string, Held>();
  /** Subscriptions ended but still draining, by key: settle once what was kept of them is dropped. */
  readonly #draining = new Map<string, Promise<void>>();
  readonly #repositoryAt: number;
  #confirmation: Promise<void> | undefined;
  #closed = false;

  constructor(options: NatsCommitFeedOptions) {
    this.#options = options;
    this.#repositoryAt = options.names.commitSubject('').length;
  }

  /** NATS subscriptions held, lingering ones included. */
  get subscriptions(): number {
    return this.#held.size;
  }

  follow(key: string): void {
    if (this.#closed) return;
    const held = this.#held.get(key);
    if (held !== undefined) {
      held.cancelLinger?.();
      held.cancelLinger = undefined;
      return;
    }
    const { nc, names } = this.#options;
    const every = key === EVERY_REPOSITORY;
    const subscription = nc.subscribe(every ? names.commitSubjectWildcard : names.commitSubject(key), {
      callback: every ? this.#fromWildcard : this.#fromOwn,
    });
    const entry: Held = { subscription, pending: undefined, cancelLinger: undefined };
    // Followed again while the old subscription drains: a commit sent between its UNSUB and this SUB
    // reached neither, so reads wait until the drain has dropped the window that misses it.
    const drained = this.#draining.get(key);
    const pending = Promise.all([this.#confirmed(), drained]).then(() => {
      if (entry.pending === pending) entry.pending = undefined;
    });
    entry.pending = pending;
    this.#held.set(key, entry);
  }

  unfollow(key: string): void {
    const held = this.#held.get(key);
    if (held === undefined || held.cancelLinger !== undefined) return;
    held.cancelLinger = this.#options.clock.schedule(this.#options.lingerMs, () => this.#end(key, held));
  }

  ready(repository: string): Promise<void> | undefined {
    const own = this.#held.get(repository);
    const every = this.#held.get(EVERY_REPOSITORY);
    if (
      (own !== undefined && own.pending === undefined) ||
      (every !== undefined && every.pending === undefined)
    )
      return undefined;
    return own?.pending ?? every?.pending;
  }

  close(): void {
    this.#closed = true;
    for (const held of this.#held.values()) {
      held.cancelLinger?.();
      held.subscription.unsubscribe();
    }
    this.#held.clear();
  }

  /**
   * Drained, not cut: a commit the server sent on this subscription before it took the UNSUB is still
   * handed over (the other subscription that carries the repository may have skipped its copy, or not
   * exist yet). What was kept of the repository is dropped once nothing more can arrive, unless a
   * confirmed wildcard brought it all along — also when it was followed again meanwhile: a commit sent
   * between the UNSUB and the new SUB reached neither subscription.
   */
  #end(key: string, held: Held): void {
    if (this.#held.get(key) !== held) return;
    this.#held.delete(key);
    const stopped = (): void => {
      if (this.#draining.get(key) === done) this.#draining.delete(key);
      if (this.#closed) return;
      if (key === EVERY_REPOSITORY) this.#options.handlers.stopped(undefined);
      else if (!this.#confirmedWildcard()) this.#options.handlers.stopped(key);
    };
    const done = held.subscription.drain().then(stopped, (err: unknown) => {
      this.#options.logger.warn({ err, key }, 'commit subscription drain failed');
      stopped();
    });
    this.#draining.set(key, done);
  }

  #confirmedWildcard(): boolean {
    const every = this.#held.get(EVERY_REPOSITORY);
    return every !== undefined && every.pending === undefined;
  }

  /**
   * Settles once the server has processed every subscription made so far (a PING after them, answered):
   * the subscriptions made in one go share one round trip. A connection lost meanwhile settles it too:
   * the reconnect refreshes every session from the store.
   */
  #confirmed(): Promise<void> {
    this.#confirmation ??= new Promise<void>((resolve) => {
      queueMicrotask(() => {
        this.#confirmation = undefined;
        this.#options.nc.flush().then(resolve, () => resolve());
      });
    });
    return this.#confirmation;
  }

  readonly #fromOwn = (err: Error | null, msg: Msg): void => {
    if (err !== null) return this.#failed(err);
    this.#receive(msg, msg.subject.slice(this.#repositoryAt));
  };

  readonly #fromWildcard = (err: Error | null, msg: Msg): void => {
    if (err !== null) return this.#failed(err);
    const repository = msg.subject.slice(this.#repositoryAt);
    const own = this.#held.get(repository);
    if (own !== undefined && own.pending === undefined) return;
    this.#receive(msg, repository);
  };

  #receive(msg: Msg, repository: string): void {
    const { handlers, logger } = this.#options;
    if (!handlers.wants(repository)) return;
    const decoded = decodeBatchJson(msg.data);
    if (!decoded.ok) {
      logger.error({ subject: msg.subject, reason: decoded.reason }, 'invalid commit message ignored');
      handlers.rejected?.();
      return;
    }
    const committedAt = Number(msg.headers?.get(COMMITTED_AT_HEADER));
    handlers.onCommit(
      decoded.batch,
      Number.isFinite(committedAt) && committedAt > 0 ? committedAt : undefined,
      decoded.eventsJson,
    );
  }

  #failed(err: Error): void {
    this.#options.logger.error({ err }, 'commit subscription failed');
  }
}
