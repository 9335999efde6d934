import { isRepositoryName, patternProblem, type PresenceMeta } from '@lfsync/contracts';
import { Emitter, type Unsubscribe } from '../emitter.ts';
import { ClientPresence } from './presence.ts';
import { ClientSubscription } from './subscription.ts';
import type { Claims, WireView } from './views.ts';

/**
 * What this tab's app subscribed to and where it is present: the handles it was given. What they claim goes
 * to the connection that serves this tab (its own, or the leader tab's); the views coming back set them.
 */
export class SubscriptionSet {
  readonly #subscriptions = new Map<string, ClientSubscription>();
  readonly #presences = new Map<string, ClientPresence>();
  readonly #onListenerError: (cause: unknown) => void;
  readonly #claimsChanged: Emitter<Claims>;

  constructor(onListenerError: (cause: unknown) => void) {
    this.#onListenerError = onListenerError;
    this.#claimsChanged = new Emitter(onListenerError);
  }

  get subscriptions(): readonly ClientSubscription[] {
    return [...this.#subscriptions.values()];
  }

  get claims(): Claims {
    return {
      subscriptions: [...this.#subscriptions.keys()],
      presences: [...this.#presences.values()].map(({ repository, meta }) => ({ repository, meta })),
    };
  }

  /** The app subscribed, unsubscribed, joined, changed its meta or left. */
  onClaimsChange(listener: (claims: Claims) => void): Unsubscribe {
    return this.#claimsChanged.on(listener);
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
        this.#claimsChanged.emit(this.claims);
      },
      this.#onListenerError,
    );
    this.#subscriptions.set(repository, subscription);
    this.#claimsChanged.emit(this.claims);
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
    const presence = new ClientPresence(
      repository,
      meta,
      {
        update: () => this.#claimsChanged.emit(this.claims),
        leave: (left) => {
          if (this.#presences.get(repository) !== left) return;
          this.#presences.delete(repository);
          this.#claimsChanged.emit(this.claims);
        },
      },
      this.#onListenerError,
    );
    this.#presences.set(repository, presence);
    this.#claimsChanged.emit(this.claims);
    return presence;
  }

  /** What the serving connection says about a subscription or presence; nothing when this tab holds none of it. */
  apply(view: WireView): void {
    switch (view.type) {
      case 'subscription':
        this.#subscriptions.get(view.repository)?.set(view.status, view.error);
        return;
      case 'presence':
        this.#presences.get(view.repository)?.mirror(view);
        return;
    }
  }

  /** No connection serves this tab now (stopped, or waiting for a leader tab). */
  resetAll(): void {
    for (const subscription of this.#subscriptions.values()) subscription.set('pending');
    for (const presence of this.#presences.values())
      presence.mirror({
        type: 'presence',
        repository: presence.repository,
        status: 'pending',
        error: undefined,
        sessionId: undefined,
        members: [],
        change: { kind: 'snapshot', joins: [], leaves: [] },
      });
  }
}
