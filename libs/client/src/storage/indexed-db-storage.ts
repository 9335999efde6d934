import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PendingEntry } from '../local/local-event.ts';
import { salvageRows, type RawRows } from './salvage.ts';
import type { StorageChanges, StoredRecord, StoredState, SyncStorage } from './sync-storage.ts';

interface SyncDatabase extends DBSchema {
  records: { key: [string, string]; value: StoredRecord };
  cursors: { key: string; value: { repository: string; cursor: number } };
  pending: { key: string; value: PendingEntry };
}

/** 2: same stores as 1; opening a version-1 (or foreign, older) database creates whatever store it lacks. */
const SCHEMA_VERSION = 2;
const STORES = ['records', 'cursors', 'pending'] as const;

/**
 * Keeps the state in IndexedDB (browsers), one object store per kind; every change is one transaction.
 *
 * A database it cannot use as it is — rows of another format, a partial write, a newer version, a foreign
 * database of the same name — is repaired on `load`: readable rows are kept (the local changes not yet synced
 * above all), the rest is dropped and fetched again from the server, and `StoredState.repair` says what
 * happened. The app opens either way.
 */
export class IndexedDbStorage implements SyncStorage {
  readonly #name: string;
  #database: Promise<IDBPDatabase<SyncDatabase>> | undefined;

  /** `name`: the IndexedDB database name; use one per user and server. */
  constructor(name = 'lfsync') {
    this.#name = name;
  }

  async load(): Promise<StoredState> {
    let rows: RawRows;
    try {
      rows = await readRows(await this.#open());
    } catch (cause) {
      return this.#reset(cause);
    }
    const state = salvageRows(rows);
    if (state.repair !== undefined) await this.#rewrite(state);
    return state;
  }

  async apply(changes: StorageChanges): Promise<void> {
    const tx = writeTransaction(await this.#open());
    // Requests are queued synchronously and the transaction commits when they are done; awaiting `tx.done`
    // surfaces any failure (the transaction is then rolled back as a whole).
    await Promise.all([...queueChanges(tx, changes), tx.done]);
  }

  async close(): Promise<void> {
    const database = this.#database;
    this.#database = undefined;
    if (database === undefined) return;
    // Typed by hand: without the DOM lib in this repository's tsconfig, idb's inherited IDBDatabase methods do not resolve.
    const opened = (await database.catch(() => undefined)) as unknown as { close(): void } | undefined;
    opened?.close();
  }

  /** The database is unusable as it is: keep the queue if it can be read at all, then start afresh. */
  async #reset(cause: unknown): Promise<StoredState> {
    await this.close();
    const pending = await readPendingOfAnyVersion(this.#name);
    await deleteDB(this.#name);
    const salvaged = salvageRows({ records: [], cursors: [], pending });
    const state: StoredState = {
      ...salvaged,
      repair: {
        reason: `database unusable (${describe(cause)})`,
        reset: true,
        droppedRecords: 0,
        droppedPending: pending.length - salvaged.pending.length,
        keptPending: salvaged.pending.length,
        resetCursors: [],
      },
    };
    await this.#rewrite(state);
    return state;
  }

  /** Replaces the whole content with `state`, in one transaction. */
  async #rewrite(state: StoredState): Promise<void> {
    const tx = writeTransaction(await this.#open());
    const cleared = STORES.map((store) => tx.objectStore(store).clear());
    const changes = {
      records: state.records,
      cursors: state.cursors,
      putPending: state.pending,
      deletePending: [],
    };
    await Promise.all([...cleared, ...queueChanges(tx, changes), tx.done]);
  }

  #open(): Promise<IDBPDatabase<SyncDatabase>> {
    this.#database ??= openDB<SyncDatabase>(this.#name, SCHEMA_VERSION, {
      upgrade(database) {
        const existing = database.objectStoreNames;
        if (!existing.contains('records'))
          database.createObjectStore('records', { keyPath: ['repository', 'id'] });
        if (!existing.contains('cursors')) database.createObjectStore('cursors', { keyPath: 'repository' });
        if (!existing.contains('pending'))
          database.createObjectStore('pending', { keyPath: 'event._event_id' });
      },
      blocking: () => {
        // A newer version of the app opens this database in another tab: let it upgrade.
        void this.close();
      },
    });
    return this.#database;
  }
}

function writeTransaction(database: IDBPDatabase<SyncDatabase>) {
  return database.transaction(STORES, 'readwrite');
}
type WriteTransaction = ReturnType<typeof writeTransaction>;

function queueChanges(tx: WriteTransaction, changes: StorageChanges): Promise<unknown>[] {
  const records = tx.objectStore('records');
  const cursors = tx.objectStore('cursors');
  const pending = tx.objectStore('pending');
  const requests: Promise<unknown>[] = [];
  for (const record of changes.records) requests.push(records.put(record));
  for (const [repository, cursor] of Object.entries(changes.cursors))
    requests.push(cursors.put({ repository, cursor }));
  for (const entry of changes.putPending) requests.push(pending.put(entry));
  for (const eventId of changes.deletePending) requests.push(pending.delete(eventId));
  return requests;
}

async function readRows(database: IDBPDatabase<SyncDatabase>): Promise<RawRows> {
  const tx = database.transaction(STORES, 'readonly');
  const [records, cursors, pending] = await Promise.all([
    tx.objectStore('records').getAll(),
    tx.objectStore('cursors').getAll(),
    tx.objectStore('pending').getAll(),
  ]);
  await tx.done;
  return { records, cursors, pending };
}

/** Whatever a store named `pending` holds, whatever the database's version; nothing if that fails too. */
async function readPendingOfAnyVersion(name: string): Promise<unknown[]> {
  try {
    const database = await openDB(name);
    try {
      if (!database.objectStoreNames.contains('pending')) return [];
      return (await database.getAll('pending')) as unknown[];
    } finally {
      (database as unknown as { close(): void }).close();
    }
  } catch {
    return [];
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
