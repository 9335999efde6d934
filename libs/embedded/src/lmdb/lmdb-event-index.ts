import type { EventIndex } from '@lfsync/ports';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';

/** The event-id index in LMDB: (repository, event id) → sequence; `putMany` resolves once durable. */
export class LmdbEventIndex implements EventIndex {
  readonly #env: LmdbEnvironment;
  readonly #sequences: Database<number, [string, string]>;

  constructor(env: LmdbEnvironment) {
    this.#env = env;
    this.#sequences = env.database('index.event-ids');
  }

  getMany(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const eventId of eventIds) {
      const sequence = this.#sequences.get([repository, eventId]);
      if (sequence !== undefined) found.set(eventId, sequence);
    }
    return Promise.resolve(found);
  }

  async putMany(repository: string, entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (entries.length === 0) return;
    await this.#env.write(() => {
      for (const [eventId, sequence] of entries) void this.#sequences.put([repository, eventId], sequence);
    });
  }
}
