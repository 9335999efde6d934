import type { SequencedBatch } from '@lfsync/contracts';

/** A stored event: its sequence and its JSON exactly as clients receive it (with `serverSequence`). */
export interface StoredEvent {
  sequence: number;
  json: string;
}

/** A stored event and the entity it is about (`_data_id`, else a string `_data.id`). */
export interface EntityEvent extends StoredEvent {
  dataId: string;
}

/**
 * The committed events of every repository, as readers (the gateway) see them: never past a
 * repository's head, so a gap being filled is never visible (invariant I3).
 */
export interface EventReader {
  /** The committed head: every sequence up to it is stored. */
  head(repository: string): Promise<number>;
  /** Events with `afterSequence < serverSequence ≤ head`, ascending, at most `limit`. */
  readAfter(repository: string, afterSequence: number, limit: number): Promise<StoredEvent[]>;
  /**
   * Every event with `afterSequence < serverSequence ≤ head` (head read once, at the start), ascending, in
   * pages of at most `pageSize`, from a single read: a long catch-up costs one query, not one per page.
   */
  scanAfter(repository: string, afterSequence: number, pageSize: number): AsyncIterable<StoredEvent[]>;
  findByEventId(repository: string, eventId: string): Promise<StoredEvent | undefined>;
  /** The latest committed event of an entity. */
  latestByDataId(repository: string, dataId: string): Promise<StoredEvent | undefined>;
  /**
   * A state snapshot at `atSequence` (at most the head: the caller reads it and keeps it across pages): the
   * latest event of each entity with `serverSequence ≤ atSequence` — a delete, if that came last — in the
   * store's entity-id order, from the entity after `afterDataId` on, in pages of at most `pageSize`. Events
   * without an entity id belong to no entity's state and are left out.
   */
  scanLatestByDataId(
    repository: string,
    atSequence: number,
    options: { afterDataId?: string | undefined; pageSize: number },
  ): AsyncIterable<EntityEvent[]>;
  /** Every repository with at least one committed event. */
  repositories(): Promise<string[]>;
  ping(): Promise<boolean>;
}

/**
 * What the persister writes with: it inserts batches, then advances heads from where they stand. A store
 * whose look-ups by event id and entity need documents of their own (MongoDB) may write those after the
 * heads (`insertBodies`, `advanceHeads`, then `index`): readers then cover the events not yet indexed from
 * the batches themselves, and the writer resumes with `resumeAt`, which completes the index first.
 */
export interface EventWriter {
  /**
   * Idempotent: re-inserting a stored batch changes nothing. An event id already stored at another
   * sequence (a double fault) is stored under `displacedEventId(...)`, and returned. `eventsJson`, in the
   * order of `batches`: each batch's events as text, when the caller has it already (the log message's);
   * the store keeps it as clients will receive it instead of serialising them again. Only the sequencer
   * may publish to the log (its NATS permissions), and it writes with `JSON.stringify`.
   */
  insert(
    batches: readonly SequencedBatch[],
    eventsJson?: ReadonlyArray<readonly string[] | undefined>,
  ): Promise<{ displacedEventIds: string[] }>;
  /** `insert` without the index (`index` writes it, once the heads are raised); idempotent too. */
  insertBodies(
    batches: readonly SequencedBatch[],
    eventsJson?: ReadonlyArray<readonly string[] | undefined>,
  ): Promise<{ displacedEventIds: string[] }>;
  /** The index of batches stored with `insertBodies` (idempotent); returns the displaced event ids. */
  index(batches: readonly SequencedBatch[]): Promise<{ displacedEventIds: string[] }>;
  /**
   * Raises heads, never lowers them. `indexedThrough`, per repository: every event up to it is indexed
   * (without it for a repository: every event up to its new head is).
   */
  advanceHeads(
    heads: ReadonlyMap<string, number>,
    indexedThrough?: ReadonlyMap<string, number>,
  ): Promise<void>;
  /**
   * Set where `head` (and every read) also counts the batches stored in sequence past the raised head: the
   * writer may then announce a group as soon as its batches are stored, and raise the heads after.
   */
  readonly headFollowsBatches?: boolean;
  /** The committed head (where the writer resumes). */
  head(repository: string): Promise<number>;
  /** The committed head, once every event up to it is indexed (an earlier writer may have stopped short). */
  resumeAt(repository: string): Promise<number>;
}

export type EventStore = EventReader & EventWriter;

/**
 * The id under which an event is stored when its id already sits at another sequence: the slot is
 * filled (the sequence stays gapless) without breaking the uniqueness of event ids.
 */
export function displacedEventId(eventId: string, sequence: number): string {
  return `${eventId}#${sequence}`;
}
