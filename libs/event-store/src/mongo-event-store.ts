import { dataIdOf, type SequencedBatch } from '@lfsync/contracts';
import {
  displacedEventId,
  type EntityEvent,
  type EventStore,
  type StoredEvent,
  type StoredSequences,
} from '@lfsync/ports';
import { BatchCompactor } from './batch-compaction.ts';
import {
  BATCH_INDEX,
  batchBody,
  batchEvents,
  isFerretDb,
  scanBatches,
  type BatchDocument,
  type BatchReadPlan,
} from './batch-scan.ts';
import { createMissingIndexes } from './create-indexes.ts';
import { eventBodies, type EventRef } from './event-bodies.ts';
import { DATA_ID_INDEX_NAME, scanLatestByDataId } from './latest-by-data-id.ts';
import { askOnce } from './ask-once.ts';
import { insertIgnoringDuplicates, raiseCounters } from './write-commands.ts';
import { parallelLane, SerialLane, type WriteLane } from './write-lane.ts';
import { type Collection, type Db, type WriteConcern } from 'mongodb';

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

export interface HeadDocument {
  _id: string;
  s: number;
}

const EVENT_ID_INDEX = { key: { r: 1, e: 1 }, name: 'repository_event_id', unique: true } as const;
const DATA_ID_INDEX = { key: { r: 1, d: 1, s: -1 }, name: DATA_ID_INDEX_NAME } as const;
/**
 * No `{r, s}` index: no read needs one (`_id` `<r>:<s>` already makes a slot unique), and each index costs
 * every insert. Stores created before keep theirs (deploy.md). `{r, e}` everywhere: its uniqueness is what
 * detects an event re-pushed at another sequence.
 */
const EVENT_INDEXES = [EVENT_ID_INDEX] as const;
/**
 * Reads name their index (`hint`): where two indexes match, as `{r, s}` (older stores) and `{r, d, s}` do
 * for the latest event of an entity, a plan cached for one entity must never walk a whole repository for
 * the next. They fetch only the fields they return. (FerretDB ignores hints.)
 */
const EVENT_FIELDS = { _id: 0, s: 1, f: 1, b: 1 } as const;

export const EVENTS_COLLECTION = 'events';
const BATCHES_COLLECTION = 'event_batches';
export const HEADS_COLLECTION = 'heads';

export class MongoEventStore implements EventStore, StoredSequences {
  readonly #db: Db;
  readonly #events: Collection<EventDocument>;
  readonly #batches: Collection<BatchDocument>;
  readonly #heads: Collection<HeadDocument>;
  readonly #writeConcern: WriteConcern;
  readonly #readPlan: BatchReadPlan | undefined;
  readonly #dataIdIndex: boolean | undefined;
  readonly #compactor: BatchCompactor | undefined;
  /** Asked once it answers (`buildInfo`): the read plan, the write lane and the indexes depend on it. */
  readonly #onFerretDb = askOnce(() => isFerretDb(this.#db));
  readonly #plan = askOnce(
    // `by-id` on FerretDB, `range` elsewhere.
    async (): Promise<BatchReadPlan> => this.#readPlan ?? ((await this.#onFerretDb()) ? 'by-id' : 'range'),
  );
  readonly #lane = askOnce(async (): Promise<WriteLane> =>
    (await this.#onFerretDb()) ? new SerialLane() : parallelLane,
  );

  /**
   * `readPlan`: how catch-up finds batches; by default `by-id` on FerretDB and `range` on MongoDB.
   * `compaction` (on by default): the batches of committed events are merged into chunks in the
   * background after `advanceHeads` (batch-compaction.ts); a failure goes to `onCompactionError`.
   * `dataIdIndex`: whether `ensureIndexes` makes the `{r, d, s: -1}` index; by default not on FerretDB,
   * whose backends cannot use it (FerretDB 1.24 runs ranges and sorts itself), so it would only cost
   * every insert.
   */
  constructor(
    db: Db,
    options: {
      writeConcern?: 'majority' | 1;
      readPlan?: BatchReadPlan;
      dataIdIndex?: boolean;
      compaction?: boolean;
      onCompactionError?: (err: unknown) => void;
    } = {},
  ) {
    this.#db = db;
    this.#writeConcern = { w: options.writeConcern ?? 'majority' };
    this.#readPlan = options.readPlan;
    this.#dataIdIndex = options.dataIdIndex;
    this.#events = db.collection<EventDocument>(EVENTS_COLLECTION);
    this.#batches = db.collection<BatchDocument>(BATCHES_COLLECTION);
    this.#heads = db.collection<HeadDocument>(HEADS_COLLECTION);
    const onError = options.onCompactionError ?? ((err: unknown) => process.emitWarning(err as Error));
    if (options.compaction ?? true)
      this.#compactor = new BatchCompactor(this.#batches, this.#writeConcern, onError, () => this.#lane());
  }

  /** Batch documents merged into chunks whose deletes have not run yet (batch-compaction.ts). */
  mergedPartsWaiting(): number {
    return this.#compactor?.partsWaiting ?? 0;
  }

  /** Stops the background merges and drops the deletes waiting: before the database client closes. */
  stopCompaction(): void {
    this.#compactor?.stop();
  }

  /** Resolves once the compaction scheduled so far is done. */
  async compactionIdle(): Promise<void> {
    await this.#compactor?.idle();
  }

  async ensureIndexes(): Promise<void> {
    const dataIdIndex = this.#dataIdIndex ?? !(await this.#onFerretDb());
    await createMissingIndexes(this.#events, dataIdIndex ? [...EVENT_INDEXES, DATA_ID_INDEX] : EVENT_INDEXES);
    await createMissingIndexes(this.#batches, [BATCH_INDEX]);
  }

  async insert(
    batches: readonly SequencedBatch[],
    eventsJson?: ReadonlyArray<readonly string[] | undefined>,
  ): Promise<{ displacedEventIds: string[] }> {
    const documents = batches.flatMap((batch) =>
      batch.events.map((event) => toDocument(batch.repository, batch.fromSequence, event)),
    );
    if (documents.length === 0) return { displacedEventIds: [] };
    const lane = await this.#lane();
    const [, result] = await lane.all([
      () => this.#insertBatches(batches, eventsJson),
      () => this.#insertEvents(documents),
    ]);
    return result;
  }

  async #insertBatches(
    batches: readonly SequencedBatch[],
    eventsJson: ReadonlyArray<readonly string[] | undefined> | undefined,
  ): Promise<void> {
    const batchDocuments = batches.map((batch, b): BatchDocument => ({
      _id: `${batch.repository}:${batch.fromSequence}`,
      r: batch.repository,
      f: batch.fromSequence,
      t: batch.toSequence,
      b: batchBody(batch.events.map((event, i) => eventText(event, eventsJson?.[b]?.[i]))),
    }));
    // A redelivered batch collides with itself: already stored.
    await insertIgnoringDuplicates(this.#db, BATCHES_COLLECTION, batchDocuments, this.#writeConcern);
    this.#compactor?.remember(batchDocuments);
  }

  async #insertEvents(documents: EventDocument[]): Promise<{ displacedEventIds: string[] }> {
    const duplicates = await insertIgnoringDuplicates(
      this.#db,
      EVENTS_COLLECTION,
      documents,
      this.#writeConcern,
    );
    if (duplicates.length === 0) return { displacedEventIds: [] };
    return this.#resolveDuplicates(duplicates);
  }

  /**
   * A duplicate key is either this very document again (a redelivery: fine) or the same event id at
   * another sequence: only possible if a sequencer died between appending and indexing and the event was
   * re-pushed after the dedupe window. The slot is then filled with a copy under a suffixed id so the
   * sequence stays gapless (I1); the caller reports it.
   */
  async #resolveDuplicates(documents: EventDocument[]): Promise<{ displacedEventIds: string[] }> {
    // One query per 1,000 ids, not one per document: after a crash a whole group is re-inserted.
    const stored = new Set<string>();
    for (let i = 0; i < documents.length; i += 1_000) {
      const ids = documents.slice(i, i + 1_000).map((d) => d._id);
      const found = await this.#events.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
      for (const document of found) stored.add(document._id);
    }
    const displaced = documents
      .filter((document) => !stored.has(document._id))
      .map((document) => ({ ...document, e: displacedEventId(document.e, document.s) }));
    if (displaced.length > 0)
      await insertIgnoringDuplicates(this.#db, EVENTS_COLLECTION, displaced, this.#writeConcern);
    return { displacedEventIds: displaced.map((d) => d.e) };
  }

  async advanceHeads(heads: ReadonlyMap<string, number>): Promise<void> {
    if (heads.size === 0) return;
    const lane = await this.#lane();
    await lane.run('urgent', () => raiseCounters(this.#db, HEADS_COLLECTION, heads, this.#writeConcern));
    this.#compactor?.schedule(heads);
  }

  async head(repository: string): Promise<number> {
    const document = await this.#heads.findOne({ _id: repository });
    return document?.s ?? 0;
  }

  async readAfter(repository: string, afterSequence: number, limit: number): Promise<StoredEvent[]> {
    for await (const page of this.scanAfter(repository, afterSequence, limit)) return page;
    return [];
  }

  async *scanAfter(
    repository: string,
    afterSequence: number,
    pageSize: number,
  ): AsyncGenerator<StoredEvent[]> {
    const head = await this.head(repository);
    if (head <= afterSequence) return;
    const batches = scanBatches(this.#batches, await this.#plan(), repository, { afterSequence, head });
    let page: StoredEvent[] = [];
    // Documents may overlap while a compaction runs: each event once, after the last one read.
    let last = afterSequence;
    for await (const batch of batches) {
      for (const [i, json] of batchEvents(batch.b).entries()) {
        const sequence = batch.f + i;
        if (sequence <= last || sequence > head) continue;
        last = sequence;
        page.push({ sequence, json });
        if (page.length === pageSize) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }

  async findByEventId(repository: string, eventId: string): Promise<StoredEvent | undefined> {
    const head = await this.head(repository);
    const document = await this.#events.findOne<EventRef>(
      { r: repository, e: eventId, s: { $lte: head } },
      { hint: EVENT_ID_INDEX.name, projection: EVENT_FIELDS },
    );
    return document === null ? undefined : this.#stored(repository, document);
  }

  /** Stored, not necessarily committed yet (the sequencer asks where an event id sits, not what to show). */
  async sequencesOf(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const documents = await this.#events
      .find({ r: repository, e: { $in: [...eventIds] } }, { projection: { _id: 0, e: 1, s: 1 } })
      .toArray();
    return new Map(documents.map((d) => [d.e, d.s]));
  }

  async latestByDataId(repository: string, dataId: string): Promise<StoredEvent | undefined> {
    const head = await this.head(repository);
    const [document] = await this.#events
      .find({ r: repository, d: dataId, s: { $lte: head } })
      .sort({ s: -1 })
      .limit(1)
      .hint(DATA_ID_INDEX.name)
      .project<EventRef>(EVENT_FIELDS)
      .toArray();
    return document === undefined ? undefined : this.#stored(repository, document);
  }

  async #stored(repository: string, document: EventRef): Promise<StoredEvent> {
    const [json] = await this.#bodies(repository, [document]);
    return { sequence: document.s, json: json as string };
  }

  async #bodies(repository: string, refs: readonly EventRef[]): Promise<string[]> {
    return eventBodies(this.#batches, await this.#plan(), repository, refs);
  }

  scanLatestByDataId(
    repository: string,
    atSequence: number,
    options: { afterDataId?: string | undefined; pageSize: number },
  ): AsyncIterable<EntityEvent[]> {
    return scanLatestByDataId(this.#events, repository, atSequence, options, (refs) =>
      this.#bodies(repository, refs),
    );
  }

  async repositories(): Promise<string[]> {
    const heads = await this.#heads
      .find({ s: { $gt: 0 } })
      .sort({ _id: 1 })
      .toArray();
    return heads.map((h) => h._id);
  }

  async ping(): Promise<boolean> {
    await this.#db.command({ ping: 1 });
    return true;
  }
}

function toDocument(
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
 * The text given for an event (the log message's), else its serialisation. A batch body joins its events
 * with `\n`, so a text holding a raw one is serialised again.
 */
function eventText(event: SequencedBatch['events'][number], given: string | undefined): string {
  return given !== undefined && !given.includes('\n') ? given : JSON.stringify(event);
}
