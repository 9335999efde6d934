import { deferred } from './deferred.ts';
import { Emitter, rethrowAsync, type Unsubscribe } from './emitter.ts';
import type { ConflictReport } from './local/conflict.ts';
import type { LocalStore } from './local/local-store.ts';
import { StoreRepository, type Repository } from './repository.ts';
import type { SyncStorage } from './storage/sync-storage.ts';
import type { StorageRepair } from './storage/sync-storage.ts';
import type { ConnectionLink, TabRole } from './tabs/connection-link.ts';
import type { ConnectionState } from './sync/connection-state.ts';
import { isExactName, patternMatches, type PresenceMeta } from '@lfsync/contracts';
import type { Presence } from './subscriptions/presence.ts';
import type { SubscriptionSet } from './subscriptions/subscription-set.ts';
import type { Subscription } from './subscriptions/subscription.ts';
import type { SyncError } from './sync-error.ts';

/** The app's handle on sync: repositories to read and write, and what the connection is doing. */
export class SyncClient {
  readonly #store: LocalStore;
  readonly #connection: ConnectionLink;
  readonly #storage: SyncStorage;
  readonly #errors: Emitter<SyncError>;
  readonly #subscriptions: SubscriptionSet;
  readonly #repositories = new Map<string, StoreRepository<object>>();
  #stopWaiters = new Set<(reason: Error) => void>();
  /** Set when the stored state was unreadable in part or whole and was repaired on opening (see `StorageRepair`). */
  readonly storageRepair: StorageRepair | undefined;

  /** Use `createSyncClient`. */
  constructor(parts: {
    readonly store: LocalStore;
    readonly connection: ConnectionLink;
    readonly storage: SyncStorage;
    readonly errors: Emitter<SyncError>;
    readonly subscriptions: SubscriptionSet;
    readonly storageRepair?: StorageRepair | undefined;
  }) {
    this.#subscriptions = parts.subscriptions;
    this.storageRepair = parts.storageRepair;
    this.#store = parts.store;
    this.#connection = parts.connection;
    this.#storage = parts.storage;
    this.#errors = parts.errors;
  }

  /**
   * Receives a repository (`"doc:42"`) or every repository of a pattern (`"doc:*"`, `"*"`) live, on this and
   * every later connection, until `unsubscribe()`. An exact name is caught up from its stored cursor first
   * (nothing missing, nothing twice) and can be read with `repository(name)` at once; a pattern's
   * repositories open as their events arrive, and those stored here open at once and catch up from their
   * cursors.
   * Subscribing again returns the subscription held. Throws a `TypeError` on a name that is no pattern;
   * refusals by the server (`FORBIDDEN`, `TOO_MANY_SUBSCRIPTIONS`, …) set `status` `refused` and `error`.
   */
  subscribe(repository: string): Subscription {
    const subscription = this.#subscriptions.subscribe(repository);
    // Readable at once, offline too: the name, or what is stored of the pattern's repositories.
    if (isExactName(repository)) this.#store.open(repository);
    else
      for (const name of this.#store.dormantNames)
        if (patternMatches(repository, name)) this.#store.open(name);
    return subscription;
  }

  /** What this client is subscribed to: the repositories named at creation, then those of `subscribe`. */
  get subscriptions(): readonly Subscription[] {
    return this.#subscriptions.subscriptions;
  }

  /**
   * Joins the presence of a repository (exact name) with `meta` (at most 1 KiB as JSON by default): this
   * session is listed with its token's subject and `meta`, and `members` shows who else is online, with
   * `onChange` for joins and leaves. Held across reconnects until `leave()`; joining again changes the meta.
   * With `tabs`, the tab holding the connection is the member.
   */
  joinPresence(repository: string, meta: PresenceMeta = {}): Presence {
    return this.#subscriptions.joinPresence(repository, meta);
  }

  /** One of the repositories named at creation or subscribed to; `T` is the record type (not checked at run time). */
  repository<T extends object>(name: string): Repository<T> {
    let repository = this.#repositories.get(name);
    if (repository === undefined) {
      repository = new StoreRepository<object>(this.#store, name);
      this.#repositories.set(name, repository);
    }
    return repository as unknown as Repository<T>;
  }

  get state(): ConnectionState {
    return this.#connection.state;
  }

  onStateChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#connection.onStateChange(listener);
  }

  /** `leader` or `follower` when tabs share the storage (`tabs` option), else `solo`. */
  get tabRole(): TabRole {
    return this.#connection.role;
  }

  /** Local writes the server has not acknowledged yet ("N pending changes"). */
  get pendingCount(): number {
    return this.#store.pendingCount;
  }

  onPendingCountChange(listener: (count: number) => void): Unsubscribe {
    return this.#store.onPendingCountChanged(listener);
  }

  /** Errors from the server and the client's own troubles, as data. Without any listener they go to `console.warn`. */
  onError(listener: (error: SyncError) => void): Unsubscribe {
    return this.#errors.on(listener);
  }

  /** Writes that were discarded or merged by the conflict resolver. */
  onConflict(listener: (conflict: ConflictReport) => void): Unsubscribe {
    return this.#store.onConflict(listener);
  }

  /** Connects, and reconnects whenever the connection is lost, until `stop()`. */
  start(): void {
    this.#connection.start();
  }

  /** Disconnects; resolves once the local writes made so far are stored. Pending `whenLive()` calls reject. */
  async stop(): Promise<void> {
    this.#connection.stop();
    const error = new Error('sync client stopped');
    for (const reject of this.#stopWaiters) reject(error);
    this.#stopWaiters.clear();
    await this.#store.persisted();
  }

  /** Drops the connection and connects again at once, skipping the backoff (a follower tab asks the leader). */
  reconnect(): void {
    this.#connection.reconnect();
  }

  /** `stop()`, then releases the storage (e.g. closes the IndexedDB connection) and leaves the other tabs. */
  async close(): Promise<void> {
    await this.stop();
    this.#connection.close();
    await this.#storage.close?.();
  }

  /** Resolves when the connection is live (authenticated and caught up); rejects on `stop()`. */
  whenLive(): Promise<void> {
    return this.#waitFor(
      () => this.#connection.state.status === 'live',
      (wake) => this.#connection.onStateChange(wake),
    );
  }

  /** Resolves when no local write waits for an acknowledgement; rejects on `stop()`. */
  flushed(): Promise<void> {
    return this.#waitFor(
      () => this.#store.pendingCount === 0,
      (wake) => this.#store.onPendingCountChanged(wake),
    );
  }

  /** Resolves once every local change so far is in the storage. */
  persisted(): Promise<void> {
    return this.#store.persisted();
  }

  #waitFor(done: () => boolean, watch: (wake: () => void) => Unsubscribe): Promise<void> {
    if (done()) return Promise.resolve();
    const waiting = deferred<void>();
    const finish = (error?: Error): void => {
      unwatch();
      this.#stopWaiters.delete(finish);
      if (error === undefined) waiting.resolve();
      else waiting.reject(error);
    };
    const unwatch = watch(() => {
      if (done()) finish();
    });
    this.#stopWaiters.add(finish);
    return waiting.promise;
  }
}

/** Routes client errors to the app's listeners, or to `console.warn` when it has none (never dropped silently). */
export function createErrorEmitter(): Emitter<SyncError> {
  return new Emitter<SyncError>(rethrowAsync);
}
