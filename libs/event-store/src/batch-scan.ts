import { Binary, MongoServerError, type Collection, type Db } from 'mongodb';
import { chunkEvents, chunkStart } from './chunk-layout.ts';
import { RangeWalk } from './range-walk.ts';
import { sharedInFlight } from './shared-in-flight.ts';

/**
 * The same events as the events collection, one document per log batch: catch-up reads whole batches,
 * which on a MongoDB-wire server costs per document, not per event.
 */
export interface BatchDocument {
  /** `<repository>:<fromSequence>`: the next batch of a repository is `<repository>:<t + 1>`. */
  _id: string;
  r: string;
  f: number;
  t: number;
  /**
   * The events' JSON texts in sequence order, joined by `\n` (JSON.stringify never writes a raw newline).
   * One string, not an array of them: FerretDB decodes each array element on its own, and that decoding
   * was most of a catch-up's cost there. Documents written before are arrays; chunks are deflated
   * (chunk-layout.ts); all are read.
   */
  b: string | string[] | Binary;
  /** On a chunk (batch-compaction.ts) whose merged documents may not be deleted yet: their starts. */
  p?: number[];
}

export type BatchFields = Pick<BatchDocument, 'f' | 't' | 'b'>;

export const BATCH_INDEX = { key: { r: 1, t: 1 }, name: 'repository_to_sequence' } as const;
const BATCH_FIELDS = { _id: 0, f: 1, t: 1, b: 1 } as const;

/**
 * How a catch-up finds a repository's batches. `range`: one cursor over the `{r, t}` index (MongoDB).
 * `by-id`: each batch by its `_id`, the next one's id taken from the last one's `t` — FerretDB 1.24 runs
 * ranges and sorts in Go over every document its SQL returns (on SQLite: the whole collection), and an
 * `_id` equality is the one filter it sends to SQL on both of its backends.
 */
export type BatchReadPlan = 'range' | 'by-id';

export function batchBody(events: readonly string[]): string {
  return events.join('\n');
}

export function batchEvents(body: BatchDocument['b']): string[] {
  if (body instanceof Binary) return chunkEvents(body);
  return typeof body === 'string' ? body.split('\n') : body;
}

/** A body's size: UTF-16 units of its text (summed over an array), or the bytes of a deflated chunk. */
export function bodyLength(body: string | readonly string[] | Binary): number {
  if (body instanceof Binary) return body.position;
  return typeof body === 'string' ? body.length : body.reduce((n, e) => n + e.length, 0);
}

/** Whether the server is FerretDB: its `buildInfo` says so. */
/** Throws when the database cannot be reached (the answer would be a guess); a refused command means no. */
export async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.command({ buildInfo: 1 }).catch((err: unknown) => {
    if (err instanceof MongoServerError) return {};
    throw err;
  });
  return 'ferretdbVersion' in info;
}

/** The batches holding sequences `afterSequence + 1 … head`, in order. */
export function scanBatches(
  batches: Collection<BatchDocument>,
  plan: BatchReadPlan,
  repository: string,
  range: { afterSequence: number; head: number },
): AsyncGenerator<BatchFields> {
  return plan === 'range'
    ? scanByRange(batches, repository, range.afterSequence, range.head)
    : walkById(batches, repository, range.afterSequence, range.head);
}

/** In `t` order, through a `RangeWalk` (merges in progress, lost ranges). */
async function* scanByRange(
  batches: Collection<BatchDocument>,
  repository: string,
  afterSequence: number,
  head: number,
): AsyncGenerator<BatchFields> {
  const walk = new RangeWalk(afterSequence);
  const cursor = batches
    .find({ r: repository, t: { $gt: afterSequence }, f: { $lte: head } })
    .sort({ t: 1 })
    .hint(BATCH_INDEX.name)
    .project<BatchFields>(BATCH_FIELDS)
    .batchSize(64);
  try {
    for await (const batch of cursor) yield* walk.take(batch);
    yield* walk.take(undefined);
  } finally {
    await cursor.close();
  }
}

/**
 * How far a repository is stored: from its raised head `raised` on, each batch stored right after it (the
 * next batch is `<repository>:<t + 1>`). The persister raises heads after it announces a group, and stores a
 * batch only after the one before it, or together with it (then the chain stops at whichever is missing):
 * the chain ends where the stored prefix ends. Compaction stays at or below the raised head, so past it
 * every document is a batch as the persister wrote it.
 */
export async function storedThrough(
  batches: Collection<BatchDocument>,
  repository: string,
  raised: number,
): Promise<number> {
  let head = raised;
  for (;;) {
    const next = await batches.findOne<Pick<BatchDocument, 't'>>(
      { _id: `${repository}:${head + 1}` },
      { projection: { _id: 0, t: 1 } },
    );
    if (next === null || !(next.t > head)) return head;
    head = next.t;
  }
}

/**
 * Per collection, the `_id` lookups in flight, shared: catch-ups of one repository that run at once (the
 * sessions of a gateway that restarted, or that lost its recent events, all reconnecting) walk the same
 * batches, and each is then asked for once, not once per session. An answer in flight serves a later
 * caller as well: a batch's events never change, compaction only puts a chunk holding them under the same
 * `_id` or adds and deletes other documents, and a walk that finds nothing asks for the document holding
 * the sequence.
 */
const lookups = new WeakMap<Collection<BatchDocument>, (id: string) => Promise<BatchFields | null>>();

function batchAt(batches: Collection<BatchDocument>, repository: string, from: number) {
  let lookup = lookups.get(batches);
  if (lookup === undefined) {
    lookup = sharedInFlight((id: string) =>
      batches.findOne<BatchFields>({ _id: id }, { projection: BATCH_FIELDS }),
    );
    lookups.set(batches, lookup);
  }
  return lookup(`${repository}:${from}`);
}

/**
 * The document holding `sequence` when none starts there: its chunk if the repository is compacted that
 * far (found by `_id`), else the first document that holds it (a range: FerretDB scans the collection),
 * else — the sequence lies in a range lost with a restore from an older backup — the first after it.
 */
async function batchHolding(
  batches: Collection<BatchDocument>,
  repository: string,
  sequence: number,
  head: number,
): Promise<BatchFields | null> {
  const start = chunkStart(sequence);
  const chunk = start === sequence ? null : await batchAt(batches, repository, start);
  if (chunk !== null && chunk.t >= sequence) return chunk;
  return (
    (await firstEndingFrom(batches, repository, sequence, Math.min(sequence, head))) ??
    (await firstEndingFrom(batches, repository, sequence, head))
  );
}

/** The first document (in `t` order) ending at `sequence` or later and starting at `startAtMost` or before. */
async function firstEndingFrom(
  batches: Collection<BatchDocument>,
  repository: string,
  sequence: number,
  startAtMost: number,
): Promise<BatchFields | null> {
  const [found] = await batches
    .find({ r: repository, t: { $gte: sequence }, f: { $lte: startAtMost } })
    .sort({ t: 1 })
    .hint(BATCH_INDEX.name)
    .limit(1)
    .project<BatchFields>(BATCH_FIELDS)
    .toArray();
  return found ?? null;
}

/** Lookups kept in flight ahead of the walk, once batch sizes repeat. */
const LOOKAHEAD = 4;

/**
 * One lookup per batch, and each needs the one before: a serial chain of round trips. Where the last two
 * batches had the same size, the next `LOOKAHEAD` are asked for at once, guessing that size again; a wrong
 * guess costs one missed `_id` lookup and is never read.
 */
async function* walkById(
  batches: Collection<BatchDocument>,
  repository: string,
  afterSequence: number,
  head: number,
): AsyncGenerator<BatchFields> {
  const inFlight = new Map<number, Promise<BatchFields | null>>();
  const lookup = (from: number) => {
    let found = inFlight.get(from);
    if (found === undefined) {
      found = batchAt(batches, repository, from).catch(() => null);
      inFlight.set(from, found);
    }
    return found;
  };
  let next = afterSequence + 1;
  let previousSize = 0;
  while (next <= head) {
    const batch = (await lookup(next)) ?? (await batchHolding(batches, repository, next, head));
    inFlight.delete(next);
    if (batch === null) return;
    const size = batch.t - batch.f + 1;
    if (size === previousSize)
      for (let k = 0, from = batch.t + 1; k < LOOKAHEAD && from <= head; k++, from += size) void lookup(from);
    previousSize = size;
    yield batch;
    next = batch.t + 1;
    for (const from of inFlight.keys()) if (from < next) inFlight.delete(from);
  }
}
