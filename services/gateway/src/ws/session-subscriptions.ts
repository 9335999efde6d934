import { AppError, claimCovers, isExactName, patternMatches, type SubscribeMessage } from '@lfsync/contracts';
import type { Principal } from '../auth/token-verifier.ts';
import type { SessionRegistry, Subscriber } from './session-registry.ts';
import type { SessionSocket } from './session-socket.ts';

/** What a subscription with `presence` does besides receiving events (see presence/). */
export interface PresenceMembership {
  /** Why the session may not join the repository's presence with `meta`, or undefined when it may. */
  refusal(repository: string, meta: Record<string, unknown>): AppError | undefined;
  join(repository: string, principal: Principal, meta: Record<string, unknown>): void;
  /** New meta for a membership; an error when the session is no member, too fast or the meta too large. */
  update(repository: string, meta: Record<string, unknown>): AppError | undefined;
  leave(repository: string): void;
  leaveAll(): void;
}

export interface SubscriptionsOptions<S extends Subscriber> {
  session: S;
  registry: SessionRegistry<S>;
  socket: SessionSocket;
  maxSubscriptions: number;
  implicitAll: boolean;
  presence: PresenceMembership;
  /** The session's feeds (an object it has anyway, rather than closures per session). */
  feeds: SubscriptionFeeds;
}

interface SubscriptionFeeds {
  /** A catch-up from `afterSequence`, ending with `sync_complete` (as `request_events`). */
  requestEvents(repository: string, afterSequence: number, pageSize: number | undefined): Promise<void>;
  /** Called when the set of repositories the session receives changed: drops the positions it no longer needs. */
  prune(): void;
}

const frame = (type: 'subscribed' | 'unsubscribed', repository: string) =>
  JSON.stringify({ type, repository });

/** A session's subscriptions: checked against its claim and limits, then registered for the fan-out. */
export class SessionSubscriptions<S extends Subscriber> {
  readonly #options: SubscriptionsOptions<S>;

  constructor(options: SubscriptionsOptions<S>) {
    this.#options = options;
  }

  /** Whether the session receives the live events of `repository`. */
  receives(repository: string): boolean {
    const patterns = this.#options.registry.subscriptionsOf(this.#options.session);
    if (patterns === undefined) return this.#options.implicitAll;
    for (const pattern of patterns) if (patternMatches(pattern, repository)) return true;
    return false;
  }

  async subscribe(principal: Principal, message: SubscribeMessage): Promise<void> {
    const { registry, session, socket, presence } = this.#options;
    const pattern = message.repository;
    const refusal = this.#refusal(principal, message);
    if (refusal !== undefined) return socket.sendError(refusal, { repository: pattern });
    registry.subscribe(session, pattern);
    this.#options.feeds.prune();
    socket.send(frame('subscribed', pattern));
    if (message.presence !== undefined) presence.join(pattern, principal, message.presence.meta ?? {});
    if (message.afterSequence !== undefined)
      await this.#options.feeds.requestEvents(pattern, message.afterSequence, undefined);
  }

  unsubscribe(pattern: string): void {
    const { registry, session, socket, presence } = this.#options;
    registry.unsubscribe(session, pattern);
    presence.leave(pattern);
    this.#options.feeds.prune();
    socket.send(frame('unsubscribed', pattern));
  }

  updatePresence(repository: string, meta: Record<string, unknown>): void {
    const refusal = this.#options.presence.update(repository, meta);
    if (refusal !== undefined) this.#options.socket.sendError(refusal, { repository });
  }

  /** After a token refresh: subscriptions the new claim no longer covers end (`unsubscribed` is sent). */
  prune(principal: Principal): void {
    const patterns = this.#options.registry.subscriptionsOf(this.#options.session);
    for (const pattern of [...(patterns ?? [])])
      if (!claimCovers(principal.claim.read, pattern)) this.unsubscribe(pattern);
  }

  /** The session lost its principal: every subscription and presence ends (it subscribes again). */
  clear(): void {
    const { registry, session, presence } = this.#options;
    for (const pattern of [...(registry.subscriptionsOf(session) ?? [])])
      registry.unsubscribe(session, pattern);
    presence.leaveAll();
  }

  #refusal(principal: Principal, message: SubscribeMessage): AppError | undefined {
    const pattern = message.repository;
    const exact = isExactName(pattern);
    if (message.afterSequence !== undefined && !exact)
      return new AppError(
        'INVALID_MESSAGE',
        'afterSequence needs an exact repository name: subscribe to the pattern, then request_events per repository',
      );
    if (message.presence !== undefined && !exact)
      return new AppError('INVALID_MESSAGE', 'presence needs an exact repository name, not a pattern');
    if (!claimCovers(principal.claim.read, pattern))
      return new AppError('FORBIDDEN', `no read access to every repository of ${pattern}`);
    const patterns = this.#options.registry.subscriptionsOf(this.#options.session);
    if (patterns?.has(pattern) !== true && (patterns?.size ?? 0) >= this.#options.maxSubscriptions)
      return new AppError(
        'TOO_MANY_SUBSCRIPTIONS',
        `a session may hold at most ${this.#options.maxSubscriptions} subscriptions`,
      );
    if (message.presence !== undefined)
      return this.#options.presence.refusal(pattern, message.presence.meta ?? {});
    return undefined;
  }
}
