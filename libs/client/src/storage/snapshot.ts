import type { PendingEntry } from '../local/local-event.ts';
import { recordKey } from './change-set.ts';
import type { StorageChanges, StoredRecord, StoredState } from './sync-storage.ts';

/** A whole stored state in memory, for storages that keep (or write) everything at once. */
export class Snapshot {
  readonly #records = new Map<string, StoredRecord>();
  readonly #cursors = new Map<string, number>();
  readonly #pending = new Map<string, PendingEntry>();

  static from(state: StoredState): Snapshot {
    const snapshot = new Snapshot();
    snapshot.apply({
      records: state.records,
      cursors: state.cursors,
      putPending: state.pending,
      deletePending: [],
    });
    return snapshot;
  }

  apply(changes: StorageChanges): void {
    for (const record of changes.records) this.#records.set(recordKey(record.repository, record.id), record);
    for (const [repository, cursor] of Object.entries(changes.cursors)) this.#cursors.set(repository, cursor);
    for (const entry of changes.putPending) this.#pending.set(entry.event._event_id, entry);
    for (const eventId of changes.deletePending) this.#pending.delete(eventId);
  }

  toState(): StoredState {
    return {
      records: [...this.#records.values()],
      cursors: Object.fromEntries(this.#cursors),
      pending: [...this.#pending.values()],
    };
  }
}
