/**
 * How far each repository's index (the events' own documents, written after the heads) is complete, and how
 * far the store has been told so: the head document records it (`indexedThrough` of `advanceHeads`), and
 * readers take the events past it from the batches.
 */
export class IndexProgress {
  readonly #indexed = new Map<string, number>();
  readonly #recorded = new Map<string, number>();

  /** Everything up to `sequence` is indexed: a group indexed after every one before it. */
  indexedThrough(repository: string, sequence: number): void {
    this.#indexed.set(repository, Math.max(sequence, this.#indexed.get(repository) ?? 0));
  }

  /** The store resumed at `head`: indexed up to it, and recorded so. */
  resumed(repository: string, head: number): void {
    this.indexedThrough(repository, head);
    this.recorded(new Map([[repository, head]]));
  }

  recorded(values: ReadonlyMap<string, number>): void {
    for (const [repository, sequence] of values)
      this.#recorded.set(repository, Math.max(sequence, this.#recorded.get(repository) ?? 0));
  }

  /** What a head raise for `repositories` records now (retried until it is: taken as recorded). */
  toRecord(repositories: Iterable<string>): Map<string, number> {
    const values = new Map<string, number>();
    for (const repository of repositories) values.set(repository, this.#indexed.get(repository) ?? 0);
    this.recorded(values);
    return values;
  }

  /** Repositories indexed further than recorded, with how far. */
  unrecorded(): Map<string, number> {
    return new Map([...this.#indexed].filter(([r, sequence]) => sequence > (this.#recorded.get(r) ?? 0)));
  }
}
