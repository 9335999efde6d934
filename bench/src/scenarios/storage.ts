import { MongoEventStore } from '@lfsync/event-store';
import { startFerretDb, uniqueName } from '@lfsync/testkit';
import { MongoClient } from 'mongodb';
import { exactPercentile } from '../stats/histogram.ts';
import { cpuSeconds } from '../system/proc.ts';
import type { ScenarioContext } from './context.ts';

export interface StorageRun {
  writers: number;
  batchSize: number;
  eventsPerSec: number;
  /** One `insert` + `advanceHeads`, as the persister does per group. */
  writeP50Ms: number;
  writeP99Ms: number;
  ferretDbCores: number;
}

export interface StorageResult {
  runs: StorageRun[];
}

const RUN_MS = 5_000;

/**
 * Calibration, not a target: how many events per second the event store itself takes on this machine's
 * FerretDB, writing the persister's documents (same store class, same indexes) with nothing else running.
 * The pipeline cannot ingest faster than this.
 */
export async function runStorage(ctx: ScenarioContext): Promise<StorageResult> {
  const mongo = await startFerretDb();
  const client = await MongoClient.connect(mongo.url);
  try {
    const store = new MongoEventStore(client.db(uniqueName('storage')), { writeConcern: 1 });
    await store.ensureIndexes();
    const pad = 'x'.repeat(ctx.options['ingest-payload']);
    const runs: StorageRun[] = [];
    for (const [writers, batchSize] of [
      [1, 750],
      [4, 750],
      [1, 50],
    ] as const) {
      const durations: number[] = [];
      let events = 0;
      const pid = mongo.process.pid ?? Number.NaN;
      const cpuBefore = cpuSeconds(pid);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const repository = `storage-${writers}-${batchSize}-${w}`;
          let head = 0;
          while (performance.now() - started < RUN_MS) {
            const createdAt = new Date().toISOString();
            const batch = Array.from({ length: batchSize }, (_, k) => {
              const id = `${repository}-${head + k}`;
              return {
                _event_id: id,
                _operation: 0 as const,
                _created_at: createdAt,
                _data: { id, n: head + k, pad },
                serverSequence: head + k + 1,
              };
            });
            const t0 = performance.now();
            await store.insert([
              { repository, fromSequence: head + 1, toSequence: head + batchSize, events: batch },
            ]);
            await store.advanceHeads(new Map([[repository, head + batchSize]]));
            durations.push(performance.now() - t0);
            head += batchSize;
            events += batchSize;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const run: StorageRun = {
        writers,
        batchSize,
        eventsPerSec: events / seconds,
        writeP50Ms: exactPercentile(durations, 50),
        writeP99Ms: exactPercentile(durations, 99),
        ferretDbCores: (cpuSeconds(pid) - cpuBefore) / seconds,
      };
      runs.push(run);
      ctx.log(
        `storage: ${writers} writer(s) × batches of ${batchSize}: ${Math.round(run.eventsPerSec)} events/s, write p50 ${run.writeP50Ms.toFixed(0)} ms`,
      );
    }
    return { runs };
  } finally {
    await client.close();
    await mongo.dispose();
  }
}
