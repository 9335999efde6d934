import type { SequencedBatch } from '@lfsync/contracts';

/** A stored event: its sequence and its JSON exactly as clients receive it (with `serverSequence`). */
export interface StoredEvent {
  sequence: number;
  json: string;
}

/**
 * The events of every repository and each repository's committed head. Writers (the persister) insert
 * batches, then advance heads; readers (the gateway) only ever see events at or below the head, so a gap
 * being filled is never visible (invariant I3).
 */
export interface EventStore {
  /** Idempotent: re-inserting a stored batch changes nothing. */
  insert(batches: readonly SequencedBatch[]): Promise<{ displacedEventIds: string[] }>;
  /** Raises heads, never lowers them. */
  advanceHeads(heads: ReadonlyMap<string, number>): Promise<void>;
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
  /** Every repository with at least one committed event. */
  repositories(): Promise<string[]>;
  ping(): Promise<boolean>;
}
