import { resolve } from 'node:path';
import { ServerProcess, freePort, serviceNode, startFerretDb, uniqueName } from '@lfsync/testkit';
import { MongoClient } from 'mongodb';
import { BENCH_SERVICE_ENV, type ScenarioContext } from './context.ts';
import { ingestPhase, type IngestPhaseResult } from './ingest.ts';

export interface BaselineResult {
  closed: IngestPhaseResult;
  /** Events stored under a (repository, sequence) some other event also got: the non-atomic `$inc`. */
  duplicateSequences: number;
  storedEvents: number;
}

const BASELINE_SERVER = resolve(import.meta.dirname, '../baseline/server.ts');

/**
 * Comparison (a): the same closed-loop ingest (same clients, repositories and batches) against the naive
 * single-process server on a fresh FerretDB of its own.
 */
export async function runBaseline(ctx: ScenarioContext): Promise<BaselineResult> {
  const mongo = await startFerretDb();
  const database = uniqueName('baseline');
  const port = await freePort();
  const server = new ServerProcess({
    name: 'baseline',
    command: serviceNode(),
    args: ['--import', 'tsx', BASELINE_SERVER],
    port,
    env: { PORT: String(port), MONGO_URL: mongo.url, MONGO_DB: database, ...BENCH_SERVICE_ENV },
    startTimeoutMs: 60_000,
  });
  try {
    await server.start();
    ctx.log('baseline: closed loop against the naive single-process server');
    const { result } = await ingestPhase(
      ctx,
      { urls: [`ws://127.0.0.1:${port}/sync`], pids: { baseline: server.pid, ferretdb: mongo.process.pid } },
      { mode: 'closed', stack: 'fresh', durationMs: ctx.options['baseline-duration-ms'] },
    );
    ctx.log(
      `baseline: ${Math.round(result.eventsPerSec)} events/s, p99 ${result.latency.p99Ms.toFixed(1)} ms`,
    );
    await server.stop();
    const client = await MongoClient.connect(mongo.url);
    try {
      const stored = await client
        .db(database)
        .collection('events')
        .find({}, { projection: { repository: 1, serverSequence: 1 } })
        .toArray();
      const seen = new Set<string>();
      let duplicates = 0;
      for (const doc of stored) {
        const key = `${String(doc['repository'])}:${String(doc['serverSequence'])}`;
        if (seen.has(key)) duplicates += 1;
        else seen.add(key);
      }
      return { closed: result, duplicateSequences: duplicates, storedEvents: stored.length };
    } finally {
      await client.close();
    }
  } finally {
    await server.stop();
    await mongo.dispose();
  }
}
