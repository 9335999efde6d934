import { MongoEventStore } from '@lfsync/event-store';
import { join } from 'node:path';
import { addFerretDbPostgresqlIndexes } from '@lfsync/testkit';
import { startBenchStack, type BenchStack } from '../stack/bench-stack.ts';
import { CpuMeter } from '../system/proc.ts';
import { measurePhase, REPOSITORIES, type StorePhase } from './catchup-store-runs.ts';
import { BENCH_SERVICE_ENV, range, type ScenarioContext } from './context.ts';
import { bulkLoad } from './store-loader.ts';

export interface CatchUpStoreResult {
  backend: 'sqlite' | 'postgresql';
  events: number;
  batchSize: number;
  otherRepositories: number;
  otherBatchSize: number;
  loadEventsPerSec: { target: number; others: number };
  /** How long the store took to merge the repository's batches into chunks after the load. */
  compactionMs: number;
  /** CPU seconds of FerretDB and of the process merging (here the bench, in production the persister). */
  compactionCpuSeconds: Record<string, number>;
  alone: StorePhase;
  crowded: StorePhase;
  /** On PostgreSQL: crowded again, with scripts/ferretdb-postgresql-indexes.sql applied. */
  crowdedWithGinIndexes?: StorePhase | undefined;
}

/** The testkit's FerretDB runs on PostgreSQL when FERRETDB_POSTGRESQL_URL is set, on SQLite otherwise. */
const postgresqlUrl = process.env['FERRETDB_POSTGRESQL_URL'];

/** The crowded store again once FerretDB's PostgreSQL has the GIN indexes it cannot make itself. */
async function withGinIndexes(ctx: ScenarioContext, stack: BenchStack, others: number) {
  if (postgresqlUrl === undefined) return undefined;
  await addFerretDbPostgresqlIndexes(postgresqlUrl, stack.db().databaseName);
  ctx.log('catchup-store: GIN indexes added');
  return measurePhase(ctx, stack, others);
}

/**
 * The repository twice: once as the store keeps it now (its batches merged into chunks after the
 * load), once as the log batches were written (compaction off), to compare both in the same runs.
 */
async function loadRepositories(ctx: ScenarioContext, stack: BenchStack) {
  const o = ctx.options;
  const pad = 'x'.repeat(o['ingest-payload']);
  const events = o['catchup-store-events'];
  const load = {
    pad,
    groupBatches: 50,
    writers: 4,
    eventsPerRepository: events,
    batchSize: o['catchup-store-batch'],
  };
  const raw = new MongoEventStore(stack.db(), { writeConcern: 1, compaction: false });
  await bulkLoad(raw, { ...load, repositories: [REPOSITORIES.batches] });
  const store = new MongoEventStore(stack.db(), { writeConcern: 1 });
  const target = await bulkLoad(store, { ...load, repositories: [REPOSITORIES.chunks] });
  // The merge started with the heads, at the end of the load; the meter starts a moment late.
  const meter = new CpuMeter({ ferretdb: stack.pids()['ferretdb'], compactor: process.pid });
  await store.compactionIdle();
  const cpu = meter.stop();
  const compactionMs = cpu.wallSeconds * 1000;
  const compactionCpuSeconds = Object.fromEntries(cpu.processes.map((p) => [p.name, p.cpuSeconds]));
  ctx.log(
    `catchup-store: loaded ${events} events twice (${Math.round(target)} events/s), compacted in ${Math.round(compactionMs)} ms (CPU-s ${JSON.stringify(compactionCpuSeconds)})`,
  );
  return { target, compactionMs, compactionCpuSeconds, store: raw };
}

/**
 * Issue 16: a catch-up from the database (the gateway's recent-events cache off) must not slow down as the
 * store grows. One repository of E events is read by fresh sessions, first alone in the store, then with
 * `--catchup-store-others` events in other repositories, bulk-inserted through the event store directly
 * (compaction off: more documents, the harder case for a store that scans).
 */
export async function runCatchUpStore(ctx: ScenarioContext): Promise<CatchUpStoreResult> {
  const o = ctx.options;
  const stack = await startBenchStack({
    gateways: 1,
    experiments: o.experiments,
    env: { ...BENCH_SERVICE_ENV, RECENT_EVENTS_CACHE_BYTES: '0' },
    ...(ctx.profileRoot === undefined ? {} : { profileDir: join(ctx.profileRoot, 'catchup-store') }),
  });
  try {
    await new MongoEventStore(stack.db()).ensureIndexes();
    const { target, compactionMs, compactionCpuSeconds, store } = await loadRepositories(ctx, stack);
    const alone = await measurePhase(ctx, stack, 0);
    const otherRepositories = o['catchup-store-other-repos'];
    const perRepository = Math.ceil(o['catchup-store-others'] / otherRepositories);
    const others = await bulkLoad(store, {
      pad: 'x'.repeat(o['ingest-payload']),
      groupBatches: 50,
      writers: 4,
      repositories: range(otherRepositories).map((i) => `catchup-other-${i}`),
      eventsPerRepository: perRepository,
      batchSize: o['catchup-store-other-batch'],
    });
    const otherEvents = perRepository * otherRepositories;
    ctx.log(`catchup-store: loaded ${otherEvents} other events (${Math.round(others)} events/s)`);
    const crowded = await measurePhase(ctx, stack, otherEvents);
    return {
      backend: postgresqlUrl === undefined ? 'sqlite' : 'postgresql',
      events: o['catchup-store-events'],
      batchSize: o['catchup-store-batch'],
      otherRepositories,
      otherBatchSize: o['catchup-store-other-batch'],
      loadEventsPerSec: { target, others },
      compactionMs,
      compactionCpuSeconds,
      alone,
      crowded,
      crowdedWithGinIndexes: await withGinIndexes(ctx, stack, otherEvents),
    };
  } finally {
    // On PostgreSQL the data outlives the FerretDB process.
    await stack.db().dropDatabase();
    await stack.stop();
  }
}
