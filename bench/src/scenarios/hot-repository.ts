import { metricValue, onFreshStack, type ScenarioContext } from './context.ts';
import { ingestPhase, ingestTarget, type IngestPhaseResult } from './ingest.ts';
import { describeStages } from './stage-metrics.ts';

export interface HotRepositoryResult {
  clients: number;
  batchSize: number;
  payloadBytes: number;
  closed: IngestPhaseResult;
  /**
   * Batch documents merged into chunks and not deleted yet when the window ended: their deletes wait for a
   * quiet database while fewer than 2,000 wait, so a short window leaves some of the merge's cost for after it.
   */
  mergedPartsWaiting: number;
}

/**
 * One hot repository: every client pushes into the same repository (the counter app sends every user's
 * clicks to the same few), through both gateways, one process per service, closed loop. A repository is
 * sequenced by one serial chain, so this measures how far group commit carries it. No --cpu-prof: the
 * CPU per event is meant to be the services' own.
 */
export async function runHotRepository(ctx: ScenarioContext): Promise<HotRepositoryResult> {
  const { options } = ctx;
  const hot: ScenarioContext = {
    ...ctx,
    options: {
      ...options,
      'ingest-clients': options['hot-clients'],
      'ingest-repos': 1,
      'ingest-batch': options['hot-batch'],
    },
  };
  const label = `hot repository: ${options['hot-clients']} clients × batch ${options['hot-batch']} → one repository`;
  const { value } = await onFreshStack(ctx, label, undefined, async (stack) => {
    const { result } = await ingestPhase(hot, ingestTarget(stack), {
      mode: 'closed',
      stack: 'fresh',
      durationMs: options['hot-duration-ms'],
    });
    const waiting = await metricValue(stack.persisterUrl(), 'persister_merged_parts_waiting').catch(
      () => NaN,
    );
    return { result, waiting };
  });
  const { result, waiting } = value;
  ctx.log(
    `hot repository: ${Math.round(result.eventsPerSec)} durable events/s, p50 ${result.latency.p50Ms.toFixed(1)} ms, p99 ${result.latency.p99Ms.toFixed(1)} ms`,
  );
  ctx.log(`hot repository: inside the services (p50/p99): ${describeStages(result.stages)}`);
  ctx.log(`hot repository: merged batch documents waiting to be deleted at the end: ${waiting}`);
  return {
    clients: options['hot-clients'],
    batchSize: options['hot-batch'],
    payloadBytes: options['ingest-payload'],
    closed: result,
    mergedPartsWaiting: waiting,
  };
}
