/**
 * How far each repository's index (the events' own documents, written after the heads) is complete, and how
 * far the store has been told so: the head document records it (`indexedThrough` of `advanceHeads`), and
 * readers take the events past it from the batches.
 */
export class IndexProgress {
  readonly #indexed = new Map<string, number>();
  readonly #recorded = new Map<string, number>();

  /** Everything up to `sequence` is indexed: a head the store resumed at, or a group indexed in order. */
  indexedThrough(repository: string, sequence: number): void {
    this.#indexed.set(repository, Math.max(sequence, this.#indexed.get(repository) ?? 0));
  }

  /** What a head raise for `repositories` records now; taken as recorded. */
  toRecord(repositories: Iterable<string>): Map<string, number> {
    const values = new Map<string, number>();
    for (const repository of repositories) values.set(repository, this.#indexed.get(repository) ?? 0);
    for (const [repository, sequence] of values) this.#recorded.set(repository, sequence);
    return values;
  }

  /** Repositories indexed further than recorded, with how far; taken as recorded. */
  unrecorded(): Map<string, number> {
    const behind = [...this.#indexed].filter(([r, sequence]) => sequence > (this.#recorded.get(r) ?? 0));
    return this.toRecord(behind.map(([repository]) => repository));
  }
}
