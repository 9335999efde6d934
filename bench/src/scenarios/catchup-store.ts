import { MongoEventStore } from '@lfsync/event-store';
import { addFerretDbPostgresqlIndexes } from '@lfsync/testkit';
import { exactPercentile } from '../stats/histogram.ts';
import { startBenchStack, type BenchStack } from '../stack/bench-stack.ts';
import { signToken } from '../stack/tokens.ts';
import { BENCH_SERVICE_ENV, range, type ScenarioContext } from './context.ts';
import { bulkLoad } from './store-loader.ts';

interface CatchUpRun {
  /** Why the run did not complete (the gateway's error, or the time-out). */
  error?: string | undefined;
  totalMs: number;
  firstPageMs: number;
  pages: number;
  pagesPerSec: number;
  eventsPerSec: number;
  inOrder: boolean;
}

/** One state of the store: catch-up runs over the WebSocket and single REST pages. */
interface StorePhase {
  /** Events stored in repositories other than the one read. */
  otherEvents: number;
  runs: CatchUpRun[];
  medianMs: number;
  /** `GET /api/events/{r}?seq=&limit=1000` at a few offsets: ms each. */
  restPageMs: Array<{ seq: number; ms: number; status: number }>;
}

export interface CatchUpStoreResult {
  backend: 'sqlite' | 'postgresql';
  events: number;
  batchSize: number;
  otherRepositories: number;
  otherBatchSize: number;
  loadEventsPerSec: { target: number; others: number };
  alone: StorePhase;
  crowded: StorePhase;
  /** On PostgreSQL: crowded again, with scripts/ferretdb-postgresql-indexes.sql applied. */
  crowdedWithGinIndexes?: StorePhase | undefined;
}

const REPOSITORY = 'catchup-store';
const REST_PAGE = 1_000;

/** The testkit's FerretDB runs on PostgreSQL when FERRETDB_POSTGRESQL_URL is set, on SQLite otherwise. */
const postgresqlUrl = process.env['FERRETDB_POSTGRESQL_URL'];

/** The crowded store again once FerretDB's PostgreSQL has the GIN indexes it cannot make itself. */
async function withGinIndexes(ctx: ScenarioContext, stack: BenchStack, events: number, others: number) {
  if (postgresqlUrl === undefined) return undefined;
  await addFerretDbPostgresqlIndexes(postgresqlUrl, stack.db().databaseName);
  ctx.log('catchup-store: GIN indexes added');
  return measurePhase(ctx, stack, events, others);
}

async function restPages(stack: BenchStack, events: number): Promise<StorePhase['restPageMs']> {
  const token = await signToken('catchup-store-reader');
  const pages: StorePhase['restPageMs'] = [];
  for (const seq of [0, Math.floor(events / 2), events - REST_PAGE]) {
    const started = performance.now();
    const res = await fetch(`${stack.httpUrl(0)}/api/events/${REPOSITORY}?seq=${seq}&limit=${REST_PAGE}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    pages.push({ seq, ms: performance.now() - started, status: res.status });
  }
  return pages;
}

async function timedRun(ctx: ScenarioContext, stack: BenchStack, worker: number, events: number) {
  const started = performance.now();
  const run = await ctx.pool
    .worker(worker)
    .call('catchUp', {
      endpoint: { url: stack.gatewayUrl(0) },
      repository: REPOSITORY,
      expected: events,
      timeoutMs: 300_000,
    })
    .catch((err: unknown) => String(err));
  if (typeof run === 'string') {
    const totalMs = performance.now() - started;
    return {
      error: run,
      totalMs,
      firstPageMs: Number.NaN,
      pages: 0,
      pagesPerSec: 0,
      eventsPerSec: 0,
      inOrder: false,
    };
  }
  const seconds = run.totalMs / 1000;
  return {
    totalMs: run.totalMs,
    firstPageMs: run.firstPageMs,
    pages: run.pages,
    pagesPerSec: run.pages / seconds,
    eventsPerSec: run.events / seconds,
    inOrder: run.inOrder && run.lastSequence === events,
  };
}

async function measurePhase(
  ctx: ScenarioContext,
  stack: BenchStack,
  events: number,
  otherEvents: number,
): Promise<StorePhase> {
  const runs: CatchUpRun[] = [];
  for (const i of range(ctx.options['catchup-runs'])) {
    const run: CatchUpRun = await timedRun(ctx, stack, i, events);
    runs.push(run);
    const outcome = run.error ?? `${Math.round(run.totalMs)} ms, ${run.pages} pages`;
    ctx.log(`catchup-store: ${otherEvents} other events: run ${i + 1}: ${outcome}`);
  }
  const restPageMs = await restPages(stack, events);
  ctx.log(
    `catchup-store: REST pages ${restPageMs.map((p) => `${Math.round(p.ms)} ms (${p.status})`).join(', ')}`,
  );
  return {
    otherEvents,
    runs,
    medianMs: exactPercentile(
      runs.map((r) => r.totalMs),
      50,
    ),
    restPageMs,
  };
}

/**
 * Issue 16: a catch-up from the database (the gateway's recent-events cache off) must not slow down as the
 * store grows. One repository of E events is read by fresh sessions, first alone in the store, then with
 * `--catchup-store-others` events in other repositories, bulk-inserted through the event store directly.
 */
export async function runCatchUpStore(ctx: ScenarioContext): Promise<CatchUpStoreResult> {
  const o = ctx.options;
  const stack = await startBenchStack({
    gateways: 1,
    experiments: o.experiments,
    env: { ...BENCH_SERVICE_ENV, RECENT_EVENTS_CACHE_BYTES: '0' },
  });
  try {
    const store = new MongoEventStore(stack.db(), { writeConcern: 1 });
    await store.ensureIndexes();
    const pad = 'x'.repeat(o['ingest-payload']);
    const events = o['catchup-store-events'];
    const load = { pad, groupBatches: 50, writers: 4 };
    const target = await bulkLoad(store, {
      ...load,
      repositories: [REPOSITORY],
      eventsPerRepository: events,
      batchSize: o['catchup-store-batch'],
    });
    ctx.log(`catchup-store: loaded ${events} events (${Math.round(target)} events/s)`);
    const alone = await measurePhase(ctx, stack, events, 0);
    const otherRepositories = o['catchup-store-other-repos'];
    const perRepository = Math.ceil(o['catchup-store-others'] / otherRepositories);
    const others = await bulkLoad(store, {
      ...load,
      repositories: range(otherRepositories).map((i) => `catchup-other-${i}`),
      eventsPerRepository: perRepository,
      batchSize: o['catchup-store-other-batch'],
    });
    ctx.log(
      `catchup-store: loaded ${perRepository * otherRepositories} other events (${Math.round(others)} events/s)`,
    );
    const crowded = await measurePhase(ctx, stack, events, perRepository * otherRepositories);
    const crowdedWithGinIndexes = await withGinIndexes(ctx, stack, events, perRepository * otherRepositories);
    return {
      backend: postgresqlUrl === undefined ? 'sqlite' : 'postgresql',
      events,
      batchSize: o['catchup-store-batch'],
      otherRepositories,
      otherBatchSize: o['catchup-store-other-batch'],
      loadEventsPerSec: { target, others },
      alone,
      crowded,
      crowdedWithGinIndexes,
    };
  } finally {
    // On PostgreSQL the data outlives the FerretDB process.
    await stack.db().dropDatabase();
    await stack.stop();
  }
}
