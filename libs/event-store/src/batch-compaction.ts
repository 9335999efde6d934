import type { Collection, WriteConcern } from 'mongodb';
import { batchBody, batchEvents, bodyLength, type BatchDocument, type BatchFields } from './batch-scan.ts';
import { CHUNK_EVENTS, chunkBody } from './chunk-layout.ts';
import { MergedPartsDeleter } from './merged-parts-deleter.ts';
import { parallelLane, type WriteLane } from './write-lane.ts';

/** A chunk whose events would exceed this is not written (MongoDB's document limit is 16 MiB). */
const CHUNK_MAX_BYTES = 8 * 1024 * 1024;
/** Batch documents this process wrote, kept to merge without reading them back (oldest dropped first). */
const RECENT_MAX_BYTES = 16 * 1024 * 1024;
/** A repository whose merge failed or could not go on waits this long, doubled each time, up to the max. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 10 * 60_000;
/** A merge of one repository still running after this counts as failed (a database call that hangs). */
const REPOSITORY_TIMEOUT_MS = 60_000;

/** `p`: on a chunk, the starts of the parts merged into it that may not be deleted yet. */
type Part = BatchFields & { _id: string; p?: number[] };
const PART_FIELDS = { _id: 1, f: 1, t: 1, b: 1, p: 1 } as const;

/**
 * Merges a repository's committed batch documents into chunks of `CHUNK_EVENTS` events at aligned
 * sequences (`[k·N + 1, (k + 1)·N]`, `_id` `<r>:<k·N + 1>`), so a catch-up reads one document per
 * thousand events however small the log batches were. Chunks are built in order, one at a time:
 *
 * 1. the events of the last batch past the chunk's end go into their own document at `<r>:<(k+1)·N + 1>`
 *    (inserted, or already there from an earlier attempt);
 * 2. the chunk replaces the document at its start, and lists the starts of the other documents merged
 *    into it (`p`);
 * 3. those documents are deleted.
 *
 * Each step leaves every event readable: between them a document may overlap another, and readers keep
 * only the events after the last one they returned. A crash before 3 leaves the parts, deleted when the
 * next pass finds the chunk. Only committed events (up to the head) are compacted, never the tail.
 */
export class BatchCompactor {
  readonly #batches: Collection<BatchDocument>;
  readonly #writeConcern: WriteConcern;
  readonly #onError: (err: unknown) => void;
  readonly #lane: () => Promise<WriteLane>;
  readonly #deleter: MergedPartsDeleter;
  /** Per repository: every sequence up to this is in chunks. */
  readonly #compacted = new Map<string, number>();
  /**
   * Repositories whose merge failed or could not go on (a chunk too large, a document missing — a lost
   * range, a merge by another process), with when to try again and the wait after that.
   */
  readonly #backoff = new Map<string, { until: number; nextMs: number }>();
  readonly #pending = new Map<string, number>();
  #running: Promise<void> | undefined;
  #stopped = false;
  /** By `_id`: what a document read back would return (a batch's events never change). */
  readonly #recent = new Map<string, Part>();
  #recentBytes = 0;

  constructor(
    batches: Collection<BatchDocument>,
    writeConcern: WriteConcern,
    onError: (err: unknown) => void,
    lane: () => Promise<WriteLane> = () => Promise.resolve(parallelLane),
  ) {
    this.#batches = batches;
    this.#writeConcern = writeConcern;
    this.#onError = onError;
    this.#lane = lane;
    this.#deleter = new MergedPartsDeleter({
      batches,
      writeConcern,
      lane,
      onError: (err) => this.#report(err),
    });
  }

  /**
   * Batch documents just stored: a merge takes them from here instead of reading each one back, which
   * cost the merging process about 1 ms of CPU per document.
   */
  remember(documents: readonly BatchDocument[]): void {
    for (const { _id, f, t, b } of documents) {
      if (this.#recent.has(_id)) continue;
      this.#recent.set(_id, { _id, f, t, b });
      this.#recentBytes += bodyLength(b);
    }
    for (const [id, part] of this.#recent) {
      if (this.#recentBytes <= RECENT_MAX_BYTES) break;
      this.#forget(id, part);
    }
  }

  #forget(id: string, part: Part | undefined): void {
    if (part === undefined || !this.#recent.delete(id)) return;
    this.#recentBytes -= bodyLength(part.b);
  }

  /** Compacts, in the background, what the new heads committed once a whole chunk more is there. */
  schedule(heads: ReadonlyMap<string, number>): void {
    for (const [repository, head] of heads) {
      const compacted = this.#compacted.get(repository) ?? 0;
      if (head - compacted < CHUNK_EVENTS || (this.#backoff.get(repository)?.until ?? 0) > Date.now())
        continue;
      this.#pending.set(repository, Math.max(head, this.#pending.get(repository) ?? 0));
    }
    if (this.#pending.size > 0 && !this.#stopped) this.#running ??= this.#drain();
  }

  /** Stops merging and drops the deletes waiting (before the database client closes). */
  stop(): void {
    this.#stopped = true;
    this.#pending.clear();
    this.#deleter.stop();
  }

  get partsWaiting(): number {
    return this.#deleter.waiting;
  }

  /** Resolves once nothing is scheduled any more. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
    await this.#deleter.idle();
  }

  async #drain(): Promise<void> {
    // A repository scheduled again meanwhile is visited again.
    for (const [repository, head] of this.#pending) {
      this.#pending.delete(repository);
      try {
        await withTimeout(this.#compact(repository, head), REPOSITORY_TIMEOUT_MS);
        this.#backoff.delete(repository);
      } catch (err) {
        if (!this.#stopped) this.#postpone(repository, err);
      }
    }
    // Here, not in a `.finally` of the caller: a `schedule` right after the loop's last look starts again.
    this.#running = undefined;
  }

  #postpone(repository: string, err: unknown): void {
    const waitMs = this.#backoff.get(repository)?.nextMs ?? RETRY_FIRST_MS;
    this.#backoff.set(repository, { until: Date.now() + waitMs, nextMs: Math.min(waitMs * 2, RETRY_MAX_MS) });
    this.#report(new Error(`merging ${repository} into chunks: retried in ${waitMs} ms`, { cause: err }));
  }

  #report(err: unknown): void {
    try {
      this.#onError(err);
    } catch {
      // the reporter's own failure must not stop the merges
    }
  }

  async #compact(repository: string, head: number): Promise<void> {
    let compacted = this.#compacted.get(repository);
    if (compacted === undefined) {
      compacted = await this.#findCompacted(repository, head);
      this.#compacted.set(repository, compacted); // found once, even if the next chunk cannot be built
    }
    while (compacted + CHUNK_EVENTS <= head) {
      if (!(await this.#compactChunk(repository, compacted + 1)))
        throw new Error(
          `the chunk at ${compacted + 1} cannot be built now (a document missing or too large)`,
        );
      compacted += CHUNK_EVENTS;
      this.#compacted.set(repository, compacted);
    }
    this.#compacted.set(repository, compacted);
  }

  /** The chunk starting at `from`, if it is there, with the parts it may not have deleted yet. */
  async #chunkAt(repository: string, from: number): Promise<{ p?: number[] } | null> {
    const found = await this.#batches.findOne<{ t: number; p?: number[] }>(
      { _id: `${repository}:${from}` },
      { projection: { _id: 0, t: 1, p: 1 } },
    );
    return found?.t === from + CHUNK_EVENTS - 1 ? found : null;
  }

  /** How far a repository is compacted: chunks are written in order, so a binary search finds the end. */
  async #findCompacted(repository: string, head: number): Promise<number> {
    let low = 0;
    let high = Math.floor(head / CHUNK_EVENTS);
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if ((await this.#chunkAt(repository, middle * CHUNK_EVENTS + 1)) === null) high = middle;
      else low = middle + 1;
    }
    // The last chunks written may still list their parts, if the process stopped before deleting them:
    // parts are deleted chunk after chunk, so those are the last ones.
    const listing: Array<{ from: number; p: number[] }> = [];
    for (let k = low - 1; k >= 0; k--) {
      const from = k * CHUNK_EVENTS + 1;
      const p = (await this.#chunkAt(repository, from))?.p;
      if (p === undefined) break;
      listing.unshift({ from, p });
    }
    for (const { from, p } of listing) await this.#deleteParts(repository, from, p);
    return low * CHUNK_EVENTS;
  }

  /** The documents from `from` on, one after the other, until one reaches the chunk's end. */
  async #parts(repository: string, from: number): Promise<Part[] | undefined> {
    const parts: Part[] = [];
    let bytes = 0;
    for (let next = from; next < from + CHUNK_EVENTS;) {
      const id = `${repository}:${next}`;
      const part =
        this.#recent.get(id) ?? (await this.#batches.findOne<Part>({ _id: id }, { projection: PART_FIELDS }));
      if (part === null) return undefined;
      bytes += bodyLength(part.b);
      if (bytes > CHUNK_MAX_BYTES) return undefined;
      parts.push(part);
      next = part.t + 1;
    }
    return parts;
  }

  async #compactChunk(repository: string, from: number): Promise<boolean> {
    const to = from + CHUNK_EVENTS - 1;
    const parts = await this.#parts(repository, from);
    const [first] = parts ?? [];
    if (parts === undefined || first === undefined) return false;
    if (first.t === to) {
      // Built by another process (a lease handed over), which may stop before deleting its parts.
      if (first.p !== undefined) await this.#deleteParts(repository, from, first.p);
      return true;
    }
    const cut = cutAfter(parts, CHUNK_EVENTS);
    if (cut === undefined) return false;
    const last = parts[parts.length - 1] as Part;
    if (last.t > to) {
      const rest = { _id: `${repository}:${to + 1}`, r: repository, f: to + 1, t: last.t };
      const document = { ...rest, b: cut.rest };
      await this.#write(() => this.#batches.insertOne(document, { writeConcern: this.#writeConcern })).catch(
        (err: unknown) => {
          if ((err as { code?: unknown }).code !== 11000) throw err;
        },
      );
      this.remember([document]);
    }
    const others = parts.slice(1).map((part) => part.f);
    const chunk = { r: repository, f: from, t: to, b: chunkBody(cut.head), p: others };
    // By `_id` alone: FerretDB on SQLite sends no other filter to SQL (`{_id, t}` would scan the whole
    // collection). A chunk's content follows from its sequences, so two compactors write the same one.
    const replaced = await this.#write(() =>
      this.#batches.replaceOne({ _id: first._id }, chunk, { writeConcern: this.#writeConcern }),
    );
    if (replaced.matchedCount === 0) return false;
    for (const part of parts) this.#forget(part._id, this.#recent.get(part._id));
    await this.#deleteParts(repository, from, others);
    return true;
  }

  /** On MongoDB (a parallel lane) the merge waits for its deletes, as it always did. */
  async #deleteParts(repository: string, from: number, starts: readonly number[]): Promise<void> {
    this.#deleter.add(repository, from, starts);
    if (!(await this.#lane()).serial) await this.#deleter.idle();
  }

  async #write<T>(write: () => Promise<T>): Promise<T> {
    return (await this.#lane()).run('background', write);
  }
}

/**
 * The texts of the first `count` events of `parts` (in order, only the last one reaching past them; one
 * text per part, to be joined by `\n`), and the text of the events after. Cut out of the parts' texts:
 * splitting them into events and joining those again cost more than the deflate. Undefined if a part
 * holds fewer events than its sequences say.
 */
function cutAfter(parts: readonly Part[], count: number): { head: string[]; rest: string } | undefined {
  const texts: string[] = [];
  let left = count;
  for (const part of parts) {
    const text = typeof part.b === 'string' ? part.b : batchBody(batchEvents(part.b));
    const events = part.t - part.f + 1;
    if (events <= left) {
      texts.push(text);
      left -= events;
      continue;
    }
    let end = -1;
    for (let i = 0; i < left; i++) {
      end = text.indexOf('\n', end + 1);
      if (end === -1) return undefined;
    }
    if (end <= 0) return undefined;
    texts.push(text.slice(0, end));
    return { head: texts, rest: text.slice(end + 1) };
  }
  return { head: texts, rest: '' };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
