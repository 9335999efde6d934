import { eventIndexEntrySchema, parseJsonWith, type BusNames } from '@lfsync/contracts';
import {
  jetstream,
  jetstreamManager,
  type DirectStreamAPI,
  type JetStreamClient,
  type StoredMsg,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { serverAtLeast } from '@lfsync/runtime';
import type { EventIndex } from '../domain/ports.ts';

/** Subjects per batched look-up (the server caps a multi-subject direct get). */
const SUBJECTS_PER_LOOKUP = 256;
/** Entries per atomic batch publish (the server allows 1,000 messages per batch). */
const ENTRIES_PER_ATOMIC_WRITE = 500;
/** Atomic batches open at once, well under the server's limit of 50 per stream. */
const MAX_OPEN_ATOMIC_WRITES = 16;

/**
 * The event-id index as a JetStream KV bucket (file storage, one revision per key). Look-ups of many ids
 * are one direct batch get per 256 ids on NATS 2.11+; writes of many entries one atomic batch publish per
 * 500 on NATS 2.12+ (all stored or none, acknowledged once). Older servers: one request per id.
 */
export class KvEventIndex implements EventIndex {
  readonly #names: BusNames;
  readonly #kv: KV;
  readonly #direct: DirectStreamAPI | undefined;
  readonly #atomic: JetStreamClient | undefined;
  #openAtomicWrites = 0;
  readonly #waitingToWrite: Array<() => void> = [];

  private constructor(
    names: BusNames,
    kv: KV,
    direct: DirectStreamAPI | undefined,
    atomic: JetStreamClient | undefined,
  ) {
    this.#names = names;
    this.#kv = kv;
    this.#direct = direct;
    this.#atomic = atomic;
  }

  static async open(nc: NatsConnection, names: BusNames): Promise<KvEventIndex> {
    const kv = await new Kvm(nc).create(names.eventIndexBucket, { history: 1, storage: 'file' });
    const version = nc.info?.version;
    const jsm = await jetstreamManager(nc);
    let atomic: JetStreamClient | undefined;
    if (serverAtLeast(version, 2, 12)) {
      const stream = `KV_${names.eventIndexBucket}`;
      const { config } = await jsm.streams.info(stream);
      if (config.allow_atomic !== true) await jsm.streams.update(stream, { ...config, allow_atomic: true });
      atomic = jetstream(nc);
    }
    return new KvEventIndex(names, kv, serverAtLeast(version, 2, 11) ? jsm.direct : undefined, atomic);
  }

  async getMany(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    if (this.#direct === undefined || eventIds.length === 1) return this.#getOneByOne(repository, eventIds);
    const found = new Map<string, number>();
    const bySubject = new Map(
      eventIds.map((id) => [
        `$KV.${this.#names.eventIndexBucket}.${this.#names.eventIndexKey(repository, id)}`,
        id,
      ]),
    );
    const subjects = [...bySubject.keys()];
    for (let i = 0; i < subjects.length; i += SUBJECTS_PER_LOOKUP) {
      const messages = await this.#direct.getLastMessagesFor(`KV_${this.#names.eventIndexBucket}`, {
        multi_last: subjects.slice(i, i + SUBJECTS_PER_LOOKUP),
        batch: SUBJECTS_PER_LOOKUP,
      });
      for await (const message of messages) {
        const eventId = bySubject.get(message.subject);
        const sequence = eventId === undefined ? undefined : sequenceOf(message);
        if (eventId !== undefined && sequence !== undefined) found.set(eventId, sequence);
      }
    }
    return found;
  }

  async #putAtomically(
    js: JetStreamClient,
    repository: string,
    entries: ReadonlyArray<readonly [string, number]>,
  ): Promise<void> {
    const subject = ([eventId]: readonly [string, number]) =>
      `$KV.${this.#names.eventIndexBucket}.${this.#names.eventIndexKey(repository, eventId)}`;
    const payload = ([, sequence]: readonly [string, number]) => JSON.stringify({ sequence });
    const [first, ...rest] = entries as Array<readonly [string, number]>;
    const last = rest.pop();
    if (first === undefined || last === undefined) throw new Error('an atomic index write needs two entries');
    while (this.#openAtomicWrites >= MAX_OPEN_ATOMIC_WRITES)
      await new Promise<void>((resolve) => this.#waitingToWrite.push(resolve));
    this.#openAtomicWrites += 1;
    try {
      const batch = await js.startBatch(subject(first), payload(first));
      for (const entry of rest) batch.add(subject(entry), payload(entry));
      await batch.commit(subject(last), payload(last));
    } finally {
      this.#openAtomicWrites -= 1;
      this.#waitingToWrite.shift()?.();
    }
  }

  async #getOneByOne(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    await Promise.all(
      eventIds.map(async (eventId) => {
        const entry = await this.#kv.get(this.#names.eventIndexKey(repository, eventId));
        if (entry === null || entry.operation !== 'PUT') return;
        const parsed = eventIndexEntrySchema.safeParse(entry.json());
        if (parsed.success) found.set(eventId, parsed.data.sequence);
      }),
    );
    return found;
  }

  async putMany(repository: string, entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (this.#atomic !== undefined && entries.length > 1) {
      for (let i = 0; i < entries.length; i += ENTRIES_PER_ATOMIC_WRITE)
        await this.#putAtomically(this.#atomic, repository, entries.slice(i, i + ENTRIES_PER_ATOMIC_WRITE));
      return;
    }
    await Promise.all(
      entries.map(([eventId, sequence]) =>
        this.#kv.put(this.#names.eventIndexKey(repository, eventId), JSON.stringify({ sequence })),
      ),
    );
  }
}

/** The indexed sequence, unless the entry is a delete marker or not ours. */
function sequenceOf(message: StoredMsg): number | undefined {
  const operation = message.header.get('KV-Operation');
  if (operation === 'DEL' || operation === 'PURGE') return undefined;
  const parsed = parseJsonWith(eventIndexEntrySchema, () => message.json());
  return parsed.success ? parsed.data.sequence : undefined;
}
