import type { Unsubscribe } from './emitter.ts';
import type { RecordData } from './local/local-event.ts';
import type { LocalStore } from './local/local-store.ts';
import type { RecordEntry } from './local/repository-state.ts';
import { RecordQuery, type Query } from './query.ts';

/**
 * The records of one repository as this client sees them: the server-confirmed state with the local writes
 * not yet confirmed on top. Reads are synchronous; writes apply at once, and their promise resolves when they
 * are stored locally (they are pushed to the server whenever the client is live).
 *
 * `T` is not checked at run time: records written by other clients arrive as they wrote them.
 */
export interface Repository<T extends object> {
  readonly name: string;
  get(id: string): T | undefined;
  /** Every record, in no particular order; the same array until something changes. */
  all(): readonly RecordEntry<T>[];
  upsert(id: string, data: T): Promise<void>;
  delete(id: string): Promise<void>;
  /** Calls `listener` now and after every change of the repository. */
  subscribe(listener: (records: readonly RecordEntry<T>[]) => void): Unsubscribe;
  /** The records for which `predicate` holds, kept up to date. */
  query(predicate: (data: T, id: string) => boolean): Query<T>;
}

export class StoreRepository<T extends object> implements Repository<T> {
  readonly name: string;
  readonly #store: LocalStore;

  constructor(store: LocalStore, name: string) {
    store.repository(name);
    this.#store = store;
    this.name = name;
  }

  get(id: string): T | undefined {
    return this.#store.repository(this.name).get(id) as T | undefined;
  }

  all(): readonly RecordEntry<T>[] {
    return this.#store
      .repository(this.name)
      .all() as readonly RecordEntry<unknown>[] as readonly RecordEntry<T>[];
  }

  upsert(id: string, data: T): Promise<void> {
    return this.#store.write(this.name, id, data as unknown as RecordData).persisted;
  }

  delete(id: string): Promise<void> {
    return this.#store.write(this.name, id, undefined).persisted;
  }

  subscribe(listener: (records: readonly RecordEntry<T>[]) => void): Unsubscribe {
    const unsubscribe = this.#store.onRecordsChanged(({ repository }) => {
      if (repository === this.name) listener(this.all());
    });
    listener(this.all());
    return unsubscribe;
  }

  query(predicate: (data: T, id: string) => boolean): Query<T> {
    return new RecordQuery<T>(this.#store, this.name, predicate);
  }
}
