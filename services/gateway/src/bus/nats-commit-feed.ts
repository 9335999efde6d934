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
}

/**
 * Commit broadcasts over core NATS: `<prefix>.commit.*` while every repository is followed, else one
 * subscription `<prefix>.commit.<repository>` per repository followed by name — so the server sends each
 * commit once. Names hold no `.`, so a prefix pattern (`doc:*`) cannot be a subject wildcard: it follows
 * everything.
 *
 * A handover never leaves a repository on no subscription: the one that takes over is subscribed first,
 * and the one it replaces is drained only once the server confirmed it. Meanwhile both are held and each
 * hands over what it brings, so a commit may come twice; sessions drop what they already have, so that
 * only costs a little. The wildcard's copy cannot be skipped for a repository whose own subscription is
 * confirmed: nats-server matches a message before it writes it, so a copy matched before the SUB can
 * reach the client after the PONG that confirms it, and the own subscription never gets that commit.
 */
export class NatsCommitFeed implements CommitFeed {
  readonly #options: NatsCommitFeedOptions;
  /** Keys followed, lingering ones included; the value cancels a lingering key's end. */
  readonly #followed = new Map<string, Cancel | undefined>();
  /** NATS subscriptions held, by key. */
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

  /**
   * NATS subscriptions held, lingering ones included: the wildcard alone while every repository is
   * followed, else one per repository followed by name (both kinds for a moment during a handover).
   */
  get subscriptions(): number {
    return this.#held.size;
  }

  follow(key: string): void {
    if (this.#closed) return;
    if (this.#followed.has(key)) {
      this.#followed.get(key)?.();
      this.#followed.set(key, undefined);
      return;
    }
    this.#followed.set(key, undefined);
    if (key === EVERY_REPOSITORY) {
      if (this.#held.has(key)) this.#handOverToWildcard();
      else this.#subscribe(key);
    } else if (!this.#followed.has(EVERY_REPOSITORY) && !this.#held.has(key)) this.#subscribe(key);
  }

  unfollow(key: string): void {
    if (!this.#followed.has(key) || this.#followed.get(key) !== undefined) return;
    const cancel = this.#options.clock.schedule(this.#options.lingerMs, () => {
      if (this.#followed.get(key) !== cancel) return;
      this.#followed.delete(key);
      if (key === EVERY_REPOSITORY) return this.#retireWildcard();
      const held = this.#held.get(key);
      if (held !== undefined) this.#end(key, held, this.#confirmedHeld(EVERY_REPOSITORY));
    });
    this.#followed.set(key, cancel);
  }

  ready(repository: string): Promise<void> | undefined {
    if (this.#confirmedHeld(repository) || this.#confirmedHeld(EVERY_REPOSITORY)) return undefined;
    return this.#held.get(repository)?.pending ?? this.#held.get(EVERY_REPOSITORY)?.pending;
  }

  close(): void {
    this.#closed = true;
    for (const cancel of this.#followed.values()) cancel?.();
    this.#followed.clear();
    for (const held of this.#held.values()) held.subscription.unsubscribe();
    this.#held.clear();
  }

  #subscribe(key: string): void {
    const { nc, names } = this.#options;
    const every = key === EVERY_REPOSITORY;
    const subscription = nc.subscribe(every ? names.commitSubjectWildcard : names.commitSubject(key), {
      callback: this.#fromBus,
    });
    const entry: Held = { subscription, pending: undefined };
    // Followed again while the old subscription drains: a commit sent between its UNSUB and this SUB
    // reached neither, so reads wait until the drain has dropped the window that misses it.
    const drained = this.#draining.get(key);
    const pending = Promise.all([this.#confirmed(), drained]).then(() => {
      if (entry.pending !== pending) return;
      entry.pending = undefined;
      if (every) this.#handOverToWildcard();
    });
    entry.pending = pending;
    this.#held.set(key, entry);
  }

  /** Once the followed wildcard is confirmed, the subscriptions by name it makes redundant end. */
  #handOverToWildcard(): void {
    if (this.#closed || !this.#followed.has(EVERY_REPOSITORY) || !this.#confirmedHeld(EVERY_REPOSITORY))
      return;
    for (const [key, held] of this.#held) if (key !== EVERY_REPOSITORY) this.#end(key, held, true);
  }

  /**
   * The wildcard is no longer followed: the repositories followed by name get their own subscriptions
   * first, and the wildcard ends only once the server confirmed all of them (also those followed
   * meanwhile), unless it is followed again by then.
   */
  #retireWildcard(): void {
    const wildcard = this.#held.get(EVERY_REPOSITORY);
    if (this.#closed || this.#followed.has(EVERY_REPOSITORY) || wildcard === undefined) return;
    for (const key of this.#followed.keys()) if (!this.#held.has(key)) this.#subscribe(key);
    const unconfirmed = [...this.#held.values()].flatMap((held) => held.pending ?? []);
    if (unconfirmed.length > 0) void Promise.all(unconfirmed).then(() => this.#retireWildcard());
    else this.#end(EVERY_REPOSITORY, wildcard, false);
  }

  /**
   * Drained, not cut: a commit the server sent on this subscription before it took the UNSUB is still
   * handed over (the other subscription that carries the repository may not have been sent it, or not
   * exist yet). What was kept of the repository is dropped once nothing more can arrive, unless a
   * wildcard confirmed before this UNSUB (`covered`) brings it all along — also when it was followed
   * again meanwhile: a commit sent between the UNSUB and the new SUB reached neither subscription.
   * The wildcard's end keeps what was kept of the repositories whose own subscriptions were confirmed
   * before its UNSUB and are still held once it drained: each of their commits came on one or the other.
   */
  #end(key: string, held: Held, covered: boolean): void {
    this.#held.delete(key);
    const own = key === EVERY_REPOSITORY ? this.#confirmedByName() : [];
    const stopped = (drained: boolean): void => {
      if (this.#draining.get(key) === done) this.#draining.delete(key);
      if (this.#closed) return;
      const kept = drained ? this.#stillHeld(own) : new Set<string>();
      if (key === EVERY_REPOSITORY) this.#options.handlers.stopped(undefined, kept);
      else if (!covered) this.#options.handlers.stopped(key);
    };
    // A drain cut short by a lost connection resolves too (nats.js): what the outage cost every window is
    // dropped by the refresh after the reconnect (`onBroadcastGap`), which comes after this.
    const done = held.subscription.drain().then(
      () => stopped(true),
      (err: unknown) => {
        // What it had not handed over yet may be lost: nothing it carried is kept.
        this.#options.logger.warn({ err, key }, 'commit subscription drain failed');
        stopped(false);
      },
    );
    this.#draining.set(key, done);
  }

  /** The subscriptions by name the server confirmed (when the wildcard ends: before its UNSUB). */
  #confirmedByName(): Array<[string, Held]> {
    return [...this.#held].filter(([key, held]) => key !== EVERY_REPOSITORY && held.pending === undefined);
  }

  /** The repositories of `subscriptions` still held by them (not ended, nor ended and made again). */
  #stillHeld(subscriptions: Array<[string, Held]>): Set<string> {
    return new Set(subscriptions.flatMap(([key, held]) => (this.#held.get(key) === held ? [key] : [])));
  }

  /** Held, and confirmed by the server. */
  #confirmedHeld(key: string): boolean {
    const held = this.#held.get(key);
    return held !== undefined && held.pending === undefined;
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

  readonly #fromBus = (err: Error | null, msg: Msg): void => {
    if (err !== null) return this.#failed(err);
    this.#receive(msg, msg.subject.slice(this.#repositoryAt));
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
