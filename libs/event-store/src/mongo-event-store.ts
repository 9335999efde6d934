import { dataIdOf, type SequencedBatch } from '@lfsync/contracts';
import { type EntityEvent, type EventStore, type StoredEvent, type StoredSequences } from '@lfsync/ports';
import { BatchCompactor } from './batch-compaction.ts';
import {
  BATCH_INDEX,
  batchBody,
  isFerretDb,
  scanBatches,
  storedThrough,
  type BatchDocument,
  type BatchReadPlan,
} from './batch-scan.ts';
import { createMissingIndexes } from './create-indexes.ts';
import {
  EVENTS_COLLECTION,
  indexDocuments,
  insertEventDocuments,
  NONE_DISPLACED,
  toDocument,
  type EventDocument,
} from './event-documents.ts';
import { eventBodies, type EventRef } from './event-bodies.ts';
import { DATA_ID_INDEX_NAME, scanLatestByDataId } from './latest-by-data-id.ts';
import { askOnce } from './ask-once.ts';
import { sharedNextRun } from './shared-in-flight.ts';
import {
  eventsOfDocuments,
  latestPerEntity,
  tailEvents,
  withTail,
  type HeldEvents,
  type TailEvent,
} from './index-tail.ts';
import { insertIgnoringDuplicates, raiseCounters } from './write-commands.ts';
import { parallelLane, SerialLane, type WriteLane } from './write-lane.ts';
import { type Collection, type Db, type WriteConcern } from 'mongodb';

export interface HeadDocument {
  _id: string;
  s: number;
  /**
   * Indexed through: every event up to it has its document in the events collection (`insertBodies` and
   * `index` write the rest later). Absent: every event up to `s` has.
   */
  x?: number;
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

const BATCHES_COLLECTION = 'event_batches';
export const HEADS_COLLECTION = 'heads';

export class MongoEventStore implements EventStore, StoredSequences {
  readonly headFollowsBatches = true;
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
   * The head with the batches stored past the raised one (`storedThrough`); `indexed` as recorded. Readers
   * of a repository arriving during a walk share the next one: a thousand catch-ups starting together would
   * otherwise each walk the chain one look-up at a time, slowing the head write that would shorten it.
   */
  readonly #headOf = sharedNextRun(async (repository: string) => {
    const { raised, indexed } = await this.#raisedHeadOf(repository);
    return { head: await storedThrough(this.#batches, repository, raised), indexed };
  });

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
    const documents = indexDocuments(batches);
    if (documents.length === 0) return NONE_DISPLACED;
    const lane = await this.#lane();
    const [, result] = await lane.all([
      () => this.#insertBatches(batches, eventsJson),
      () => insertEventDocuments(this.#db, documents, this.#writeConcern),
    ]);
    return result;
  }

  async insertBodies(
    batches: readonly SequencedBatch[],
    eventsJson?: ReadonlyArray<readonly string[] | undefined>,
  ): Promise<{ displacedEventIds: string[] }> {
    if (batches.every((batch) => batch.events.length === 0)) return NONE_DISPLACED;
    const lane = await this.#lane();
    await lane.run('urgent', () => this.#insertBatches(batches, eventsJson));
    return NONE_DISPLACED;
  }

  /** After the heads: on FerretDB behind the persister's next group, so it does not wait for these. */
  async index(batches: readonly SequencedBatch[]): Promise<{ displacedEventIds: string[] }> {
    const documents = indexDocuments(batches);
    if (documents.length === 0) return NONE_DISPLACED;
    const lane = await this.#lane();
    return lane.run('background', () => insertEventDocuments(this.#db, documents, this.#writeConcern));
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

  async advanceHeads(
    heads: ReadonlyMap<string, number>,
    indexedThrough?: ReadonlyMap<string, number>,
  ): Promise<void> {
    if (heads.size === 0) return;
    const values = new Map(
      [...heads].map(([repository, s]) => {
        const x = indexedThrough?.get(repository);
        return [repository, x === undefined ? { s } : { s, x: Math.min(x, s) }] as const;
      }),
    );
    const lane = await this.#lane();
    await lane.run('urgent', () => raiseCounters(this.#db, HEADS_COLLECTION, values, this.#writeConcern));
    this.#compactor?.schedule(heads);
  }

  async head(repository: string): Promise<number> {
    return (await this.#headOf(repository)).head;
  }

  async resumeAt(repository: string): Promise<number> {
    const { head, indexed } = await this.#headOf(repository);
    if (indexed >= head) return head;
    const tail = await this.#tail(repository, indexed, head);
    const documents = tail.map((e) => toDocument(repository, e.holder, e.event));
    const lane = await this.#lane();
    await lane.run('urgent', async () => {
      await insertEventDocuments(this.#db, documents, this.#writeConcern);
      await raiseCounters(
        this.#db,
        HEADS_COLLECTION,
        new Map([[repository, { s: head, x: head }]]),
        this.#writeConcern,
      );
    });
    return head;
  }

  /** The head document alone: every event up to `indexed` is indexed. */
  async #raisedHeadOf(repository: string): Promise<{ raised: number; indexed: number }> {
    const document = await this.#heads.findOne({ _id: repository });
    const raised = document?.s ?? 0;
    return { raised, indexed: Math.min(raised, document?.x ?? raised) };
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
    let page: StoredEvent[] = [];
    for await (const { events } of this.#storedAfter(repository, afterSequence, await this.head(repository)))
      for (const event of events) {
        page.push(event);
        if (page.length === pageSize) {
          yield page;
          page = [];
        }
      }
    if (page.length > 0) yield page;
  }

  async *#storedAfter(repository: string, afterSequence: number, head: number): AsyncGenerator<HeldEvents> {
    if (head <= afterSequence) return;
    const range = { afterSequence, head };
    yield* eventsOfDocuments(
      scanBatches(this.#batches, await this.#plan(), repository, range),
      afterSequence,
      head,
    );
  }

  /** The committed events the index may not hold yet, by sequence (for the operator's `verify`). */
  async indexTail(repository: string): Promise<Array<{ sequence: number; eventId: string }>> {
    const { head, indexed } = await this.#headOf(repository);
    const tail = await this.#tail(repository, indexed, head);
    return tail.map((e) => ({ sequence: e.sequence, eventId: e.event._event_id }));
  }

  /** The stored events the index does not hold yet (none once the persister has caught up). */
  async #tail(repository: string, indexed: number, head: number): Promise<TailEvent[]> {
    return indexed >= head ? [] : tailEvents(this.#storedAfter(repository, indexed, head));
  }

  async findByEventId(repository: string, eventId: string): Promise<StoredEvent | undefined> {
    const { head, indexed } = await this.#headOf(repository);
    const document = await this.#events.findOne<EventRef>(
      { r: repository, e: eventId, s: { $lte: head } },
      { hint: EVENT_ID_INDEX.name, projection: EVENT_FIELDS },
    );
    if (document !== null) return this.#stored(repository, document);
    const found = (await this.#tail(repository, indexed, head)).find((e) => e.event._event_id === eventId);
    return found === undefined ? undefined : { sequence: found.sequence, json: found.json };
  }

  /** Stored, not necessarily committed yet (the sequencer asks where an event id sits, not what to show). */
  async sequencesOf(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const documents = await this.#events
      .find({ r: repository, e: { $in: [...eventIds] } }, { projection: { _id: 0, e: 1, s: 1 } })
      .toArray();
    return new Map(documents.map((d) => [d.e, d.s]));
  }

  async latestByDataId(repository: string, dataId: string): Promise<StoredEvent | undefined> {
    const { head, indexed } = await this.#headOf(repository);
    const [[document], tail] = await Promise.all([
      this.#events
        .find({ r: repository, d: dataId, s: { $lte: head } })
        .sort({ s: -1 })
        .limit(1)
        .hint(DATA_ID_INDEX.name)
        .project<EventRef>(EVENT_FIELDS)
        .toArray(),
      this.#tail(repository, indexed, head),
    ]);
    const newer = tail.findLast((e) => dataIdOf(e.event) === dataId);
    if (newer !== undefined && (document === undefined || newer.sequence > document.s))
      return { sequence: newer.sequence, json: newer.json };
    return document === undefined ? undefined : this.#stored(repository, document);
  }

  async #stored(repository: string, document: EventRef): Promise<StoredEvent> {
    const [json] = await this.#bodies(repository, [document]);
    return { sequence: document.s, json: json as string };
  }

  async #bodies(repository: string, refs: readonly EventRef[]): Promise<string[]> {
    return eventBodies(this.#batches, await this.#plan(), repository, refs);
  }

  async *scanLatestByDataId(
    repository: string,
    atSequence: number,
    options: { afterDataId?: string | undefined; pageSize: number },
  ): AsyncGenerator<EntityEvent[]> {
    const { indexed } = await this.#raisedHeadOf(repository);
    const fromIndex = scanLatestByDataId(this.#events, repository, atSequence, options, (refs) =>
      this.#bodies(repository, refs),
    );
    const tail = await this.#tail(repository, indexed, atSequence);
    yield* tail.length === 0
      ? fromIndex
      : withTail(fromIndex, latestPerEntity(tail, options.afterDataId), options.pageSize);
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

/**
 * The text given for an event (the log message's), else its serialisation. A batch body joins its events
 * with `\n`, so a text holding a raw one is serialised again.
 */
function eventText(event: SequencedBatch['events'][number], given: string | undefined): string {
  return given !== undefined && !given.includes('\n') ? given : JSON.stringify(event);
}
