import type { PendingEntry } from '../local/local-event.ts';
import type { StorageChanges, StoredRecord } from './sync-storage.ts';

/** Accumulates changes for the next storage write; later changes to the same key replace earlier ones. */
export class ChangeSet {
  readonly #records = new Map<string, StoredRecord>();
  readonly #cursors = new Map<string, number>();
  readonly #putPending = new Map<string, PendingEntry>();
  readonly #deletePending = new Set<string>();

  get isEmpty(): boolean {
    return this.#records.size + this.#cursors.size + this.#putPending.size + this.#deletePending.size === 0;
  }

  putRecord(record: StoredRecord): void {
    this.#records.set(recordKey(record.repository, record.id), record);
  }

  setCursor(repository: string, cursor: number): void {
    this.#cursors.set(repository, cursor);
  }

  putPending(entry: PendingEntry): void {
    this.#deletePending.delete(entry.event._event_id);
    this.#putPending.set(entry.event._event_id, entry);
  }

  deletePending(eventId: string): void {
    // Put-then-delete within one write still has to delete: an earlier write may have stored the entry.
    this.#putPending.delete(eventId);
    this.#deletePending.add(eventId);
  }

  /** Puts `older` underneath this set's changes (for a write that failed and must be retried). */
  absorbOlder(older: ChangeSet): void {
    for (const [key, record] of older.#records) if (!this.#records.has(key)) this.#records.set(key, record);
    for (const [repository, cursor] of older.#cursors)
      if (!this.#cursors.has(repository)) this.#cursors.set(repository, cursor);
    for (const [eventId, entry] of older.#putPending) {
      if (!this.#putPending.has(eventId) && !this.#deletePending.has(eventId))
        this.#putPending.set(eventId, entry);
    }
    for (const eventId of older.#deletePending) {
      if (!this.#putPending.has(eventId)) this.#deletePending.add(eventId);
    }
  }

  toChanges(): StorageChanges {
    return {
      records: [...this.#records.values()],
      cursors: Object.fromEntries(this.#cursors),
      putPending: [...this.#putPending.values()],
      deletePending: [...this.#deletePending],
    };
  }
}

export function recordKey(repository: string, id: string): string {
  return `${repository}\u0000${id}`;
}
