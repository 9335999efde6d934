import { eventIndexEntrySchema, type BusNames } from '@lfsync/contracts';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventIndex } from '../domain/ports.ts';

/** The event-id index as a JetStream KV bucket (file storage, one revision per key). */
export class KvEventIndex implements EventIndex {
  readonly #names: BusNames;
  readonly #kv: KV;

  private constructor(names: BusNames, kv: KV) {
    this.#names = names;
    this.#kv = kv;
  }

  static async open(nc: NatsConnection, names: BusNames): Promise<KvEventIndex> {
    const kv = await new Kvm(nc).create(names.eventIndexBucket, { history: 1, storage: 'file' });
    return new KvEventIndex(names, kv);
  }

  async getMany(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
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
