import { deferred } from '../deferred.ts';
import { Emitter, type Unsubscribe } from '../emitter.ts';
import type { SubscriptionError } from './subscription-error.ts';

/**
 * `pending`: not (yet) confirmed on the current connection (offline, or waiting for the server);
 * `live`: subscribed and, for an exact name, caught up from the cursor; `refused`: the server said no (see
 * `error`; tried again on the next connection); `closed`: `unsubscribe()` was called.
 */
export type SubscriptionStatus = 'pending' | 'live' | 'refused' | 'closed';

/** A repository (exact name) or a pattern (`doc:*`) this client receives live, across reconnects. */
export interface Subscription {
  /** The name or pattern, as given to `subscribe`. */
  readonly repository: string;
  readonly status: SubscriptionStatus;
  /** Why the server refused or ended it; set while `status` is `refused`. */
  readonly error: SubscriptionError | undefined;
  onStatusChange(listener: (status: SubscriptionStatus) => void): Unsubscribe;
  /** Resolves when `live`; rejects with the `SubscriptionError` when refused, or an `Error` when closed. */
  whenLive(): Promise<void>;
  /** Stops receiving it: the records stay local, with their cursor, for a later `subscribe`. */
  unsubscribe(): void;
}

export class ClientSubscription implements Subscription {
  readonly repository: string;
  #status: SubscriptionStatus = 'pending';
  #error: SubscriptionError | undefined;
  readonly #changed: Emitter<SubscriptionStatus>;
  readonly #onUnsubscribe: (subscription: ClientSubscription) => void;

  constructor(
    repository: string,
    onUnsubscribe: (subscription: ClientSubscription) => void,
    onListenerError: (cause: unknown) => void,
  ) {
    this.repository = repository;
    this.#onUnsubscribe = onUnsubscribe;
    this.#changed = new Emitter(onListenerError);
  }

  get status(): SubscriptionStatus {
    return this.#status;
  }

  get error(): SubscriptionError | undefined {
    return this.#error;
  }

  onStatusChange(listener: (status: SubscriptionStatus) => void): Unsubscribe {
    return this.#changed.on(listener);
  }

  whenLive(): Promise<void> {
    if (this.#status === 'live') return Promise.resolve();
    const settled = this.#settledPromise();
    if (settled !== undefined) return settled;
    const waiting = deferred<void>();
    const stop = this.#changed.on(() => {
      if (this.#status === 'pending') return;
      stop();
      if (this.#status === 'live') waiting.resolve();
      else waiting.reject(this.#failure());
    });
    return waiting.promise;
  }

  unsubscribe(): void {
    if (this.#status === 'closed') return;
    this.#set('closed', undefined);
    this.#onUnsubscribe(this);
  }

  /** @internal The connection's view changed. */
  set(status: Exclude<SubscriptionStatus, 'closed'>, error?: SubscriptionError): void {
    if (this.#status === 'closed') return;
    if (this.#status === status && this.#error === error) return;
    this.#set(status, error);
  }

  #set(status: SubscriptionStatus, error: SubscriptionError | undefined): void {
    this.#status = status;
    this.#error = error;
    this.#changed.emit(status);
  }

  #settledPromise(): Promise<void> | undefined {
    if (this.#status !== 'refused' && this.#status !== 'closed') return undefined;
    const failed = deferred<void>();
    failed.reject(this.#failure());
    return failed.promise;
  }

  #failure(): Error {
    return this.#error ?? new Error(`subscription to ${this.repository} closed`);
  }
}
