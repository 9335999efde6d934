/** What loading needs of an event store (MongoDB or LMDB): the persister's two writes. */
export interface BulkWriter {
  insert(batches: ReadonlyArray<LoadBatch>): Promise<unknown>;
  advanceHeads(heads: ReadonlyMap<string, number>): Promise<void>;
}

interface LoadBatch {
  repository: string;
  fromSequence: number;
  toSequence: number;
  events: Array<Record<string, unknown> & { _event_id: string; serverSequence: number }>;
}

const LOG_BATCH = 100;
const WRITE_BATCHES = 50;

/**
 * Writes a state-style repository straight into the store, as the persister would have: `total` events
 * over `entities` entities (event s is about entity (s − 1) mod entities: inserted once, then updated),
 * the last twentieth of the entities deleted at the end; log batches of 100 events.
 */
export async function loadStateRepository(
  store: BulkWriter,
  repository: string,
  options: { total: number; entities: number; payloadBytes: number },
  progress: (loaded: number) => void,
): Promise<void> {
  const { total, entities } = options;
  const deletesFrom = total - Math.floor(entities / 20);
  const pad = 'x'.repeat(options.payloadBytes);
  const eventAt = (s: number) => {
    const id = `ent-${(s - 1) % entities}`;
    const base = { _event_id: `s${s}`, _created_at: 1_735_689_600_000 + s, _data_id: id, serverSequence: s };
    if (s > deletesFrom) return { ...base, _operation: 2 };
    return { ...base, _operation: s <= entities ? 0 : 1, _data: { id, v: s, pad } };
  };
  for (let from = 1; from <= total; from += LOG_BATCH * WRITE_BATCHES) {
    const batches: LoadBatch[] = [];
    for (let f = from; f < Math.min(from + LOG_BATCH * WRITE_BATCHES, total + 1); f += LOG_BATCH) {
      const to = Math.min(f + LOG_BATCH - 1, total);
      const events = Array.from({ length: to - f + 1 }, (_, i) => eventAt(f + i));
      batches.push({ repository, fromSequence: f, toSequence: to, events });
    }
    await store.insert(batches);
    progress(batches.at(-1)?.toSequence ?? total);
  }
  await store.advanceHeads(new Map([[repository, total]]));
}
