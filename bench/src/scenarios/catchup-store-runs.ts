import { MongoEventStore } from '@lfsync/event-store';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { exactPercentile } from '../stats/histogram.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import { signToken } from '../stack/tokens.ts';
import { CpuMeter, type CpuReport } from '../system/proc.ts';
import { range, type ScenarioContext } from './context.ts';

/** The repository read: its batches merged into chunks by the store (as stored now), or as logged. */
export type Layout = 'chunks' | 'batches';

interface CatchUpRun {
  layout: Layout;
  /** Why the run did not complete (the gateway's error, or the time-out). */
  error?: string | undefined;
  totalMs: number;
  firstPageMs: number;
  pages: number;
  eventsPerSec: number;
  inOrder: boolean;
  /** CPU seconds by process over the run (ferretdb, gateway0, generators = the reading client, …). */
  cpuSeconds: Record<string, number>;
  /** 1-minute load average at the end of the run. */
  loadAverage: number;
}

/** The same read without gateway and client: the bench's own store walks the repository. */
interface StoreScan {
  layout: Layout;
  /** Batch documents read. */
  documents: number;
  events: number;
  ms: number;
  cpuSeconds: Record<string, number>;
}

/** One state of the store: catch-up runs over the WebSocket, the store alone, and single REST pages. */
export interface StorePhase {
  /** Events stored in repositories other than the one read. */
  otherEvents: number;
  runs: CatchUpRun[];
  /** Median of the runs on chunks (the store's layout). */
  medianMs: number;
  batchesMedianMs: number;
  scans: StoreScan[];
  /** `GET /api/events/{r}?seq=&limit=1000` at a few offsets: ms each. */
  restPageMs: Array<{ seq: number; ms: number; status: number }>;
}

export const REPOSITORIES: Record<Layout, string> = { chunks: 'catchup-store', batches: 'catchup-store-raw' };
const REST_PAGE = 1_000;

/** PostgreSQL's processes when FerretDB stores into it: its backends do the SQL work of each lookup. */
function postgresqlPids(): number[] | undefined {
  if (process.env['FERRETDB_POSTGRESQL_URL'] === undefined) return undefined;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function cpuByName(cpu: CpuReport): Record<string, number> {
  const named = cpu.processes.map((p) => [p.name, Math.round(p.cpuSeconds * 1000) / 1000] as const);
  return { ...Object.fromEntries(named), others: Math.round(cpu.otherCores * cpu.wallSeconds * 1000) / 1000 };
}

async function restPages(stack: BenchStack, events: number): Promise<StorePhase['restPageMs']> {
  const token = await signToken('catchup-store-reader');
  const pages: StorePhase['restPageMs'] = [];
  for (const seq of [0, Math.floor(events / 2), events - REST_PAGE]) {
    const started = performance.now();
    const url = `${stack.httpUrl(0)}/api/events/${REPOSITORIES.chunks}?seq=${seq}&limit=${REST_PAGE}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    pages.push({ seq, ms: performance.now() - started, status: res.status });
  }
  return pages;
}

async function timedRun(ctx: ScenarioContext, stack: BenchStack, worker: number, layout: Layout) {
  const events = ctx.options['catchup-store-events'];
  const meter = new CpuMeter({
    ...stack.pids(),
    postgresql: postgresqlPids(),
    generators: ctx.pool.pids(),
    bench: process.pid,
  });
  const run = await ctx.pool
    .worker(worker)
    .call('catchUp', {
      endpoint: { url: stack.gatewayUrl(0) },
      repository: REPOSITORIES[layout],
      expected: events,
      timeoutMs: 300_000,
    })
    .catch((err: unknown) => String(err));
  const cpu = meter.stop();
  const common = { layout, cpuSeconds: cpuByName(cpu), loadAverage: loadavg()[0] ?? Number.NaN };
  if (typeof run === 'string') {
    const failed = { error: run, totalMs: cpu.wallSeconds * 1000, firstPageMs: Number.NaN, pages: 0 };
    return { ...common, ...failed, eventsPerSec: 0, inOrder: false };
  }
  return {
    ...common,
    totalMs: run.totalMs,
    firstPageMs: run.firstPageMs,
    pages: run.pages,
    eventsPerSec: run.events / (run.totalMs / 1000),
    inOrder: run.inOrder && run.lastSequence === events,
  };
}

async function storeScan(stack: BenchStack, layout: Layout): Promise<StoreScan> {
  const store = new MongoEventStore(stack.db(), { compaction: false });
  const meter = new CpuMeter({
    ferretdb: stack.pids()['ferretdb'],
    postgresql: postgresqlPids(),
    bench: process.pid,
  });
  const started = performance.now();
  let events = 0;
  for await (const page of store.scanAfter(REPOSITORIES[layout], 0, 1_000)) events += page.length;
  const ms = performance.now() - started;
  const cpu = meter.stop();
  const documents = await stack.db().collection('event_batches').countDocuments({ r: REPOSITORIES[layout] });
  return { layout, documents, events, ms, cpuSeconds: cpuByName(cpu) };
}

function describeRun(run: CatchUpRun): string {
  const cpu = Object.entries(run.cpuSeconds)
    .filter(([, s]) => s >= 0.05)
    .map(([name, s]) => `${name} ${s.toFixed(2)}`)
    .join(', ');
  const outcome = run.error ?? `${Math.round(run.totalMs)} ms, ${run.pages} pages`;
  return `${run.layout}: ${outcome}; CPU-s ${cpu}; load ${run.loadAverage.toFixed(1)}`;
}

/** Runs alternate between the two layouts, so both see the same machine. */
export async function measurePhase(
  ctx: ScenarioContext,
  stack: BenchStack,
  otherEvents: number,
): Promise<StorePhase> {
  const runs: CatchUpRun[] = [];
  const scans: StoreScan[] = [];
  for (const i of range(ctx.options['catchup-runs'])) {
    for (const layout of ['batches', 'chunks'] as const) {
      const run: CatchUpRun = await timedRun(ctx, stack, i, layout);
      runs.push(run);
      ctx.log(`catchup-store: ${otherEvents} other events: run ${i + 1}, ${describeRun(run)}`);
    }
  }
  for (const layout of ['batches', 'chunks'] as const) {
    const scan = await storeScan(stack, layout);
    scans.push(scan);
    ctx.log(`catchup-store: store alone, ${layout}: ${scan.documents} documents, ${Math.round(scan.ms)} ms`);
  }
  const restPageMs = await restPages(stack, ctx.options['catchup-store-events']);
  ctx.log(`catchup-store: REST ${restPageMs.map((p) => `${Math.round(p.ms)} ms (${p.status})`).join(', ')}`);
  const median = (layout: Layout) =>
    exactPercentile(
      runs.filter((r) => r.layout === layout).map((r) => r.totalMs),
      50,
    );
  return {
    otherEvents,
    runs,
    medianMs: median('chunks'),
    batchesMedianMs: median('batches'),
    scans,
    restPageMs,
  };
}
