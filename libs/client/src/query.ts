import type { Unsubscribe } from './emitter.ts';
import type { LocalStore } from './local/local-store.ts';
import type { RecordEntry } from './local/repository-state.ts';

export interface Query<T> {
  /** The matching records now, in no particular order. */
  current(): readonly RecordEntry<T>[];
  /** Calls `listener` now and whenever the set of matching records or one of them changes. */
  subscribe(listener: (records: readonly RecordEntry<T>[]) => void): Unsubscribe;
}

/** A predicate over one repository; while subscribed it re-evaluates only the records that changed. */
export class RecordQuery<T> implements Query<T> {
  readonly #store: LocalStore;
  readonly #repository: string;
  readonly #predicate: (data: T, id: string) => boolean;
  readonly #listeners = new Set<(records: readonly RecordEntry<T>[]) => void>();
  #matches: Map<string, RecordEntry<T>> | undefined;
  #result: readonly RecordEntry<T>[] = [];
  #detach: Unsubscribe | undefined;

  constructor(store: LocalStore, repository: string, predicate: (data: T, id: string) => boolean) {
    this.#store = store;
    this.#repository = repository;
    this.#predicate = predicate;
  }

  current(): readonly RecordEntry<T>[] {
    return this.#matches === undefined ? [...this.#scan().values()] : this.#result;
  }

  subscribe(listener: (records: readonly RecordEntry<T>[]) => void): Unsubscribe {
    if (this.#matches === undefined) {
      this.#matches = this.#scan();
      this.#result = [...this.#matches.values()];
      this.#detach = this.#store.onRecordsChanged(({ repository, ids }) => {
        if (repository === this.#repository && this.#update(ids)) {
          for (const l of [...this.#listeners]) l(this.#result);
        }
      });
    }
    const wrapped = (records: readonly RecordEntry<T>[]): void => listener(records);
    this.#listeners.add(wrapped);
    wrapped(this.#result);
    return () => {
      this.#listeners.delete(wrapped);
      if (this.#listeners.size === 0) {
        this.#detach?.();
        this.#detach = undefined;
        this.#matches = undefined;
      }
    };
  }

  #scan(): Map<string, RecordEntry<T>> {
    const matches = new Map<string, RecordEntry<T>>();
    for (const entry of this.#store.repository(this.#repository).all()) {
      const typed = entry as RecordEntry<unknown> as RecordEntry<T>;
      if (this.#predicate(typed.data, typed.id)) matches.set(typed.id, typed);
    }
    return matches;
  }

  /** True when the result changed. */
  #update(ids: ReadonlySet<string>): boolean {
    const matches = this.#matches;
    if (matches === undefined) return false;
    const state = this.#store.repository(this.#repository);
    let changed = false;
    for (const id of ids) {
      const data = state.get(id) as T | undefined;
      const before = matches.get(id);
      if (data !== undefined && this.#predicate(data, id)) {
        if (before?.data !== data) {
          matches.set(id, { id, data });
          changed = true;
        }
      } else if (before !== undefined) {
        matches.delete(id);
        changed = true;
      }
    }
    if (changed) this.#result = [...matches.values()];
    return changed;
  }
}
