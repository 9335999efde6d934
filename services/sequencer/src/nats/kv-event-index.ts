import { eventIndexEntrySchema, parseJsonWith, type BusNames } from '@lfsync/contracts';
import type { EventIndex } from '@lfsync/ports';
import { jetstream, jetstreamManager, type DirectStreamAPI, type StoredMsg } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { creatingWithReplicas, ensureReplicas, serverAtLeast } from '@lfsync/runtime';
import { ensureMaxAge } from './ensure-max-age.ts';
import { JETSTREAM_TIMEOUT_MS } from './jetstream-timeout.ts';

/** Subjects per batched look-up (the server caps a multi-subject direct get). */
const SUBJECTS_PER_LOOKUP = 256;

/**
 * The event-id index as a JetStream KV bucket (file storage, one revision per key). Look-ups of many ids
 * are one direct batch get per 256 ids on NATS 2.11+, one get per id on older servers. (Writing them as one
 * atomic batch publish, NATS 2.12, was measured: no faster, and it moves the work into nats-server.)
 */
export class KvEventIndex implements EventIndex {
  readonly #names: BusNames;
  readonly #kv: KV;
  readonly #direct: DirectStreamAPI | undefined;

  private constructor(names: BusNames, kv: KV, direct: DirectStreamAPI | undefined) {
    this.#names = names;
    this.#kv = kv;
    this.#direct = direct;
  }

  /**
   * Opens (or creates) the bucket, kept on `replicas` servers; an existing bucket with fewer is scaled up.
   * With more than one replica every look-up goes to the bucket's leader: a direct get may be answered by
   * any replica, and one that lags (or is cut off from the others) would miss an indexed event id, which
   * would then be sequenced twice (the cluster crash test found this).
   */
  static async open(nc: NatsConnection, names: BusNames, replicas = 1, ttlMs = 0): Promise<KvEventIndex> {
    const bucket = names.eventIndexBucket;
    const consistentReads = replicas > 1;
    const kv = await creatingWithReplicas(`JetStream KV bucket ${bucket}`, replicas, () =>
      new Kvm(jetstream(nc, { timeout: JETSTREAM_TIMEOUT_MS })).create(bucket, {
        history: 1,
        storage: 'file',
        replicas,
        ...(ttlMs > 0 ? { ttl: ttlMs } : {}),
        ...(consistentReads ? { allow_direct: false } : {}),
      }),
    );
    const jsm = await jetstreamManager(nc, { timeout: JETSTREAM_TIMEOUT_MS });
    await ensureReplicas(jsm, `KV_${bucket}`, replicas);
    await ensureMaxAge(jsm, `KV_${bucket}`, ttlMs);
    const batched = serverAtLeast(nc.info?.version, 2, 11) && !consistentReads;
    return new KvEventIndex(names, kv, batched ? jsm.direct : undefined);
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
