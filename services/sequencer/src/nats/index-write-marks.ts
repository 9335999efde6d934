/** An index entry this process wrote: its subject in the bucket's stream and the stream sequence it got. */
export interface WriteMark {
  readonly subject: string;
  readonly revision: number;
}

/** Past this many repositories the least recently written one is forgotten (its reads go to the leader). */
const MAX_REPOSITORIES = 50_000;

/**
 * Per repository, the newest event-id index entry this process wrote. A replica that holds that entry at
 * that revision (or later) has applied every index write a read of the repository depends on: the stream
 * is applied in order, and every entry the sequencer relies on was written before this one (see
 * KvEventIndex). Repositories this process has not written to since it started have no mark.
 */
export class IndexWriteMarks {
  readonly #marks = new Map<string, WriteMark>();

  get(repository: string): WriteMark | undefined {
    return this.#marks.get(repository);
  }

  record(repository: string, mark: WriteMark): void {
    const current = this.#marks.get(repository);
    if (current !== undefined && current.revision >= mark.revision) return;
    this.#marks.delete(repository);
    this.#marks.set(repository, mark);
    if (this.#marks.size > MAX_REPOSITORIES) {
      const oldest = this.#marks.keys().next();
      if (oldest.done !== true) this.#marks.delete(oldest.value);
    }
  }
}
