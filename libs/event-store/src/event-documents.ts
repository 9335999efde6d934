import { dataIdOf, type SequencedBatch } from '@lfsync/contracts';
import { displacedEventId } from '@lfsync/ports';
import type { Db, WriteConcern } from 'mongodb';
import { insertIgnoringDuplicates } from './write-commands.ts';

export const EVENTS_COLLECTION = 'events';

/**
 * MongoDB layout: one small document per event, to find an event by its id or entity. Its JSON text is
 * kept once, in the batch document (then chunk) holding its sequence (batch-scan.ts): the store never
 * interprets client data, keys such as `$x` or `a.b` inside `_data` are harmless, and pages are built
 * without re-serialising.
 */
export interface EventDocument {
  /** `<repository>:<sequence>`: a redelivered batch collides with itself instead of duplicating. */
  _id: string;
  r: string;
  s: number;
  e: string;
  d?: string;
  /** The first sequence of the event's log batch: its batch document is `<r>:<f>` (event-bodies.ts). */
  f?: number;
  /** Documents written before `f`: the event's JSON text (and a write time `at`, read nowhere). */
  b?: string;
}

export const NONE_DISPLACED = { displacedEventIds: [] as string[] };

/** The events' documents: one per event, pointing to the batch document that holds its JSON. */
export function indexDocuments(batches: readonly SequencedBatch[]): EventDocument[] {
  return batches.flatMap((batch) =>
    batch.events.map((event) => toDocument(batch.repository, batch.fromSequence, event)),
  );
}

export function toDocument(
  repository: string,
  batchStart: number,
  event: SequencedBatch['events'][number],
): EventDocument {
  const dataId = dataIdOf(event);
  return {
    _id: `${repository}:${event.serverSequence}`,
    r: repository,
    s: event.serverSequence,
    e: event._event_id,
    ...(dataId === undefined ? {} : { d: dataId }),
    f: batchStart,
  };
}

/**
 * Inserts the events' documents. A duplicate key is either this very document again (a redelivery: fine)
 * or the same event id at another sequence: only possible if a sequencer died between appending and
 * indexing and the event was re-pushed after the dedupe window. The slot is then filled with a copy under a
 * suffixed id so the sequence stays gapless (I1); the caller reports it.
 */
export async function insertEventDocuments(
  db: Db,
  documents: readonly EventDocument[],
  writeConcern: WriteConcern,
): Promise<{ displacedEventIds: string[] }> {
  const duplicates = await insertIgnoringDuplicates(db, EVENTS_COLLECTION, documents, writeConcern);
  if (duplicates.length === 0) return NONE_DISPLACED;
  // One query per 1,000 ids, not one per document: after a crash a whole group is re-inserted.
  const events = db.collection<EventDocument>(EVENTS_COLLECTION);
  const stored = new Set<string>();
  for (let i = 0; i < duplicates.length; i += 1_000) {
    const ids = duplicates.slice(i, i + 1_000).map((d) => d._id);
    const found = await events.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
    for (const document of found) stored.add(document._id);
  }
  const displaced = duplicates
    .filter((document) => !stored.has(document._id))
    .map((document) => ({ ...document, e: displacedEventId(document.e, document.s) }));
  if (displaced.length > 0) await insertIgnoringDuplicates(db, EVENTS_COLLECTION, displaced, writeConcern);
  return { displacedEventIds: displaced.map((d) => d.e) };
}
