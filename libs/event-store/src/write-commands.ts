import { Binary, MongoServerError, type Db, type WriteConcern } from 'mongodb';
import { bodyLength } from './batch-scan.ts';

const DUPLICATE_KEY = 11000;
/**
 * A command travels as one BSON document (16 MiB at most): documents are sent in chunks well below it. The
 * size is estimated from the body a document carries (`b`: JSON text, up to 3 bytes per UTF-16 unit, or
 * deflated bytes; an event's own document has none) plus a margin for the other fields.
 */
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
const MAX_CHUNK_DOCUMENTS = 10_000;
const FIELDS_MARGIN_BYTES = 512;

interface WriteError {
  index: number;
  code: number;
  errmsg?: string;
}

interface WriteReply {
  n?: number;
  writeErrors?: WriteError[];
  writeConcernError?: { code?: number; errmsg?: string };
}

/**
 * Inserts every document, or throws; returns those already present (duplicate key). Plain `insert`
 * commands rather than the driver's bulk API: per group the bulk machinery cost the persister more CPU
 * than the write itself. A reply that is not an acknowledged insert of every document — a write concern
 * error, any other write error, a count that does not add up — is a failure: the caller retries, never
 * assumes it was stored.
 */
export async function insertIgnoringDuplicates<T extends { _id: string; b?: Body }>(
  db: Db,
  collection: string,
  documents: readonly T[],
  writeConcern: WriteConcern,
): Promise<T[]> {
  const duplicates: T[] = [];
  for (const chunk of chunks(documents)) {
    const reply = (await db.command({
      insert: collection,
      documents: chunk,
      ordered: false,
      writeConcern,
    })) as WriteReply;
    const errors = duplicateKeyErrors(reply);
    if ((reply.n ?? 0) + errors.length !== chunk.length)
      throw new MongoServerError({
        errmsg: `insert into ${collection} acknowledged ${reply.n ?? 0} of ${chunk.length} documents`,
      });
    for (const e of errors) {
      const document = chunk[e.index];
      if (document !== undefined) duplicates.push(document);
    }
  }
  return duplicates;
}

/**
 * FerretDB 1.24 keeps the query of every update in a command that matched a document open until the whole
 * command ends, each holding one connection of its pool (100 on SQLite, 50 on PostgreSQL), and needs one
 * more for each write: one command advancing 100 existing heads waited for ever on itself, and every later
 * query on it. 16 leaves room for a few persisters writing at once.
 */
const UPDATES_PER_COMMAND = 16;

/**
 * Raises each `_id`'s counters to at least the values given, creating the document, in `update` commands
 * of at most `UPDATES_PER_COMMAND`, one after another.
 */
export async function raiseCounters(
  db: Db,
  collection: string,
  values: ReadonlyMap<string, Readonly<Record<string, number>>>,
  writeConcern: WriteConcern,
): Promise<void> {
  const updates = [...values].map(([id, counters]) => ({
    q: { _id: id },
    u: { $max: counters },
    upsert: true,
  }));
  for (let i = 0; i < updates.length; i += UPDATES_PER_COMMAND) {
    let pending = updates.slice(i, i + UPDATES_PER_COMMAND);
    // Two writers upserting a new `_id` at once can both try to insert it (FerretDB; MongoDB retries such
    // upserts itself): the loser gets E11000, and the document exists now. FerretDB also leaves the rest of
    // the command undone (unordered or not, without saying so), so the updates from the first such error
    // on are sent again: `$max` may be applied twice, and each round the first one can no longer collide.
    for (let round = 0; pending.length > 0; round++) {
      const [lostRace] = await update(db, collection, pending, writeConcern);
      if (lostRace === undefined) break;
      if (round === UPDATES_PER_COMMAND) throw new MongoServerError({ ...lostRace });
      pending = pending.slice(lostRace.index);
    }
  }
}

/** Runs one `update` command; throws on any error but a duplicate key, and returns those, by index. */
async function update(
  db: Db,
  collection: string,
  updates: readonly object[],
  writeConcern: WriteConcern,
): Promise<WriteError[]> {
  const reply = (await db.command({
    update: collection,
    updates,
    ordered: false,
    writeConcern,
  })) as WriteReply;
  return duplicateKeyErrors(reply);
}

/** A reply's duplicate-key errors, by index; any other error (or a write concern error) is thrown. */
function duplicateKeyErrors(reply: WriteReply): WriteError[] {
  if (reply.writeConcernError !== undefined) throw new MongoServerError({ ...reply.writeConcernError });
  const errors = reply.writeErrors ?? [];
  const other = errors.find((e) => e.code !== DUPLICATE_KEY);
  if (other !== undefined) throw new MongoServerError({ ...other });
  return errors.toSorted((a, b) => a.index - b.index);
}

type Body = string | readonly string[] | Binary;

function chunks<T extends { b?: Body }>(documents: readonly T[]): T[][] {
  const result: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const document of documents) {
    const size = bodyBytes(document.b) + FIELDS_MARGIN_BYTES;
    if (chunk.length > 0 && (bytes + size > MAX_CHUNK_BYTES || chunk.length === MAX_CHUNK_DOCUMENTS)) {
      result.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(document);
    bytes += size;
  }
  if (chunk.length > 0) result.push(chunk);
  return result;
}

/** Up to 3 bytes of UTF-8 per UTF-16 unit of text; a deflated body is its bytes; none, none. */
function bodyBytes(body: Body | undefined): number {
  if (body === undefined) return 0;
  return body instanceof Binary ? bodyLength(body) : bodyLength(body) * 3;
}
