import type { BatchFields } from './batch-scan.ts';
import { CHUNK_EVENTS, chunkStart } from './chunk-layout.ts';

/**
 * Turns the documents of a range scan, which arrive in `t` order, into the walk a reader needs: each
 * document it gives holds the next sequence. One that starts past the next sequence is held back while a
 * chunk holding that sequence may still come (a merge in progress: such a chunk ends at the sequence's
 * chunk end, so it comes later in `t` order). Once none can come, nothing holds the next sequence: it lies
 * in a range lost with a restore from an older backup (the head was raised over it), and the walk goes on
 * at the first document after it.
 */
export class RangeWalk {
  #next: number;
  readonly #held: BatchFields[] = [];

  constructor(afterSequence: number) {
    this.#next = afterSequence + 1;
  }

  /** The documents to read now that `batch` arrived (`undefined`: the scan ended). */
  take(batch: BatchFields | undefined): BatchFields[] {
    if (batch !== undefined) this.#held.push(batch);
    const ready: BatchFields[] = [];
    for (;;) {
      this.#dropRead();
      const holding = this.#held.findIndex((d) => d.f <= this.#next);
      if (holding !== -1) {
        const [found] = this.#held.splice(holding, 1) as [BatchFields];
        ready.push(found);
        this.#next = found.t + 1;
        continue;
      }
      if (this.#held.length === 0) break;
      const chunkEnd = chunkStart(this.#next) + CHUNK_EVENTS - 1;
      if (batch !== undefined && batch.t <= chunkEnd) break;
      this.#next = Math.min(...this.#held.map((d) => d.f));
    }
    return ready;
  }

  #dropRead(): void {
    for (let i = this.#held.length - 1; i >= 0; i--)
      if ((this.#held[i] as BatchFields).t < this.#next) this.#held.splice(i, 1);
  }
}
