import type { Collection, WriteConcern } from 'mongodb';
import type { BatchDocument } from './batch-scan.ts';
import type { WritePriority } from './write-lane.ts';

/** Parts deleted per write: on FerretDB each is a transaction of its own, and an urgent write waits one turn. */
const DELETES_PER_WRITE = 4;
/**
 * Parts whose deletion may wait for a quiet moment of the write lane. Beyond, they take their turn with the
 * persister's writes: a persister writing without pause leaves no room for background writes, and parts
 * would pile up for as long as it does.
 */
const MAX_DEFERRED_PARTS = 2_000;

/** Runs one write on the store's write lane. */
export type LaneWrite = <T>(
  priority: WritePriority | (() => WritePriority),
  write: () => Promise<T>,
) => Promise<T>;

interface Merged {
  repository: string;
  /** The chunk's start: its document lists the parts (`p`) until they are deleted. */
  from: number;
  starts: readonly number[];
}

/**
 * Deletes the documents merged into each chunk, then the chunk's list of them, chunk after chunk in the
 * order they were built: the chunks still listing parts are always the last ones of their repository,
 * which is where a restarted compactor looks (batch-compaction.ts). Nothing reads those parts any more
 * (readers skip what they returned already), so deleting them — one FerretDB transaction per document, the
 * largest share of a merge's writes — waits for the lane to be quiet while fewer than MAX_DEFERRED_PARTS
 * are waiting, and beyond goes in line with the persister's writes. A failed delete stays first in line and is tried again with the next chunk built.
 */
export class MergedPartsDeleter {
  readonly #batches: Collection<BatchDocument>;
  readonly #writeConcern: WriteConcern;
  readonly #write: LaneWrite;
  readonly #onError: (err: unknown) => void;
  readonly #queue: Merged[] = [];
  #parts = 0;
  #running: Promise<void> | undefined;

  constructor(
    batches: Collection<BatchDocument>,
    writeConcern: WriteConcern,
    write: LaneWrite,
    onError: (err: unknown) => void,
  ) {
    this.#batches = batches;
    this.#writeConcern = writeConcern;
    this.#write = write;
    this.#onError = onError;
  }

  /** Parts added and not deleted yet. */
  get waiting(): number {
    return this.#parts;
  }

  add(repository: string, from: number, starts: readonly number[]): void {
    this.#queue.push({ repository, from, starts });
    this.#parts += starts.length;
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  /** Resolves once every part added is deleted, or a delete failed. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue[0]; next !== undefined; next = this.#queue[0]) {
      try {
        await this.#delete(next);
      } catch (err) {
        this.#onError(
          new Error(`deleting the parts merged into ${next.repository}:${next.from}`, { cause: err }),
        );
        return;
      }
      this.#queue.shift();
      this.#parts -= next.starts.length;
    }
  }

  async #delete({ repository, from, starts }: Merged): Promise<void> {
    const options = { ordered: false, writeConcern: this.#writeConcern };
    for (let i = 0; i < starts.length; i += DELETES_PER_WRITE) {
      const deletes = starts
        .slice(i, i + DELETES_PER_WRITE)
        .map((f) => ({ deleteOne: { filter: { _id: `${repository}:${f}` } } }));
      await this.#write(
        () => this.#priority(),
        () => this.#batches.bulkWrite(deletes, options),
      );
    }
    await this.#write(
      () => this.#priority(),
      () => this.#batches.updateOne({ _id: `${repository}:${from}` }, { $unset: { p: '' } }, options),
    );
  }

  #priority(): WritePriority {
    return this.#parts > MAX_DEFERRED_PARTS ? 'urgent' : 'idle';
  }
}
