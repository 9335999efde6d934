import {
  isExactName,
  patternMatches,
  type ErrorMessage,
  type PresenceMember,
  type PresenceUpdateMessage,
  type RequestEventsMessage,
  type RequestSnapshotMessage,
  type SubscribeMessage,
  type UnsubscribeMessage,
} from '@lfsync/contracts';
import type { Cancel, Clock } from '../clock.ts';
import type { LocalStore } from '../local/local-store.ts';
import { SubscriptionError } from '../subscriptions/subscription-error.ts';
import type { WirePresence } from '../subscriptions/wire-presence.ts';
import type {
  SubscriptionDriver,
  WireSubscription,
  WireSubscriptions,
} from '../subscriptions/wire-subscriptions.ts';
import type { CatchUp } from './catch-up.ts';

export type SubscriptionFrame =
  | SubscribeMessage
  | UnsubscribeMessage
  | PresenceUpdateMessage
  | RequestEventsMessage
  | RequestSnapshotMessage;

/** What a `subscribe` on the wire was for, to match its `subscribed` or `error` answer (sent in order). */
type Pending = 'data' | 'pattern' | 'presence';

const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * The subscriptions on one connection: subscribes to everything the holders claim once authenticated (exact
 * names with `afterSequence` = the stored cursor, so catch-up and live come without a gap or a duplicate),
 * joins every presence, follows the app's changes while up, and matches the server's answers to them.
 */
export class SubscriptionFlow implements SubscriptionDriver {
  readonly #set: WireSubscriptions;
  readonly #store: LocalStore;
  readonly #catchUp: CatchUp;
  readonly #send: (frame: SubscriptionFrame) => void;
  readonly #clock: Clock;
  /** Exact names with a `subscribe` sent on this connection: their next catch-ups are `request_events`. */
  readonly #subscribed = new Set<string>();
  readonly #pending = new Map<string, Pending[]>();
  readonly #unsubscribing = new Map<string, number>();
  readonly #timers = new Set<Cancel>();
  #sessionId: () => string = () => '';

  constructor(options: {
    readonly set: WireSubscriptions;
    readonly store: LocalStore;
    readonly catchUp: CatchUp;
    readonly send: (frame: SubscriptionFrame) => void;
    readonly clock: Clock;
  }) {
    this.#set = options.set;
    this.#store = options.store;
    this.#catchUp = options.catchUp;
    this.#send = options.send;
    this.#clock = options.clock;
  }

  /** Right after `auth`: everything the holders claim, again. */
  start(sessionId: () => string): void {
    this.#sessionId = sessionId;
    this.#set.attach(this);
    for (const subscription of this.#set.subscriptions) this.subscribe(subscription);
    for (const presence of this.#set.presences) this.joinPresence(presence);
  }

  dispose(): void {
    this.#set.detach(this);
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    for (const subscription of this.#set.subscriptions) subscription.set('pending');
    for (const presence of this.#set.presences) presence.reset();
  }

  /** The frame that catches `repository` up from `afterSequence` (called by the catch-up). */
  sendCatchUp(repository: string, afterSequence: number, snapshotMinRatio?: number): void {
    const subscribeNow = this.#set.isSubscribed(repository) && !this.#subscribed.has(repository);
    if (snapshotMinRatio !== undefined) {
      // The snapshot (or the log it falls back to) is the catch-up; the subscribe only makes the events live.
      // It goes first, so that its answer comes before any refusal of the snapshot naming the same repository.
      if (subscribeNow) {
        this.#subscribed.add(repository);
        this.#expect(repository, 'data');
        this.#send({ type: 'subscribe', repository });
      }
      this.#send({ type: 'request_snapshot', repository, minRatio: snapshotMinRatio });
      return;
    }
    if (subscribeNow) {
      this.#subscribed.add(repository);
      this.#expect(repository, 'data');
      this.#send({ type: 'subscribe', repository, afterSequence });
    } else {
      this.#send({ type: 'request_events', repository, afterSequence });
    }
  }

  subscribe(subscription: WireSubscription): void {
    const { repository } = subscription;
    if (!isExactName(repository)) {
      this.#expect(repository, 'pattern');
      this.#send({ type: 'subscribe', repository });
      return;
    }
    this.#store.open(repository);
    if (this.#catchUp.isInFlight(repository)) {
      // The running catch-up brings what is missing; this only makes the events live.
      this.#subscribed.add(repository);
      this.#expect(repository, 'data');
      this.#send({ type: 'subscribe', repository });
    } else {
      this.#catchUp.request(repository);
    }
  }

  unsubscribe(subscription: WireSubscription): void {
    const { repository } = subscription;
    this.#subscribed.delete(repository);
    this.#unsubscribe(repository);
    // Unsubscribing ends a presence membership of the repository too: join it again.
    const presence = this.#set.presence(repository);
    if (presence !== undefined) this.joinPresence(presence);
  }

  joinPresence(presence: WirePresence): void {
    this.#expect(presence.repository, 'presence');
    this.#send({ type: 'subscribe', repository: presence.repository, presence: { meta: presence.meta } });
  }

  updatePresence(presence: WirePresence): void {
    if (presence.status === 'joined')
      this.#send({ type: 'presence_update', repository: presence.repository, meta: presence.meta });
  }

  leavePresence(presence: WirePresence): void {
    const { repository } = presence;
    // The protocol ends a membership with its subscription: unsubscribe, then subscribe again from the cursor.
    this.#unsubscribe(repository);
    const subscription = this.#set.subscription(repository);
    if (subscription !== undefined) {
      this.#subscribed.delete(repository);
      this.subscribe(subscription);
    }
  }

  subscribed(repository: string): void {
    switch (this.#next(repository)) {
      case 'data':
        this.caughtUp(repository);
        return;
      case 'pattern':
        this.#set.subscription(repository)?.set('live');
        this.#adoptStored(repository);
        return;
      case 'presence':
        this.#set.presence(repository)?.joined(this.#sessionId());
        return;
      case undefined:
        return;
    }
  }

  /** Marks an exact subscription live once subscribed on this connection and caught up. */
  caughtUp(repository: string): void {
    const subscription = this.#set.subscription(repository);
    if (subscription === undefined || !this.#subscribed.has(repository)) return;
    if ((this.#pending.get(repository) ?? []).includes('data')) return;
    if (this.#catchUp.isCaughtUp(repository)) subscription.set('live');
  }

  unsubscribed(repository: string): void {
    const expected = this.#unsubscribing.get(repository) ?? 0;
    if (expected > 0) {
      if (expected === 1) this.#unsubscribing.delete(repository);
      else this.#unsubscribing.set(repository, expected - 1);
      return;
    }
    // Not asked for: a token refresh took the right to read it away.
    const error = new SubscriptionError('FORBIDDEN', `the token no longer covers ${repository}`, repository);
    this.#subscribed.delete(repository);
    this.#set.subscription(repository)?.set('refused', error);
    this.#set.presence(repository)?.refused(error);
  }

  presence(repository: string, members: readonly PresenceMember[]): void {
    this.#set.presence(repository)?.snapshot(members);
  }

  presenceDiff(repository: string, joins: readonly PresenceMember[], leaves: readonly string[]): void {
    this.#set.presence(repository)?.diff(joins, leaves);
  }

  /** Opens a repository that a pattern subscription delivers and the store does not know yet. */
  adopts(repository: string): boolean {
    if (!this.#set.coversByPattern(repository)) return false;
    this.#store.open(repository);
    return true;
  }

  /** Takes an `error` naming a repository that answers a `subscribe` or a presence change; false when it is not one. */
  refused(message: ErrorMessage & { readonly repository: string }): boolean {
    const { repository, code } = message;
    const error = new SubscriptionError(code, message.message, repository, message.retryAfterMs);
    const delayMs = message.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    switch (this.#next(repository)) {
      case 'data':
        this.#subscribed.delete(repository);
        if (error.retryable) this.#catchUp.retryLater(repository, delayMs);
        else {
          this.#catchUp.refused(repository);
          this.#set.subscription(repository)?.set('refused', error);
        }
        return true;
      case 'pattern':
        return this.#refusedNow(
          error,
          delayMs,
          () => this.#set.subscription(repository),
          (s) => this.subscribe(s),
          (s) => s.set('refused', error),
        );
      case 'presence':
        return this.#refusedNow(
          error,
          delayMs,
          () => this.#set.presence(repository),
          (p) => this.joinPresence(p),
          (p) => p.refused(error),
        );
      case undefined: {
        // A refused `presence_update`: a rate limit is waited out, anything else is the app's to fix.
        const presence = this.#set.presence(repository);
        if (presence?.status !== 'joined' || !PRESENCE_UPDATE_REFUSALS.has(code)) return false;
        if (error.retryable) this.#later(delayMs, () => this.updatePresence(presence));
        return true;
      }
    }
  }

  #refusedNow<T>(
    error: SubscriptionError,
    delayMs: number,
    current: () => T | undefined,
    retry: (held: T) => void,
    refuse: (held: T) => void,
  ): boolean {
    const held = current();
    if (held === undefined) return true;
    if (!error.retryable) {
      refuse(held);
      return true;
    }
    this.#later(delayMs, () => {
      const still = current();
      if (still !== undefined) retry(still);
    });
    return true;
  }

  #later(delayMs: number, run: () => void): void {
    const cancel = this.#clock.schedule(delayMs, () => {
      this.#timers.delete(cancel);
      run();
    });
    this.#timers.add(cancel);
  }

  #unsubscribe(repository: string): void {
    this.#unsubscribing.set(repository, (this.#unsubscribing.get(repository) ?? 0) + 1);
    this.#send({ type: 'unsubscribe', repository });
  }

  /** The oldest `subscribe` of `repository` still waiting for its answer, now answered. */
  #next(repository: string): Pending | undefined {
    const queue = this.#pending.get(repository);
    const kind = queue?.shift();
    if (queue?.length === 0) this.#pending.delete(repository);
    return kind;
  }

  #expect(repository: string, kind: Pending): void {
    const queue = this.#pending.get(repository) ?? [];
    queue.push(kind);
    this.#pending.set(repository, queue);
  }

  /** Repositories of a pattern this client holds records of: catch up from their cursors (new ones start live). */
  #adoptStored(pattern: string): void {
    const known = [...this.#store.repositoryNames, ...this.#store.dormantNames];
    for (const name of known) {
      if (!patternMatches(pattern, name) || this.#set.isSubscribed(name)) continue;
      this.#store.open(name);
      this.#catchUp.request(name);
    }
  }
}

const PRESENCE_UPDATE_REFUSALS = new Set<ErrorMessage['code']>([
  'PRESENCE_LIMIT',
  'PAYLOAD_TOO_LARGE',
  'INVALID_MESSAGE',
]);
