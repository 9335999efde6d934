import { Snapshot } from './snapshot.ts';
import type { StorageChanges, StoredState, SyncStorage } from './sync-storage.ts';

/**
 * Keeps the state in memory. It outlives a client: a new client on the same instance sees what the previous
 * one stored, as after a restart. Values are copied in and out, so no object is shared with a client.
 */
export class MemoryStorage implements SyncStorage {
  #snapshot = new Snapshot();

  load(): Promise<StoredState> {
    return Promise.resolve(structuredClone(this.#snapshot.toState()));
  }

  apply(changes: StorageChanges): Promise<void> {
    this.#snapshot.apply(structuredClone(changes));
    return Promise.resolve();
  }
}
