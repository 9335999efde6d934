/**
 * Raises heads after their groups were announced and indexed, one write at a time: heads that come while a
 * write is under way go together into the next one (the highest per repository). For a store whose reads
 * count the batches stored past the raised head (`EventWriter.headFollowsBatches`): there a raised head only
 * spares readers a few look-ups, so neither the acks nor the fan-out wait for it.
 */
export class HeadRaiser {
  readonly #write: (heads: ReadonlyMap<string, number>) => Promise<void>;
  #waiting = new Map<string, number>();
  #writing: Promise<void> | undefined;

  /** `write` retries until it succeeds, or throws when the persister stops (the heads stay where they are). */
  constructor(write: (heads: ReadonlyMap<string, number>) => Promise<void>) {
    this.#write = write;
  }

  raise(heads: ReadonlyMap<string, number>): void {
    for (const [repository, head] of heads)
      this.#waiting.set(repository, Math.max(head, this.#waiting.get(repository) ?? 0));
    this.#writing ??= this.#writeWaiting();
  }

  /** Resolves once every head given so far is written (or given up). */
  async idle(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  async #writeWaiting(): Promise<void> {
    try {
      while (this.#waiting.size > 0) {
        const heads = this.#waiting;
        this.#waiting = new Map();
        await this.#write(heads);
      }
    } catch {
      this.#waiting.clear(); // stopping: what is stored is found past the raised heads
    } finally {
      this.#writing = undefined;
    }
  }
}
