import type { Collection, WriteConcern } from 'mongodb';
import type { BatchDocument } from './batch-scan.ts';
import type { WriteLane, WritePriority } from './write-lane.ts';

/** Parts deleted per write on a serial lane: each a FerretDB transaction; a group write waits one turn. */
const DELETES_PER_WRITE = 4;
/**
 * Parts whose deletion may wait for a quiet moment of the write lane. Beyond, they take their turn with the
 * persister's writes: a persister writing without pause leaves no room for background writes, and parts
 * would pile up for as long as it does.
 */
const MAX_DEFERRED_PARTS = 2_000;

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
 * (readers skip what they returned already), so on a serial lane (FerretDB) deleting them — one
 * transaction per document, the largest share of a merge's writes — waits for the lane to be quiet while
 * fewer than MAX_DEFERRED_PARTS are waiting, and beyond goes in line with the persister's writes. A failed
 * delete stays first in line and is tried again with the next chunk built.
 */
export class MergedPartsDeleter {
  readonly #batches: Collection<BatchDocument>;
  readonly #writeConcern: WriteConcern;
  readonly #lane: () => Promise<WriteLane>;
  readonly #onError: (err: unknown) => void;
  readonly #queue: Merged[] = [];
  #parts = 0;
  #draining: Promise<void> | undefined;
  #stopped = false;

  constructor(options: {
    batches: Collection<BatchDocument>;
    writeConcern: WriteConcern;
    lane: () => Promise<WriteLane>;
    onError: (err: unknown) => void;
  }) {
    this.#batches = options.batches;
    this.#writeConcern = options.writeConcern;
    this.#lane = options.lane;
    this.#onError = options.onError;
  }

  /** Parts added and not deleted yet. */
  get waiting(): number {
    return this.#parts;
  }

  add(repository: string, from: number, starts: readonly number[]): void {
    if (this.#stopped) return;
    this.#queue.push({ repository, from, starts });
    this.#parts += starts.length;
    this.#draining ??= this.#drain();
  }

  /** Resolves once every part added is deleted, or a delete failed. */
  async idle(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Drops what is waiting (the chunks keep listing those parts, for the next process). */
  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#parts = 0;
  }

  async #drain(): Promise<void> {
    try {
      for (let next = this.#queue[0]; next !== undefined; next = this.#queue[0]) {
        await this.#delete(next);
        this.#queue.shift();
        this.#parts -= next.starts.length;
      }
    } catch (err) {
      const first = this.#queue[0];
      if (!this.#stopped && first !== undefined)
        this.#onError(
          new Error(`deleting the parts merged into ${first.repository}:${first.from}`, { cause: err }),
        );
    } finally {
      // Here, not in a `.finally` of the caller: an `add` right after the loop's last look must start again.
      this.#draining = undefined;
    }
  }

  async #delete({ repository, from, starts }: Merged): Promise<void> {
    const lane = await this.#lane();
    const options = { ordered: false, writeConcern: this.#writeConcern };
    // A parallel lane (MongoDB) deletes them in one command, as many as there are.
    const perWrite = lane.serial ? DELETES_PER_WRITE : Math.max(1, starts.length);
    for (let i = 0; i < starts.length; i += perWrite) {
      const deletes = starts
        .slice(i, i + perWrite)
        .map((f) => ({ deleteOne: { filter: { _id: `${repository}:${f}` } } }));
      await lane.run(
        () => this.#priority(),
        () => this.#batches.bulkWrite(deletes, options),
      );
    }
    await lane.run(
      () => this.#priority(),
      () => this.#batches.updateOne({ _id: `${repository}:${from}` }, { $unset: { p: '' } }, options),
    );
  }

  #priority(): WritePriority {
    return this.#parts > MAX_DEFERRED_PARTS ? 'urgent' : 'idle';
  }
}
