import type { CatchUpResult } from '../load/messages.ts';
import { exactPercentile } from '../stats/histogram.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import { range, type ScenarioContext } from './context.ts';

export interface CatchUpScenarioResult {
  events: number;
  loadBatchSize: number;
  loadMs: number;
  loadEventsPerSec: number;
  loadErrors: Record<string, number>;
  runs: Array<CatchUpResult & { gateway: number }>;
  medianMs: number;
  bestMs: number;
  /** Events per second of the median run. */
  eventsPerSec: number;
  allComplete: boolean;
}

const LOAD_BATCH = 500;
const REPOSITORY = 'catchup';

/**
 * Scenario 4: a repository is filled with E events (batches of 500 through the gateways), then fresh
 * sessions each ask for everything after sequence 0 and are timed until sync_complete.
 */
export async function runCatchUp(ctx: ScenarioContext, stack: BenchStack): Promise<CatchUpScenarioResult> {
  const total = ctx.options['catchup-events'];
  ctx.log(`catch-up: loading ${total} events in batches of ${LOAD_BATCH}`);
  const loaded = await ctx.pool.worker(0).call('load', {
    endpoints: [{ url: stack.gatewayUrl(0) }, { url: stack.gatewayUrl(1) }],
    repository: REPOSITORY,
    total,
    batchSize: LOAD_BATCH,
    payloadBytes: ctx.options['ingest-payload'],
    clients: ctx.options['catchup-load-clients'],
  });
  ctx.log(
    `catch-up: loaded ${loaded.loaded} events in ${Math.round(loaded.elapsedMs)} ms (head ${loaded.lastSequence})`,
  );
  const runs: CatchUpScenarioResult['runs'] = [];
  for (const i of range(ctx.options['catchup-runs'])) {
    const gateway = i % 2;
    // Each run from another generator process, so none reuses a warmed-up JSON parser state or socket.
    const run = await ctx.pool.worker(1 + i).call('catchUp', {
      endpoint: { url: stack.gatewayUrl(gateway) },
      repository: REPOSITORY,
      expected: loaded.lastSequence,
      timeoutMs: 120_000,
    });
    runs.push({ ...run, gateway });
    ctx.log(
      `catch-up: run ${i + 1}: ${run.events} events in ${Math.round(run.totalMs)} ms (${run.pages} pages, first after ${Math.round(run.firstPageMs)} ms)`,
    );
  }
  const times = runs.map((r) => r.totalMs);
  const medianMs = exactPercentile(times, 50);
  return {
    events: loaded.lastSequence,
    loadBatchSize: LOAD_BATCH,
    loadMs: loaded.elapsedMs,
    loadEventsPerSec: loaded.loaded / (loaded.elapsedMs / 1000),
    loadErrors: loaded.errors,
    runs,
    medianMs,
    bestMs: Math.min(...times),
    eventsPerSec: loaded.lastSequence / (medianMs / 1000),
    allComplete: runs.every((r) => r.inOrder),
  };
}
