import { MongoEventStore } from '@lfsync/event-store';
import { startFerretDb, uniqueName } from '@lfsync/testkit';
import { MongoClient } from 'mongodb';
import { exactPercentile } from '../stats/histogram.ts';
import { cpuSeconds } from '../system/proc.ts';
import type { ScenarioContext } from './context.ts';
import { storedEvents } from './store-loader.ts';

interface StorageRun {
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

/** One writer: insert + advanceHeads per batch, as the persister does per group, until the run ends. */
async function writeUntil(
  store: MongoEventStore,
  repository: string,
  batchSize: number,
  pad: string,
  endMs: number,
) {
  const durations: number[] = [];
  let head = 0;
  while (performance.now() < endMs) {
    const batch = storedEvents(repository, head, batchSize, pad);
    const t0 = performance.now();
    await store.insert([{ repository, fromSequence: head + 1, toSequence: head + batchSize, events: batch }]);
    await store.advanceHeads(new Map([[repository, head + batchSize]]));
    durations.push(performance.now() - t0);
    head += batchSize;
  }
  return durations;
}

async function storageRun(
  store: MongoEventStore,
  pid: number,
  writers: number,
  batchSize: number,
  pad: string,
) {
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const perWriter = await Promise.all(
    Array.from({ length: writers }, (_, w) =>
      writeUntil(store, `storage-${writers}-${batchSize}-${w}`, batchSize, pad, started + RUN_MS),
    ),
  );
  const durations = perWriter.flat();
  const seconds = (performance.now() - started) / 1000;
  return {
    writers,
    batchSize,
    eventsPerSec: (durations.length * batchSize) / seconds,
    writeP50Ms: exactPercentile(durations, 50),
    writeP99Ms: exactPercentile(durations, 99),
    ferretDbCores: (cpuSeconds(pid) - cpuBefore) / seconds,
  };
}

/**
 * Calibration, not a target: how many events per second the event store itself takes on this machine's
 * FerretDB, writing the persister's documents (same store class, same indexes) with nothing else running.
 * The pipeline cannot ingest faster than this.
 */
export async function runStorage(ctx: ScenarioContext): Promise<StorageResult> {
  const mongo = await startFerretDb();
  const client = await MongoClient.connect(mongo.url);
  const store = new MongoEventStore(client.db(uniqueName('storage')), { writeConcern: 1 });
  try {
    await store.ensureIndexes();
    const pad = 'x'.repeat(ctx.options['ingest-payload']);
    const pid = mongo.process.pid ?? Number.NaN;
    const runs: StorageRun[] = [];
    for (const [writers, batchSize] of [
      [1, 750],
      [4, 750],
      [1, 50],
    ] as const) {
      const run = await storageRun(store, pid, writers, batchSize, pad);
      runs.push(run);
      ctx.log(
        `storage: ${writers} writer(s) × batches of ${batchSize}: ${Math.round(run.eventsPerSec)} events/s, write p50 ${run.writeP50Ms.toFixed(0)} ms`,
      );
    }
    return { runs };
  } finally {
    // Else its merged parts' deletes fail on the closed client (a warning in the bench's output).
    store.stopCompaction();
    await client.close();
    await mongo.dispose();
  }
}
