import { createHash } from 'node:crypto';
import { dataIdOf, type SequencedBatch } from '@lfsync/contracts';
import {
  displacedEventId,
  type EntityEvent,
  type EventStore,
  type StoredEvent,
  type StoredSequences,
} from '@lfsync/ports';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';

/** An event as stored: its id (suffixed when displaced), its entity id, and its JSON as sent to clients. */
interface EventRecord {
  e: string;
  d?: string;
  b: string;
}

/** LMDB keys are at most 1978 bytes; entity ids are client data of any length. */
const MAX_RAW_DATA_ID_BYTES = 512;

/**
 * The event store in LMDB, with the semantics of `MongoEventStore`: events keyed by (repository, sequence),
 * unique by (repository, event id), an (repository, entity id, sequence) index for the latest version of an
 * entity, and heads that readers never look past. Writes resolve once durable.
 */
export class LmdbEventStore implements EventStore, StoredSequences {
  readonly #env: LmdbEnvironment;
  readonly #events: Database<EventRecord, [string, number]>;
  readonly #eventIds: Database<number, [string, string]>;
  readonly #dataIds: Database<true, [string, string, number]>;
  readonly #heads: Database<number, string>;

  constructor(env: LmdbEnvironment) {
    this.#env = env;
    this.#events = env.database('store.events');
    this.#eventIds = env.database('store.event-ids');
    this.#dataIds = env.database('store.data-ids');
    this.#heads = env.database('store.heads');
  }

  /**
   * A slot already filled is a redelivery (left as it is). An event id already stored at another sequence
   * (a double fault, see docs/architecture.md) fills its slot under `<eventId>#<sequence>`, keeping the
   * sequence gapless; those ids are returned.
   */
  async insert(
    batches: readonly SequencedBatch[],
    eventsJson?: ReadonlyArray<readonly string[] | undefined>,
  ): Promise<{ displacedEventIds: string[] }> {
    const events = batches.flatMap((batch, b) =>
      batch.events.map((event, i) => ({ repository: batch.repository, event, json: eventsJson?.[b]?.[i] })),
    );
    if (events.length === 0) return { displacedEventIds: [] };
    return this.#env.write(() => {
      const displacedEventIds: string[] = [];
      for (const { repository, event, json } of events) {
        const sequence = event.serverSequence;
        if (this.#events.doesExist([repository, sequence])) continue;
        let eventId = event._event_id;
        if (this.#eventIds.doesExist([repository, eventId])) {
          eventId = displacedEventId(eventId, sequence);
          displacedEventIds.push(eventId);
        }
        const dataId = dataIdOf(event);
        const record: EventRecord = {
          e: eventId,
          b: json ?? JSON.stringify(event),
          ...(dataId === undefined ? {} : { d: dataId }),
        };
        void this.#events.put([repository, sequence], record);
        void this.#eventIds.put([repository, eventId], sequence);
        if (dataId !== undefined) void this.#dataIds.put([repository, dataIdKey(dataId), sequence], true);
      }
      return { displacedEventIds };
    });
  }

  /** One transaction writes an event with its index: there is nothing to write later. */
  insertBodies(
    batches: readonly SequencedBatch[],
    eventsJson?: ReadonlyArray<readonly string[] | undefined>,
  ): Promise<{ displacedEventIds: string[] }> {
    return this.insert(batches, eventsJson);
  }

  index(): Promise<{ displacedEventIds: string[] }> {
    return Promise.resolve({ displacedEventIds: [] });
  }

  async advanceHeads(heads: ReadonlyMap<string, number>): Promise<void> {
    if (heads.size === 0) return;
    await this.#env.write(() => {
      for (const [repository, sequence] of heads) {
        if (sequence > this.#headOf(repository)) void this.#heads.put(repository, sequence);
      }
    });
  }

  head(repository: string): Promise<number> {
    return Promise.resolve(this.#headOf(repository));
  }

  resumeAt(repository: string): Promise<number> {
    return this.head(repository);
  }

  async readAfter(repository: string, afterSequence: number, limit: number): Promise<StoredEvent[]> {
    return this.#range(repository, afterSequence, await this.head(repository), limit);
  }

  async *scanAfter(
    repository: string,
    afterSequence: number,
    pageSize: number,
  ): AsyncGenerator<StoredEvent[]> {
    const head = await this.head(repository);
    for (let after = afterSequence; after < head;) {
      const page = this.#range(repository, after, head, pageSize);
      const last = page.at(-1);
      if (last === undefined) return;
      yield page;
      after = last.sequence;
    }
  }

  async findByEventId(repository: string, eventId: string): Promise<StoredEvent | undefined> {
    const sequence = this.#eventIds.get([repository, eventId]);
    if (sequence === undefined || sequence > (await this.head(repository))) return undefined;
    return this.#storedAt(repository, sequence);
  }

  sequencesOf(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const eventId of eventIds) {
      const sequence = this.#eventIds.get([repository, eventId]);
      if (sequence !== undefined) found.set(eventId, sequence);
    }
    return Promise.resolve(found);
  }

  async latestByDataId(repository: string, dataId: string): Promise<StoredEvent | undefined> {
    const head = await this.head(repository);
    const key = dataIdKey(dataId);
    const range = this.#dataIds.getKeys({
      start: [repository, key, head],
      end: [repository, key, 0],
      reverse: true,
    });
    for (const [, , sequence] of range) {
      const record = this.#events.get([repository, sequence]);
      if (record?.d === dataId) return { sequence, json: record.b };
    }
    return undefined;
  }

  /**
   * Entity after entity in key order: the newest version at `atSequence` by one reverse look-up into the
   * entity's keys, then a jump past them. Costs per entity, not per event.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- LMDB reads are synchronous
  async *scanLatestByDataId(
    repository: string,
    atSequence: number,
    options: { afterDataId?: string | undefined; pageSize: number },
  ): AsyncGenerator<EntityEvent[]> {
    let page: EntityEvent[] = [];
    let key = options.afterDataId === undefined ? undefined : dataIdKey(options.afterDataId);
    for (;;) {
      key = this.#nextDataIdKey(repository, key);
      if (key === undefined) break;
      const latest = this.#latestAt(repository, key, atSequence);
      if (latest !== undefined) page.push(latest);
      if (page.length >= options.pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  repositories(): Promise<string[]> {
    const repositories: string[] = [];
    for (const { key, value } of this.#heads.getRange({})) if (value > 0) repositories.push(key);
    return Promise.resolve(repositories);
  }

  ping(): Promise<boolean> {
    return Promise.resolve(this.#env.isOpen);
  }

  #headOf(repository: string): number {
    return this.#heads.get(repository) ?? 0;
  }

  /** Events with `after < sequence ≤ head`, ascending, at most `limit`. */
  #range(repository: string, after: number, head: number, limit: number): StoredEvent[] {
    if (head <= after || limit <= 0) return [];
    return Array.from(
      this.#events.getRange({ start: [repository, after + 1], end: [repository, head + 1], limit }),
      ({ key, value }) => ({ sequence: key[1], json: value.b }),
    );
  }

  /** The first entity key of the repository after `after` (from the start when undefined). */
  #nextDataIdKey(repository: string, after: string | undefined): string | undefined {
    const start: [string, string, number] = [repository, after ?? '', after === undefined ? 0 : Infinity];
    for (const [r, key] of this.#dataIds.getKeys({ start, limit: 2 })) {
      if (r !== repository) return undefined;
      if (key !== after) return key;
    }
    return undefined;
  }

  #latestAt(repository: string, key: string, atSequence: number): EntityEvent | undefined {
    const range = this.#dataIds.getKeys({
      start: [repository, key, atSequence],
      end: [repository, key, 0],
      reverse: true,
      limit: 1,
    });
    for (const [, , sequence] of range) {
      const record = this.#events.get([repository, sequence]);
      if (record?.d !== undefined) return { dataId: record.d, sequence, json: record.b };
    }
    return undefined;
  }

  #storedAt(repository: string, sequence: number): StoredEvent | undefined {
    const record = this.#events.get([repository, sequence]);
    return record === undefined ? undefined : { sequence, json: record.b };
  }
}

/** The entity id itself, or a digest of a long one (the stored record's `d` is compared on read). */
function dataIdKey(dataId: string): string {
  if (Buffer.byteLength(dataId) <= MAX_RAW_DATA_ID_BYTES) return dataId;
  return `sha256:${createHash('sha256').update(dataId).digest('base64url')}`;
}
