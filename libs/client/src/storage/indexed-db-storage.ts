import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import type { PendingEntry } from '../local/local-event.ts';
import { pendingEntrySchema, storedRecordSchema } from './stored-state-schema.ts';
import type { StorageChanges, StoredRecord, StoredState, SyncStorage } from './sync-storage.ts';

interface SyncDatabase extends DBSchema {
  records: { key: [string, string]; value: StoredRecord };
  cursors: { key: string; value: { repository: string; cursor: number } };
  pending: { key: string; value: PendingEntry };
}

const SCHEMA_VERSION = 1;
const STORES = ['records', 'cursors', 'pending'] as const;
const cursorRowsSchema = z.array(
  z.object({ repository: z.string(), cursor: z.number().int().nonnegative() }),
);

/** Keeps the state in IndexedDB (browsers), one object store per kind; every change is one transaction. */
export class IndexedDbStorage implements SyncStorage {
  readonly #name: string;
  #database: Promise<IDBPDatabase<SyncDatabase>> | undefined;

  /** `name`: the IndexedDB database name; use one per user and server. */
  constructor(name = 'lfsync') {
    this.#name = name;
  }

  async load(): Promise<StoredState> {
    const database = await this.#open();
    const tx = database.transaction(STORES, 'readonly');
    const [records, cursorRows, pending] = await Promise.all([
      tx.objectStore('records').getAll(),
      tx.objectStore('cursors').getAll(),
      tx.objectStore('pending').getAll(),
    ]);
    await tx.done;
    return {
      records: z.array(storedRecordSchema).parse(records),
      cursors: Object.fromEntries(
        cursorRowsSchema.parse(cursorRows).map((row) => [row.repository, row.cursor]),
      ),
      pending: z.array(pendingEntrySchema).parse(pending),
    };
  }

  async apply(changes: StorageChanges): Promise<void> {
    const database = await this.#open();
    const tx = database.transaction(STORES, 'readwrite');
    const records = tx.objectStore('records');
    const cursors = tx.objectStore('cursors');
    const pending = tx.objectStore('pending');
    // Requests are queued synchronously and the transaction commits when they are done; awaiting `tx.done`
    // surfaces any failure (the transaction is then rolled back as a whole).
    const requests: Promise<unknown>[] = [];
    for (const record of changes.records) requests.push(records.put(record));
    for (const [repository, cursor] of Object.entries(changes.cursors))
      requests.push(cursors.put({ repository, cursor }));
    for (const entry of changes.putPending) requests.push(pending.put(entry));
    for (const eventId of changes.deletePending) requests.push(pending.delete(eventId));
    await Promise.all([...requests, tx.done]);
  }

  async close(): Promise<void> {
    const database = this.#database;
    this.#database = undefined;
    if (database === undefined) return;
    // Typed by hand: without the DOM lib in this repository's tsconfig, idb's inherited IDBDatabase methods do not resolve.
    const opened = (await database) as unknown as { close(): void };
    opened.close();
  }

  #open(): Promise<IDBPDatabase<SyncDatabase>> {
    this.#database ??= openDB<SyncDatabase>(this.#name, SCHEMA_VERSION, {
      upgrade(database) {
        database.createObjectStore('records', { keyPath: ['repository', 'id'] });
        database.createObjectStore('cursors', { keyPath: 'repository' });
        database.createObjectStore('pending', { keyPath: 'event._event_id' });
      },
    });
    return this.#database;
  }
}
