/** Durable map (repository, event id) → sequence; the dedupe that outlives any time window. */
export interface EventIndex {
  getMany(repository: string, eventIds: readonly string[]): Promise<Map<string, number>>;
  putMany(
    repository: string,
    entries: ReadonlyArray<readonly [eventId: string, sequence: number]>,
  ): Promise<void>;
}
