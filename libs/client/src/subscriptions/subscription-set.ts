import {
  isExactName,
  isRepositoryName,
  patternMatches,
  patternProblem,
  type PresenceMeta,
} from '@lfsync/contracts';
import { Emitter, type Unsubscribe } from '../emitter.ts';
import { ClientPresence } from './presence.ts';
import { ClientSubscription } from './subscription.ts';

/** The current connection's side of the subscriptions: it sends what the app asks for while it is up. */
export interface SubscriptionDriver {
  subscribe(subscription: ClientSubscription): void;
  unsubscribe(subscription: ClientSubscription): void;
  joinPresence(presence: ClientPresence): void;
  updatePresence(presence: ClientPresence): void;
  leavePresence(presence: ClientPresence): void;
}

/**
 * What the app subscribed to and where it is present, across connections: each new connection subscribes to
 * all of it again (exact names from their stored cursors) and joins every presence again.
 */
export class SubscriptionSet {
  readonly #subscriptions = new Map<string, ClientSubscription>();
  readonly #presences = new Map<string, ClientPresence>();
  readonly #onListenerError: (cause: unknown) => void;
  readonly #presenceChanged: Emitter<ClientPresence>;
  #driver: SubscriptionDriver | undefined;

  constructor(onListenerError: (cause: unknown) => void) {
    this.#onListenerError = onListenerError;
    this.#presenceChanged = new Emitter(onListenerError);
  }

  /** Any presence changed its members or status (for the other tabs). */
  onPresenceChange(listener: (presence: ClientPresence) => void): Unsubscribe {
    return this.#presenceChanged.on(listener);
  }

  get subscriptions(): readonly ClientSubscription[] {
    return [...this.#subscriptions.values()];
  }

  get presences(): readonly ClientPresence[] {
    return [...this.#presences.values()];
  }

  subscription(repository: string): ClientSubscription | undefined {
    return this.#subscriptions.get(repository);
  }

  presence(repository: string): ClientPresence | undefined {
    return this.#presences.get(repository);
  }

  /** Whether an exact subscription names `repository`. */
  isSubscribed(repository: string): boolean {
    return this.#subscriptions.has(repository);
  }

  /** Whether a pattern subscription (not an exact one) covers `repository`. */
  coversByPattern(repository: string): boolean {
    for (const text of this.#subscriptions.keys())
      if (!isExactName(text) && patternMatches(text, repository)) return true;
    return false;
  }

  /** The held subscription when there is one (the same object), else a new one. Throws a TypeError on a bad pattern. */
  subscribe(repository: string): ClientSubscription {
    const problem = patternProblem(repository);
    if (problem !== undefined)
      throw new TypeError(`invalid repository or pattern "${repository}": ${problem}`);
    let subscription = this.#subscriptions.get(repository);
    if (subscription !== undefined) return subscription;
    subscription = new ClientSubscription(
      repository,
      (closed) => {
        if (this.#subscriptions.get(repository) !== closed) return;
        this.#subscriptions.delete(repository);
        this.#driver?.unsubscribe(closed);
      },
      this.#onListenerError,
    );
    this.#subscriptions.set(repository, subscription);
    this.#driver?.subscribe(subscription);
    return subscription;
  }

  /** Joins a repository's presence (or changes the meta of the membership held). Throws a TypeError on a bad name. */
  joinPresence(repository: string, meta: PresenceMeta): ClientPresence {
    if (!isRepositoryName(repository))
      throw new TypeError(`presence needs an exact repository name, not "${String(repository)}"`);
    const held = this.#presences.get(repository);
    if (held !== undefined) {
      held.update(meta);
      return held;
    }
    const presence: ClientPresence = new ClientPresence(
      repository,
      meta,
      {
        update: (changed) => this.#driver?.updatePresence(changed),
        leave: (left) => {
          if (this.#presences.get(repository) !== left) return;
          this.#presences.delete(repository);
          this.#driver?.leavePresence(left);
        },
      },
      this.#onListenerError,
    );
    this.#presences.set(repository, presence);
    presence.onChange(() => this.#presenceChanged.emit(presence));
    this.#driver?.joinPresence(presence);
    return presence;
  }

  attach(driver: SubscriptionDriver): void {
    this.#driver = driver;
  }

  detach(driver: SubscriptionDriver): void {
    if (this.#driver === driver) this.#driver = undefined;
  }
}
