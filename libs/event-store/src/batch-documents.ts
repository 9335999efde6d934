import type { SequencedBatch } from '@lfsync/contracts';
import type { Collection, Db, WriteConcern } from 'mongodb';
import { batchBody, type BatchDocument } from './batch-scan.ts';
import { insertIgnoringDuplicates } from './write-commands.ts';

type SequencedEvent = SequencedBatch['events'][number];

/** Log batches of one repository that follow each other, stored as one document. */
export interface BatchRun {
  repository: string;
  from: number;
  batches: SequencedBatch[];
}

/**
 * The runs of `batches`, in order: a batch that starts right after the one before it, in the same
 * repository, joins its run. A persister's group holds a busy repository's log batches one after another,
 * so it stores one document for them instead of one per log batch (each costs the database per document,
 * and the merge into chunks a delete). Deterministic: the same batches make the same runs.
 */
export function batchRuns(batches: readonly SequencedBatch[]): BatchRun[] {
  const runs: BatchRun[] = [];
  let last: BatchRun | undefined;
  for (const batch of batches) {
    if (batch.events.length === 0) continue;
    const previous = last?.batches.at(-1);
    if (last?.repository === batch.repository && previous?.toSequence === batch.fromSequence - 1)
      last.batches.push(batch);
    else runs.push((last = { repository: batch.repository, from: batch.fromSequence, batches: [batch] }));
  }
  return runs;
}

/** A document to insert, with its events' texts (to split off the part a document already there lacks). */
interface Pending {
  document: BatchDocument;
  texts: string[];
}

/**
 * Inserts one document per run (`_id` `<r>:<from>`); returns the documents inserted. A document already
 * at that `_id` — the same run or part of it, stored by an attempt that did not finish (the log's events
 * never change) — holds the events up to its `t`: the rest goes into a document of its own right after
 * it, which may be there already too.
 */
export async function insertBatchDocuments(
  db: Db,
  collection: Collection<BatchDocument>,
  runs: readonly BatchRun[],
  textOf: (batch: SequencedBatch, event: SequencedEvent, index: number) => string,
  writeConcern: WriteConcern,
): Promise<BatchDocument[]> {
  let pending = runs.map((run) => {
    const texts = run.batches.flatMap((batch) => batch.events.map((event, i) => textOf(batch, event, i)));
    return pendingDocument(run.repository, run.from, texts);
  });
  const inserted: BatchDocument[] = [];
  while (pending.length > 0) {
    const documents = pending.map((p) => p.document);
    const taken = new Set(
      (await insertIgnoringDuplicates(db, collection.collectionName, documents, writeConcern)).map(
        (d) => d._id,
      ),
    );
    inserted.push(...documents.filter((d) => !taken.has(d._id)));
    const rest: Pending[] = [];
    for (const { document, texts } of pending.filter((p) => taken.has(p.document._id))) {
      const there = await collection.findOne({ _id: document._id }, { projection: { _id: 0, t: 1 } });
      // Gone meanwhile (merged into a chunk and deleted): inserted again, the events stay readable.
      const end = there?.t ?? document.f - 1;
      if (end < document.t)
        rest.push(pendingDocument(document.r, end + 1, texts.slice(end + 1 - document.f)));
    }
    pending = rest;
  }
  return inserted;
}

function pendingDocument(repository: string, from: number, texts: string[]): Pending {
  const document: BatchDocument = {
    _id: `${repository}:${from}`,
    r: repository,
    f: from,
    t: from + texts.length - 1,
    b: batchBody(texts),
  };
  return { document, texts };
}
