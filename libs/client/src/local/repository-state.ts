import { dataIdOf, isDelete, type ServerEvent } from '@lfsync/contracts';
import { foldVersion, type ConflictResolver } from './conflict.ts';
import type { StoredRecord } from '../storage/sync-storage.ts';
import type { Effects } from './effects.ts';
import {
  versionOfLocalEvent,
  type PendingEntry,
  type RecordData,
  type RecordVersion,
} from './local-event.ts';

export interface RecordEntry<T> {
  readonly id: string;
  readonly data: T;
}

/**
 * One repository on this client: the server-confirmed records up to `cursor`, the local events not yet
 * applied in server order, and the view the app sees — the confirmed state with the pending events folded on
 * top with the same conflict resolver.
 *
 * Server events are applied strictly in `serverSequence` order: duplicates (≤ cursor) are skipped, a jump is
 * reported as a gap and nothing after it is applied, so the cursor only ever covers contiguous events.
 */
export class RepositoryState {
  readonly name: string;
  readonly #resolver: ConflictResolver;
  #cursor: number;
  #highestSeen: number;
  readonly #confirmed = new Map<string, RecordVersion>();
  /** By event id, in queue order. */
  readonly #pending = new Map<string, PendingEntry>();
  readonly #pendingByRecord = new Map<string, PendingEntry[]>();
  /** Own events the server acked with a sequence not yet reached by the cursor. */
  readonly #ackedBySequence = new Map<number, PendingEntry>();
  readonly #viewVersions = new Map<string, RecordVersion>();
  readonly #entries = new Map<string, RecordEntry<RecordData>>();
  #allMemo: readonly RecordEntry<RecordData>[] | undefined;

  constructor(
    name: string,
    resolver: ConflictResolver,
    loaded: {
      readonly cursor: number;
      readonly records: Iterable<readonly [string, RecordVersion]>;
      readonly pending: readonly PendingEntry[];
    },
  ) {
    this.name = name;
    this.#resolver = resolver;
    this.#cursor = loaded.cursor;
    this.#highestSeen = loaded.cursor;
    for (const [id, version] of loaded.records) this.#confirmed.set(id, version);
    for (const entry of loaded.pending) this.#index(entry);
    for (const id of this.#confirmed.keys()) this.#recompute(id);
    for (const id of this.#pendingByRecord.keys()) this.#recompute(id);
  }

  /** The last `serverSequence` applied; every event up to it is in the confirmed state. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The highest `serverSequence` received, applied or not; above the cursor after a gap. */
  get highestSeen(): number {
    return this.#highestSeen;
  }

  get(id: string): RecordData | undefined {
    return this.#entries.get(id)?.data;
  }

  /** Every live record of the view; the same array until something changes. */
  all(): readonly RecordEntry<RecordData>[] {
    this.#allMemo ??= [...this.#entries.values()];
    return this.#allMemo;
  }

  /** The version the view holds for a record, deleted ones included. */
  viewVersion(id: string): RecordVersion | undefined {
    return this.#viewVersions.get(id);
  }

  /** Local events not yet acknowledged by the server, in write order. */
  unacknowledged(): PendingEntry[] {
    return [...this.#pending.values()].filter((entry) => entry.ackedSequence === undefined);
  }

  get unacknowledgedCount(): number {
    return this.#pending.size - this.#ackedBySequence.size;
  }

  has(eventId: string): boolean {
    return this.#pending.has(eventId);
  }

  addPending(entry: PendingEntry, effects: Effects): void {
    this.#index(entry);
    effects.changes.putPending(entry);
    effects.pendingChanged = true;
    this.#recomputeAndNote(entry.event._data_id, effects);
  }

  /** Applies a page or broadcast of server events; `gap` when events after the cursor are missing. */
  receive(events: readonly ServerEvent[], effects: Effects): { readonly gap: boolean } {
    this.#drainAcknowledged(effects);
    let gap = false;
    for (const event of events) {
      const sequence = event.serverSequence;
      this.#highestSeen = Math.max(this.#highestSeen, sequence);
      if (gap || sequence <= this.#cursor) continue;
      if (sequence !== this.#cursor + 1) {
        gap = true;
        continue;
      }
      this.#applyConfirmed(sequence, dataIdOf(event), versionOfServerEvent(event), effects);
      this.#drainAcknowledged(effects);
    }
    return { gap };
  }

  /**
   * A snapshot at `sequence`: the latest event of each record up to it, in any order. Each is applied as a
   * confirmed version and the cursor moves to `sequence`; our own events acked at or below it are in it (or
   * were overwritten) and leave the queue. Ignored when the cursor is there already.
   */
  applySnapshot(events: readonly ServerEvent[], sequence: number, effects: Effects): void {
    if (sequence <= this.#cursor) return;
    this.#drainAcknowledged(effects);
    for (const event of events) {
      if (event.serverSequence > sequence || event.serverSequence <= this.#cursor) continue;
      this.#applyVersion(dataIdOf(event), versionOfServerEvent(event), effects);
    }
    this.#moveCursor(sequence, effects);
    this.#highestSeen = Math.max(this.#highestSeen, sequence);
    for (const [acked, entry] of this.#ackedBySequence) if (acked <= sequence) this.#remove(entry, effects);
    this.#drainAcknowledged(effects);
  }

  /**
   * The server stored one of our events. Without a sequence it is simply done (its broadcast or a catch-up
   * brings it back); with one it stays in the view until the cursor reaches it, then joins the confirmed state.
   */
  acknowledge(eventId: string, sequence: number | undefined, effects: Effects): void {
    const entry = this.#pending.get(eventId);
    if (entry === undefined || entry.ackedSequence !== undefined) return;
    effects.pendingChanged = true;
    if (sequence === undefined || sequence <= this.#cursor) {
      this.#remove(entry, effects);
      return;
    }
    const acked: PendingEntry = { ...entry, ackedSequence: sequence };
    this.#replace(entry, acked);
    effects.changes.putPending(acked);
    this.#drainAcknowledged(effects);
  }

  /** Removes events from the queue for good (the server refused them); returns those that were queued. */
  drop(eventIds: Iterable<string>, effects: Effects): PendingEntry[] {
    const dropped: PendingEntry[] = [];
    for (const eventId of eventIds) {
      const entry = this.#pending.get(eventId);
      if (entry === undefined) continue;
      this.#remove(entry, effects);
      dropped.push(entry);
    }
    return dropped;
  }

  /**
   * Takes over what another tab stored (that tab's leader applied the server events, or it wrote locally):
   * confirmed versions as they are, the cursor if ahead, pending entries added, replaced or removed.
   */
  mirror(
    changes: {
      readonly records: readonly StoredRecord[];
      readonly cursor: number | undefined;
      readonly putPending: readonly PendingEntry[];
      readonly deletePending: readonly string[];
    },
    effects: Effects,
  ): void {
    const touched = new Set<string>();
    for (const record of changes.records) {
      this.#confirmed.set(record.id, record.version);
      touched.add(record.id);
    }
    if (changes.cursor !== undefined && changes.cursor > this.#cursor) {
      this.#cursor = changes.cursor;
      this.#highestSeen = Math.max(this.#highestSeen, changes.cursor);
    }
    for (const entry of changes.putPending) {
      const existing = this.#pending.get(entry.event._event_id);
      if (existing === undefined) this.#index(entry);
      else this.#replace(existing, entry);
      effects.pendingChanged = true;
      touched.add(entry.event._data_id);
    }
    for (const eventId of changes.deletePending) {
      const entry = this.#pending.get(eventId);
      if (entry === undefined) continue;
      this.#remove(entry, effects, { recompute: false });
      touched.add(entry.event._data_id);
    }
    for (const id of touched) this.#recomputeAndNote(id, effects);
  }

  #applyConfirmed(sequence: number, id: string | undefined, received: RecordVersion, effects: Effects): void {
    this.#moveCursor(sequence, effects);
    this.#applyVersion(id, received, effects);
  }

  #moveCursor(sequence: number, effects: Effects): void {
    this.#cursor = sequence;
    effects.changes.setCursor(this.name, sequence);
  }

  /** Folds a server-ordered version into the confirmed state (the cursor is the caller's). */
  #applyVersion(id: string | undefined, received: RecordVersion, effects: Effects): void {
    const own = this.#pending.get(received.eventId);
    // Recomputed below, once the confirmed version is in place: no intermediate view in between.
    if (own !== undefined) this.#remove(own, effects, { recompute: false });
    // The server stores our event as given: keep our data object, so that the view does not change identity
    // (and re-render) when our own write comes back.
    const incoming = own === undefined ? received : { ...received, data: own.event._data };
    if (id === undefined) {
      effects.unidentified.push({ repository: this.name, eventId: incoming.eventId });
      if (own !== undefined) this.#recomputeAndNote(own.event._data_id, effects);
      return;
    }
    const current = this.#confirmed.get(id);
    const folded = foldVersion(this.#resolver, { repository: this.name, id, current, incoming });
    if (current !== undefined && folded.resolution !== 'incoming') {
      effects.conflicts.push({
        repository: this.name,
        id,
        resolution: folded.resolution,
        current,
        incoming,
        result: folded.version,
        incomingIsLocal: own !== undefined,
      });
    }
    if (folded.version !== current) {
      this.#confirmed.set(id, folded.version);
      effects.changes.putRecord({ repository: this.name, id, version: folded.version });
    }
    this.#recomputeAndNote(id, effects);
  }

  #drainAcknowledged(effects: Effects): void {
    for (;;) {
      const entry = this.#ackedBySequence.get(this.#cursor + 1);
      if (entry === undefined) return;
      const version: RecordVersion = {
        ...versionOfLocalEvent(entry.event),
        serverSequence: this.#cursor + 1,
      };
      this.#applyConfirmed(this.#cursor + 1, entry.event._data_id, version, effects);
    }
  }

  #index(entry: PendingEntry): void {
    this.#pending.set(entry.event._event_id, entry);
    const list = this.#pendingByRecord.get(entry.event._data_id);
    if (list === undefined) this.#pendingByRecord.set(entry.event._data_id, [entry]);
    else list.push(entry);
    if (entry.ackedSequence !== undefined) this.#ackedBySequence.set(entry.ackedSequence, entry);
  }

  #replace(entry: PendingEntry, next: PendingEntry): void {
    this.#pending.set(entry.event._event_id, next);
    const list = this.#pendingByRecord.get(entry.event._data_id) ?? [];
    const index = list.indexOf(entry);
    if (index >= 0) list[index] = next;
    if (next.ackedSequence !== undefined) this.#ackedBySequence.set(next.ackedSequence, next);
  }

  #remove(
    entry: PendingEntry,
    effects: Effects,
    options: { readonly recompute: boolean } = { recompute: true },
  ): void {
    const id = entry.event._data_id;
    this.#pending.delete(entry.event._event_id);
    const list = (this.#pendingByRecord.get(id) ?? []).filter((e) => e !== entry);
    if (list.length === 0) this.#pendingByRecord.delete(id);
    else this.#pendingByRecord.set(id, list);
    if (entry.ackedSequence !== undefined) this.#ackedBySequence.delete(entry.ackedSequence);
    effects.changes.deletePending(entry.event._event_id);
    effects.pendingChanged = true;
    if (options.recompute) this.#recomputeAndNote(id, effects);
  }

  #recomputeAndNote(id: string, effects: Effects): void {
    if (this.#recompute(id)) effects.recordChanged(this.name, id);
  }

  /** Folds the pending events of one record over its confirmed version; true when the view changed. */
  #recompute(id: string): boolean {
    let version = this.#confirmed.get(id);
    for (const entry of this.#pendingByRecord.get(id) ?? []) {
      version = foldVersion(this.#resolver, {
        repository: this.name,
        id,
        current: version,
        incoming: versionOfLocalEvent(entry.event),
      }).version;
    }
    if (this.#viewVersions.get(id) === version) return false;
    const before = this.#entries.get(id);
    if (version === undefined) this.#viewVersions.delete(id);
    else this.#viewVersions.set(id, version);
    if (version?.data === undefined) {
      if (before === undefined) return false;
      this.#entries.delete(id);
    } else if (before?.data !== version.data) {
      this.#entries.set(id, { id, data: version.data });
    } else {
      return false;
    }
    this.#allMemo = undefined;
    return true;
  }
}

function versionOfServerEvent(event: ServerEvent): RecordVersion {
  return {
    eventId: event._event_id,
    createdAt: event._created_at,
    data: isDelete(event._operation) ? undefined : (event._data ?? {}),
    serverSequence: event.serverSequence,
  };
}
