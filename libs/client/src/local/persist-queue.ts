import { deferred, type Deferred } from '../deferred.ts';
import { ChangeSet } from '../storage/change-set.ts';
import type { StorageChanges, SyncStorage } from '../storage/sync-storage.ts';

interface Batch {
  readonly changes: ChangeSet;
  readonly written: Deferred<void>;
}

/**
 * Serialises writes to a storage and coalesces them: changes made while a write is in flight are gathered
 * into the next one. A failed write is reported, its promise rejects, and its changes are folded under the
 * next batch so that they are written with the next commit.
 */
export class PersistQueue {
  readonly #storage: SyncStorage;
  readonly #onError: (cause: unknown) => void;
  readonly #onWritten: (changes: StorageChanges) => void;
  #open: Batch = newBatch();
  #writing = false;

  /** `onWritten`: called with every change once it is stored (other tabs of the same storage mirror it). */
  constructor(
    storage: SyncStorage,
    onError: (cause: unknown) => void,
    onWritten: (changes: StorageChanges) => void = () => undefined,
  ) {
    this.#storage = storage;
    this.#onError = onError;
    this.#onWritten = onWritten;
  }

  /** The changes of the next write; add to them, then `commit()`. */
  get changes(): ChangeSet {
    return this.#open.changes;
  }

  /** Resolves once every change made so far is stored. */
  commit(): Promise<void> {
    const { promise } = this.#open.written;
    if (!this.#writing) void this.#drain();
    return promise;
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      for (;;) {
        const batch = this.#open;
        this.#open = newBatch();
        if (batch.changes.isEmpty) {
          batch.written.resolve();
          return;
        }
        try {
          const changes = batch.changes.toChanges();
          await this.#storage.apply(changes);
          batch.written.resolve();
          this.#onWritten(changes);
        } catch (err) {
          // Retry at once only for commits made meanwhile; otherwise wait for the next commit (no busy loop
          // against a broken storage).
          const newerWaiting = !this.#open.changes.isEmpty;
          this.#open.changes.absorbOlder(batch.changes);
          batch.written.reject(err);
          this.#onError(err);
          if (!newerWaiting) return;
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}

function newBatch(): Batch {
  return { changes: new ChangeSet(), written: deferred<void>() };
}
