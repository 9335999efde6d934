import type { PendingEntry, RecordVersion } from '../local/local-event.ts';

/** The server-confirmed version of one record (a delete is kept as a tombstone: `version.data` undefined). */
export interface StoredRecord {
  readonly repository: string;
  readonly id: string;
  readonly version: RecordVersion;
}

/** Everything the client keeps across a restart. */
export interface StoredState {
  readonly records: readonly StoredRecord[];
  /** Per repository, the last `serverSequence` applied (every event up to it is in `records`). */
  readonly cursors: Readonly<Record<string, number>>;
  /** The local events not yet applied in server order, in any order (`order` sorts them). */
  readonly pending: readonly PendingEntry[];
  /** Set by a storage that found its data unreadable in part or whole and repaired it while loading. */
  readonly repair?: StorageRepair;
}

/**
 * What a storage did to an unreadable state (an older or foreign schema, a partial write, a manual edit):
 * unreadable rows are dropped, the cursors of repositories that lost records go back to 0 (so that catch-up
 * fetches them again from the server), and the local changes not yet synced are kept wherever they are
 * readable. `reset`: the database had to be recreated.
 */
export interface StorageRepair {
  readonly reason: string;
  readonly reset: boolean;
  readonly droppedRecords: number;
  readonly droppedPending: number;
  readonly keptPending: number;
  readonly resetCursors: readonly string[];
}

/** One atomic step: records and cursors move together, so a cursor never runs ahead of its records. */
export interface StorageChanges {
  readonly records: readonly StoredRecord[];
  readonly cursors: Readonly<Record<string, number>>;
  /** Added or replaced pending entries (keyed by `event._event_id`); applied before `deletePending`. */
  readonly putPending: readonly PendingEntry[];
  readonly deletePending: readonly string[];
}

/**
 * Where the client keeps its state. `apply` must be atomic (all of a change or none of it) and calls are
 * never concurrent: the client waits for one to settle before the next.
 */
export interface SyncStorage {
  load(): Promise<StoredState>;
  apply(changes: StorageChanges): Promise<void>;
  close?(): Promise<void>;
}

export const EMPTY_STATE: StoredState = { records: [], cursors: {}, pending: [] };
