/**
 * The sequencer's read-only view of the store: where it finds what the log and the event-id index no longer
 * hold (a trimmed log, an expired index entry).
 */
export interface StoredSequences {
  /** The committed head: every sequence up to it is stored. */
  head(repository: string): Promise<number>;
  /** The sequence each of these event ids is stored at, for those that are stored. */
  sequencesOf(repository: string, eventIds: readonly string[]): Promise<Map<string, number>>;
}
