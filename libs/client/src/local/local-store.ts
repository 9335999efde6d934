import type { AckMessage, ServerEvent } from '@lfsync/contracts';
import type { Clock } from '../clock.ts';
import { Emitter } from '../emitter.ts';
import { ChangeSet } from '../storage/change-set.ts';
import type { StorageChanges, StorageRepair, SyncStorage } from '../storage/sync-storage.ts';
import type { SyncError } from '../sync-error.ts';
import type { ConflictReport, ConflictResolver } from './conflict.ts';
import { createdAtMs, isoFromMs } from './created-at.ts';
import { Effects } from './effects.ts';
import type { LocalEvent, PendingEntry, RecordData, RecordVersion } from './local-event.ts';
import { PersistQueue } from './persist-queue.ts';
import { RepositoryState } from './repository-state.ts';

interface LoadedRepository {
  readonly cursor: number;
  readonly records: [string, RecordVersion][];
  readonly pending: PendingEntry[];
}

export interface LocalStoreOptions {
  readonly storage: SyncStorage;
  readonly repositories: readonly string[];
  readonly resolver: ConflictResolver;
  readonly clock: Clock;
  readonly newEventId: () => string;
  readonly report: (error: SyncError) => void;
}

/**
 * The client's state across all its repositories: what the app reads and writes, what the sync connection
 * feeds with server events and acks. Every operation is persisted as one atomic storage change and then
 * announced to listeners once.
 */
export class LocalStore {
  readonly #repositories: Map<string, RepositoryState>;
  /** Stored state of repositories not opened yet (found through a pattern subscription, or opened later). */
  readonly #dormant: Map<string, LoadedRepository>;
  readonly #resolver: ConflictResolver;
  readonly #persist: PersistQueue;
  readonly #clock: Clock;
  readonly #newEventId: () => string;
  readonly #report: (error: SyncError) => void;
  #nextOrder: number;
  #announcedPendingCount: number;
  readonly #recordsChanged: Emitter<{ readonly repository: string; readonly ids: ReadonlySet<string> }>;
  readonly #pendingCountChanged: Emitter<number>;
  readonly #conflicts: Emitter<ConflictReport>;
  readonly #written: Emitter<StorageChanges>;
  /** What the storage repaired while loading, if anything. */
  readonly storageRepair: StorageRepair | undefined;

  private constructor(
    options: LocalStoreOptions,
    loaded: Map<string, LoadedRepository>,
    nextOrder: number,
    storageRepair: StorageRepair | undefined,
  ) {
    this.storageRepair = storageRepair;
    this.#resolver = options.resolver;
    this.#dormant = loaded;
    this.#repositories = new Map();
    for (const name of options.repositories) this.open(name);
    this.#clock = options.clock;
    this.#newEventId = options.newEventId;
    this.#report = options.report;
    this.#nextOrder = nextOrder;
    this.#announcedPendingCount = this.pendingCount;
    const onListenerError = (cause: unknown): void => options.report({ kind: 'listener_failed', cause });
    this.#written = new Emitter(onListenerError);
    this.#persist = new PersistQueue(
      options.storage,
      (cause) => options.report({ kind: 'storage_failed', cause }),
      (changes) => this.#written.emit(changes),
    );
    this.#recordsChanged = new Emitter(onListenerError);
    this.#pendingCountChanged = new Emitter(onListenerError);
    this.#conflicts = new Emitter(onListenerError);
  }

  static async open(options: LocalStoreOptions): Promise<LocalStore> {
    const stored = await options.storage.load();
    const loaded = new Map<string, LoadedRepository>();
    const of = (name: string): LoadedRepository => {
      let repository = loaded.get(name);
      if (repository === undefined) {
        repository = { cursor: stored.cursors[name] ?? 0, records: [], pending: [] };
        loaded.set(name, repository);
      }
      return repository;
    };
    for (const name of Object.keys(stored.cursors)) of(name);
    for (const record of stored.records) of(record.repository).records.push([record.id, record.version]);
    const pending = [...stored.pending].sort((a, b) => a.order - b.order);
    for (const entry of pending) of(entry.repository).pending.push(entry);
    const nextOrder = (pending.at(-1)?.order ?? 0) + 1;
    return new LocalStore(options, loaded, nextOrder, stored.repair);
  }

  get repositoryNames(): readonly string[] {
    return [...this.#repositories.keys()];
  }

  /** Repositories with stored state that are not open yet. */
  get dormantNames(): readonly string[] {
    return [...this.#dormant.keys()];
  }

  /** Opens a repository (with what is stored of it, if anything); nothing when it is open already. */
  open(name: string): RepositoryState {
    let state = this.#repositories.get(name);
    if (state === undefined) {
      const loaded = this.#dormant.get(name) ?? { cursor: 0, records: [], pending: [] };
      this.#dormant.delete(name);
      state = new RepositoryState(name, this.#resolver, loaded);
      this.#repositories.set(name, state);
    }
    return state;
  }

  hasRepository(name: string): boolean {
    return this.#repositories.has(name);
  }

  repository(name: string): RepositoryState {
    const state = this.#repositories.get(name);
    if (state === undefined) {
      throw new Error(
        `repository "${name}" is not one of the client's repositories (${this.repositoryNames.join(', ')})`,
      );
    }
    return state;
  }

  /** Local events not yet acknowledged, over all repositories. */
  get pendingCount(): number {
    let count = 0;
    for (const state of this.#repositories.values()) count += state.unacknowledgedCount;
    return count;
  }

  /**
   * Records a local write (`data` undefined = delete) as an event, applies it to the view at once and queues
   * it. Its `_created_at` is at least 1 ms after the version it replaces, so that a write made after seeing a
   * version wins over it even when this device's clock is behind the writer's.
   */
  write(
    repository: string,
    id: string,
    data: RecordData | undefined,
  ): { readonly event: LocalEvent; readonly persisted: Promise<void> } {
    const state = this.repository(repository);
    const current = state.viewVersion(id);
    const nowMs = this.#clock.now();
    const createdMs = current === undefined ? nowMs : Math.max(nowMs, createdAtMs(current.createdAt) + 1);
    const base = {
      _event_id: this.#newEventId(),
      _created_at: isoFromMs(createdMs),
      _data_id: id,
    };
    const event: LocalEvent =
      data === undefined
        ? { ...base, _operation: 2 }
        : { ...base, _operation: current?.data === undefined ? 0 : 1, _data: structuredClone(data) };
    const entry: PendingEntry = { order: this.#nextOrder++, repository, event };
    const effects = this.#effects();
    state.addPending(entry, effects);
    return { event, persisted: this.#finish(effects) };
  }

  /** Applies server events of one repository; `gap` when some before them are missing. */
  receive(repository: string, events: readonly ServerEvent[]): { readonly gap: boolean } {
    const effects = this.#effects();
    const result = this.repository(repository).receive(events, effects);
    void this.#finish(effects);
    return result;
  }

  /** Applies a repository's snapshot at `sequence` (see `RepositoryState.applySnapshot`). */
  applySnapshot(repository: string, events: readonly ServerEvent[], sequence: number): void {
    const effects = this.#effects();
    this.repository(repository).applySnapshot(events, sequence, effects);
    void this.#finish(effects);
  }

  acknowledge(ack: AckMessage): void {
    const effects = this.#effects();
    for (const eventId of ack.eventIds) {
      const sequence = ack.sequences[eventId];
      for (const state of this.#repositories.values()) {
        if (state.has(eventId)) state.acknowledge(eventId, sequence, effects);
      }
    }
    void this.#finish(effects);
  }

  /** Removes refused events from the queue; returns them by repository. */
  drop(eventIds: readonly string[]): Map<string, PendingEntry[]> {
    const effects = this.#effects();
    const dropped = new Map<string, PendingEntry[]>();
    for (const state of this.#repositories.values()) {
      const entries = state.drop(eventIds, effects);
      if (entries.length > 0) dropped.set(state.name, entries);
    }
    void this.#finish(effects);
    return dropped;
  }

  /**
   * Applies a change that another tab sharing the same storage stored: in memory only (it is stored already),
   * announced like a change of this tab's own.
   */
  mirror(changes: StorageChanges): void {
    const effects = new Effects(new ChangeSet());
    // The other tab may have opened a repository this one has not (a pattern subscription found it).
    for (const name of Object.keys(changes.cursors)) this.open(name);
    for (const record of changes.records) this.open(record.repository);
    for (const entry of changes.putPending) this.open(entry.repository);
    for (const state of this.#repositories.values()) {
      state.mirror(
        {
          records: changes.records.filter((record) => record.repository === state.name),
          cursor: changes.cursors[state.name],
          putPending: changes.putPending.filter((entry) => entry.repository === state.name),
          deletePending: changes.deletePending,
        },
        effects,
      );
    }
    for (const entry of changes.putPending) this.#nextOrder = Math.max(this.#nextOrder, entry.order + 1);
    this.#announce(effects);
  }

  /** Every change once it is stored. */
  onPersisted(listener: (changes: StorageChanges) => void): () => void {
    return this.#written.on(listener);
  }

  /** Resolves once everything done so far is stored. */
  persisted(): Promise<void> {
    return this.#persist.commit();
  }

  onRecordsChanged(
    listener: (change: { readonly repository: string; readonly ids: ReadonlySet<string> }) => void,
  ): () => void {
    return this.#recordsChanged.on(listener);
  }

  onPendingCountChanged(listener: (count: number) => void): () => void {
    return this.#pendingCountChanged.on(listener);
  }

  onConflict(listener: (conflict: ConflictReport) => void): () => void {
    return this.#conflicts.on(listener);
  }

  #effects(): Effects {
    return new Effects(this.#persist.changes);
  }

  #finish(effects: Effects): Promise<void> {
    const persisted = effects.changes.isEmpty ? Promise.resolve() : this.#persist.commit();
    this.#announce(effects);
    return persisted;
  }

  #announce(effects: Effects): void {
    for (const [repository, ids] of effects.changedRecords) this.#recordsChanged.emit({ repository, ids });
    for (const conflict of effects.conflicts) this.#conflicts.emit(conflict);
    for (const { repository, eventId } of effects.unidentified)
      this.#report({ kind: 'unidentified_event', repository, eventId });
    if (effects.pendingChanged && this.pendingCount !== this.#announcedPendingCount) {
      this.#announcedPendingCount = this.pendingCount;
      this.#pendingCountChanged.emit(this.#announcedPendingCount);
    }
  }
}
