import type { CatchUpResult } from '../load/messages.ts';
import { exactPercentile } from '../stats/histogram.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import { describeCost, unitCost, type UnitCost } from '../system/cost.ts';
import type { CpuReport } from '../system/proc.ts';
import { cpuMeter, range, type ScenarioContext } from './context.ts';

export interface CatchUpScenarioResult {
  events: number;
  loadBatchSize: number;
  loadMs: number;
  loadEventsPerSec: number;
  loadErrors: Record<string, number>;
  loadCpu: CpuReport;
  /** CPU per durable event while loading (batches of 500). */
  loadCost: UnitCost;
  /** CPU over the timed reads, and per event read. */
  readCpu: CpuReport;
  readCost: UnitCost;
  runs: Array<CatchUpResult & { gateway: number }>;
  medianMs: number;
  bestMs: number;
  /** Events per second of the median run. */
  eventsPerSec: number;
  allComplete: boolean;
}

const LOAD_BATCH = 500;
const REPOSITORY = 'catchup';

/** The timed fresh-session reads, and the CPU they cost. */
async function timedReads(ctx: ScenarioContext, stack: BenchStack, expected: number) {
  const runs: CatchUpScenarioResult['runs'] = [];
  const meter = cpuMeter(ctx, stack.pids());
  for (const i of range(ctx.options['catchup-runs'])) {
    const gateway = i % 2;
    // Each run from another generator process, so none reuses a warmed-up JSON parser state or socket.
    const run = await ctx.pool.worker(1 + i).call('catchUp', {
      endpoint: { url: stack.gatewayUrl(gateway) },
      repository: REPOSITORY,
      expected,
      timeoutMs: 120_000,
    });
    runs.push({ ...run, gateway });
    ctx.log(
      `catch-up: run ${i + 1}: ${run.events} events in ${Math.round(run.totalMs)} ms (${run.pages} pages, first after ${Math.round(run.firstPageMs)} ms)`,
    );
  }
  const readCpu = meter.stop();
  const readCost = unitCost(
    readCpu,
    runs.reduce((n, r) => n + r.events, 0),
    'event read',
  );
  ctx.log(`catch-up: reading cost ${describeCost(readCost)}`);
  return { runs, readCpu, readCost };
}

/**
 * Scenario 4: a repository is filled with E events (batches of 500 through the gateways), then fresh
 * sessions each ask for everything after sequence 0 and are timed until sync_complete.
 */
export async function runCatchUp(ctx: ScenarioContext, stack: BenchStack): Promise<CatchUpScenarioResult> {
  const total = ctx.options['catchup-events'];
  ctx.log(`catch-up: loading ${total} events in batches of ${LOAD_BATCH}`);
  const loadMeter = cpuMeter(ctx, stack.pids());
  const loaded = await ctx.pool.worker(0).call('load', {
    endpoints: [{ url: stack.gatewayUrl(0) }, { url: stack.gatewayUrl(1) }],
    repository: REPOSITORY,
    total,
    batchSize: LOAD_BATCH,
    payloadBytes: ctx.options['ingest-payload'],
    clients: ctx.options['catchup-load-clients'],
  });
  const loadCpu = loadMeter.stop();
  const loadCost = unitCost(loadCpu, loaded.loaded, 'durable event');
  ctx.log(
    `catch-up: loaded ${loaded.loaded} events in ${Math.round(loaded.elapsedMs)} ms (head ${loaded.lastSequence}); ${describeCost(loadCost)}`,
  );
  const { runs, readCpu, readCost } = await timedReads(ctx, stack, loaded.lastSequence);
  const times = runs.map((r) => r.totalMs);
  const medianMs = exactPercentile(times, 50);
  return {
    events: loaded.lastSequence,
    loadBatchSize: LOAD_BATCH,
    loadMs: loaded.elapsedMs,
    loadEventsPerSec: loaded.loaded / (loaded.elapsedMs / 1000),
    loadErrors: loaded.errors,
    loadCpu,
    loadCost,
    readCpu,
    readCost,
    runs,
    medianMs,
    bestMs: Math.min(...times),
    eventsPerSec: loaded.lastSequence / (medianMs / 1000),
    allComplete: runs.every((r) => r.inOrder),
  };
}
