import { join } from 'node:path';
import { nowUs, type IngestParams, type IngestResult as IngestRunResult } from '../load/messages.ts';
import { sleepUntil } from '../load/util.ts';
import { readProfile, summarizeProfile, type ProfileSummary } from '../profile/summarize.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import type { TokenScope } from '../stack/tokens.ts';
import { Histogram, type LatencySummary } from '../stats/histogram.ts';
import { describeCost, unitCost, type UnitCost } from '../system/cost.ts';
import { describeCpuSeconds, type CpuReport } from '../system/proc.ts';
import { cpuMeter, onFreshStack, range, warmupMs, type ScenarioContext, type StackState } from './context.ts';
import {
  describeStages,
  scrapeStages,
  stageLatencies,
  type StageLatency,
  type StageSource,
} from './stage-metrics.ts';

export interface IngestPhaseResult {
  mode: 'closed' | 'open';
  /** Open loop: the offered load. */
  offeredEventsPerSec: number | undefined;
  eventsPerSec: number;
  batchesPerSec: number;
  latency: LatencySummary;
  errors: Record<string, number>;
  unacked: number;
  maxSendLagMs: number;
  cpu: CpuReport;
  /** CPU per durable (acked) event in the window, ours apart from NATS, the database and the generators. */
  cost: UnitCost;
  /** Inside the services, from their own histograms (not for the baseline). */
  stages: StageLatency[];
}

export interface IngestResult {
  clients: number;
  repositories: number;
  batchSize: number;
  payloadBytes: number;
  tokenRead: string;
  closed: IngestPhaseResult;
  open: IngestPhaseResult | undefined;
  /** The open loop at `--ingest-fixed-rate` (a moderate load, where latency is the pipeline's, not a queue's). */
  fixed: IngestPhaseResult | undefined;
  profiles: ProfileSummary[];
}

export interface IngestTarget {
  urls: string[];
  /** Processes whose CPU to account, by name. */
  pids: Record<string, number | undefined>;
  stages?: StageSource[];
}

/** The ingest clients: client i pushes to repository i mod R through gateway i mod (number of URLs). */
function ingestClients(ctx: ScenarioContext, urls: readonly string[]): IngestParams['clients'] {
  const { options } = ctx;
  return range(options['ingest-clients']).map((i) => {
    const repository = `ingest${i % options['ingest-repos']}`;
    const scope: TokenScope =
      options.ingestRead === 'all'
        ? { read: ['*'], write: [repository] }
        : options.ingestRead === 'own'
          ? { read: [repository], write: [repository] }
          : { read: [], write: [repository] };
    return { endpoint: { url: urls[i % urls.length] as string }, repository, subject: `ingest-c${i}`, scope };
  });
}

/** What the generators' results add up to over the window. */
function phaseResult(
  mode: 'closed' | 'open',
  offeredEventsPerSec: number | undefined,
  results: readonly IngestRunResult[],
  seconds: number,
  measured: { cpu: CpuReport; stages: StageLatency[] },
): IngestPhaseResult {
  const errors: Record<string, number> = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  const acked = results.reduce((n, r) => n + r.ackedEvents, 0);
  return {
    mode,
    offeredEventsPerSec,
    eventsPerSec: acked / seconds,
    batchesPerSec: results.reduce((n, r) => n + r.ackedBatches, 0) / seconds,
    latency: Histogram.merged(results.map((r) => r.latency)).summary(),
    errors,
    unacked: results.reduce((n, r) => n + r.unacked, 0),
    maxSendLagMs: Math.max(0, ...results.map((r) => r.maxSendLagMs)),
    cost: unitCost(measured.cpu, acked, 'durable event'),
    ...measured,
  };
}

/** One measuring window of closed- or open-loop pushing, split over the generator processes. */
export async function ingestPhase(
  ctx: ScenarioContext,
  target: IngestTarget,
  window: { mode: 'closed' | 'open'; stack: StackState; durationMs: number; offeredEventsPerSec?: number },
): Promise<{ result: IngestPhaseResult; windowUs: [number, number] }> {
  const { options } = ctx;
  const { mode, durationMs, offeredEventsPerSec } = window;
  const warmup = warmupMs(options, window.stack);
  const clients = ingestClients(ctx, target.urls);
  const batchesPerSecond =
    offeredEventsPerSec === undefined
      ? undefined
      : offeredEventsPerSec / options['ingest-batch'] / clients.length;
  const startAtUs = nowUs() + 3_000_000;
  const windowStart = startAtUs + warmup * 1000;
  const windowEnd = windowStart + durationMs * 1000;
  const running = ctx.pool.spread(clients, 'ingest', (share) => ({
    clients: share,
    batchSize: options['ingest-batch'],
    payloadBytes: options['ingest-payload'],
    mode,
    ...(batchesPerSecond === undefined ? {} : { batchesPerSecond }),
    startAtUs,
    warmupMs: warmup,
    durationMs,
    drainMs: 10_000,
  }));
  const sources = target.stages ?? [];
  await sleepUntil(windowStart);
  const meter = cpuMeter(ctx, target.pids);
  const stagesBefore = await scrapeStages(sources);
  await sleepUntil(windowEnd);
  const cpu = meter.stop();
  const stagesAfter = await scrapeStages(sources);
  const results = await running;
  const seconds = durationMs / 1000;
  const stages = stageLatencies(sources, stagesBefore, stagesAfter, seconds);
  const result = phaseResult(mode, offeredEventsPerSec, results, seconds, { cpu, stages });
  ctx.log(`${mode} loop: ${describeCost(result.cost)}; ${describeCpuSeconds(cpu)}`);
  return { windowUs: [windowStart, windowEnd], result };
}

interface Phases {
  closed: IngestPhaseResult;
  open: IngestPhaseResult | undefined;
  fixed: IngestPhaseResult | undefined;
}

/** An open loop at `offered` events/s, logged with the stages inside the services. */
async function openPhase(
  ctx: ScenarioContext,
  target: IngestTarget,
  offered: number,
  stack: StackState,
): Promise<IngestPhaseResult> {
  ctx.log(`ingest: open loop at ${Math.round(offered)} events/s`);
  const durationMs = ctx.options['ingest-open-duration-ms'];
  const open = (
    await ingestPhase(ctx, target, { mode: 'open', stack, durationMs, offeredEventsPerSec: offered })
  ).result;
  ctx.log(
    `ingest: open loop ${Math.round(open.eventsPerSec)} events/s, p50 ${open.latency.p50Ms.toFixed(1)} ms, p99 ${open.latency.p99Ms.toFixed(1)} ms`,
  );
  ctx.log(`ingest: inside the services (p50/p99): ${describeStages(open.stages)}`);
  return open;
}

/**
 * The open loop at the fixed rate (first, on a stack no saturation has backed up), the closed loop, then
 * the open loop at a fraction of the closed loop's rate; the open loops unless disabled.
 */
async function ingestPhases(ctx: ScenarioContext, target: IngestTarget): Promise<Phases> {
  const { options } = ctx;
  const openLoops = options['ingest-open-duration-ms'] > 0;
  const fixedRate = options['ingest-fixed-rate'];
  const fixed = openLoops && fixedRate > 0 ? await openPhase(ctx, target, fixedRate, 'fresh') : undefined;
  ctx.log(
    `ingest: closed loop, ${options['ingest-clients']} clients × batch ${options['ingest-batch']} → ${options['ingest-repos']} repositories`,
  );
  const { result: closed } = await ingestPhase(ctx, target, {
    mode: 'closed',
    stack: fixed === undefined ? 'fresh' : 'warm',
    durationMs: options['ingest-duration-ms'],
  });
  ctx.log(
    `ingest: closed loop ${Math.round(closed.eventsPerSec)} events/s, p99 ${closed.latency.p99Ms.toFixed(1)} ms`,
  );
  ctx.log(`ingest: inside the services (p50/p99): ${describeStages(closed.stages)}`);
  if (!(openLoops && closed.eventsPerSec > 0)) return { closed, open: undefined, fixed };
  const open = await openPhase(ctx, target, closed.eventsPerSec * options['ingest-open-fraction'], 'warm');
  return { closed, open, fixed };
}

/**
 * Scenario 1: clients push batches to R repositories through both gateways as fast as the acks come back
 * (closed loop), then at a fixed rate of a fraction of that maximum (open loop). Measured without the
 * profiler (`--cpu-prof` costs every service about 0.06 cores even idle, which would count as cost per
 * event); when profiling, the closed loop runs once more on a fresh stack under `--cpu-prof`, for its
 * profiles only.
 */
export async function runIngest(ctx: ScenarioContext): Promise<IngestResult> {
  const { options } = ctx;
  const phases = await onFreshStack(ctx, 'ingest', undefined, (stack) =>
    ingestPhases(ctx, ingestTarget(stack)),
  );
  let profiles: ProfileSummary[] = [];
  if (ctx.profileRoot !== undefined) {
    const profileDir = join(ctx.profileRoot, 'ingest');
    ctx.log('ingest: the closed loop once more, under --cpu-prof, for its profiles');
    const profiled = await onFreshStack(ctx, 'ingest', profileDir, (stack) =>
      ingestPhase(ctx, ingestTarget(stack), {
        mode: 'closed',
        stack: 'fresh',
        durationMs: options['ingest-duration-ms'],
      }),
    );
    const [fromUs, toUs] = profiled.value.windowUs;
    profiles = profiled.profiles.map((p) => summarizeProfile(p.label, readProfile(p.file), { fromUs, toUs }));
  }
  return {
    clients: options['ingest-clients'],
    repositories: options['ingest-repos'],
    batchSize: options['ingest-batch'],
    payloadBytes: options['ingest-payload'],
    tokenRead: options.ingestRead,
    ...phases.value,
    profiles,
  };
}

/** The ingest load's view of a stack: both gateways, the processes to meter, the stage metrics. */
export function ingestTarget(stack: BenchStack): IngestTarget {
  return {
    urls: [stack.gatewayUrl(0), stack.gatewayUrl(1)],
    pids: stack.pids(),
    stages: stack.stageSources(),
  };
}
