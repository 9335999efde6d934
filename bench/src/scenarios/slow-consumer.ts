import { nowUs, type PublishResult, type SubscribeParams } from '../load/messages.ts';
import { sleep } from '../load/util.ts';
import { startBenchStack, type BenchStack } from '../stack/bench-stack.ts';
import { Histogram, type LatencySummary } from '../stats/histogram.ts';
import { rssBytes, type CpuReport } from '../system/proc.ts';
import { BENCH_SERVICE_ENV, cpuMeter, metricValue, range, type ScenarioContext } from './context.ts';
import { describeStages, scrapeStages, stageLatencies, type StageLatency } from './stage-metrics.ts';

export interface SlowPhaseResult {
  /** Slow session paused → the gateway counted a slow-consumer disconnect; undefined if it never did. */
  disconnectedAfterMs: number | undefined;
  /** What the slow session read once it resumed: the close code and error the gateway sent. */
  closeCode: number | undefined;
  errorCode: string | undefined;
  bytesReadAfterResume: number;
  rssBaselineBytes: number;
  rssMaxBytes: number;
  rssAfterBytes: number;
  /** [ms since the slow session paused, gateway RSS bytes], every 250 ms. */
  rssSamples: Array<[number, number]>;
  /** The healthy sessions meanwhile. */
  healthy: LatencySummary;
  healthyDeliveriesPerSec: number;
}

export interface SlowConsumerResult {
  sessions: number;
  ratePerSec: number;
  batchSize: number;
  payloadBytes: number;
  maxOutboundBytes: number;
  control: LatencySummary;
  controlDeliveriesPerSec: number;
  /** Inside the services during the control window. */
  controlStages: StageLatency[];
  controlCpu: CpuReport;
  /** A session that stops reading while following live broadcasts. */
  live: SlowPhaseResult;
  /** A session that stops reading before its catch-up (undefined with --slow-catchup-ms 0). */
  catchUp: SlowPhaseResult | undefined;
  sessionsBehind: number;
  gaps: number;
  duplicates: number;
}

const TOPIC = 'slow';
const WARMUP_MS = 2_000;
const TAIL_MS = 3_000;

/**
 * Scenario 6, on a stack of its own (its MAX_OUTBOUND_BYTES is a flag): healthy sessions and one that stops
 * reading follow one repository on one gateway. The gateway must drop the slow one (close 4408 once its
 * buffer passes MAX_OUTBOUND_BYTES) with bounded memory, and the others' latency must not change. Then the
 * same for a session that stops reading during its catch-up.
 */
export async function runSlowConsumer(ctx: ScenarioContext): Promise<SlowConsumerResult> {
  const { options } = ctx;
  const maxOutboundBytes = options['slow-max-outbound-bytes'];
  ctx.log(`slow consumer: starting a stack with MAX_OUTBOUND_BYTES=${maxOutboundBytes}`);
  const stack = await startBenchStack({
    gateways: 1,
    experiments: ctx.options.experiments,
    env: { ...BENCH_SERVICE_ENV, MAX_OUTBOUND_BYTES: String(maxOutboundBytes) },
  });
  try {
    return await slowConsumerOn(ctx, stack, maxOutboundBytes);
  } finally {
    await stack.stop();
  }
}

const GROUP = 'slow';

/** The healthy sessions, on every generator but the publisher's. */
async function subscribeHealthy(ctx: ScenarioContext, url: string): Promise<void> {
  const { options } = ctx;
  const specs: SubscribeParams['sessions'] = range(options['slow-sessions']).map((i) => ({
    endpoint: { url },
    subject: `slow-s${i}`,
  }));
  ctx.log(
    `slow consumer: ${specs.length} healthy sessions, ${options['slow-rate']} events/s of ${options['slow-payload']} bytes`,
  );
  await ctx.pool.spread(
    specs,
    'subscribe',
    (share) => ({
      group: GROUP,
      protocol: 'lfs',
      sessions: share,
      topic: TOPIC,
      scope: { read: [TOPIC], write: [] },
      concurrency: 32,
    }),
    1,
  );
}

/** The healthy sessions' latency and the services' stages with no slow session around. */
async function controlWindow(ctx: ScenarioContext, stack: BenchStack) {
  await sleep(WARMUP_MS);
  await ctx.pool.all('report', { group: GROUP, reset: true });
  const controlStarted = performance.now();
  const meter = cpuMeter(ctx, stack.pids());
  const stagesBefore = await scrapeStages(stack.stageSources());
  await sleep(ctx.options['slow-control-ms']);
  const control = await ctx.pool.all('report', { group: GROUP, reset: true });
  const controlSeconds = (performance.now() - controlStarted) / 1000;
  const controlCpu = meter.stop();
  const stagesAfter = await scrapeStages(stack.stageSources());
  const controlStages = stageLatencies(stack.stageSources(), stagesBefore, stagesAfter, controlSeconds);
  ctx.log(`slow consumer: control window, inside the services (p50/p99): ${describeStages(controlStages)}`);
  return {
    control: Histogram.merged(control.map((r) => r.latency)).summary(),
    controlDeliveriesPerSec: control.reduce((n, r) => n + r.events, 0) / controlSeconds,
    controlStages,
    controlCpu,
  };
}

/** The control window, then the slow phases, while the publisher runs; then every healthy session's tally. */
async function measureSlow(
  ctx: ScenarioContext,
  stack: BenchStack,
  publishing: Promise<PublishResult>,
  maxOutboundBytes: number,
): Promise<SlowConsumerResult> {
  const { options } = ctx;
  const control = await controlWindow(ctx, stack);
  const live = await slowPhase(ctx, stack, GROUP, 'live', options['slow-timeout-ms']);
  const catchUp =
    options['slow-catchup-ms'] > 0
      ? await slowPhase(ctx, stack, GROUP, 'catchUp', options['slow-catchup-ms'])
      : undefined;
  await ctx.pool.worker(0).call('stopPublish', { topic: TOPIC });
  const published = await publishing;
  const settled = await ctx.pool.all('awaitHead', {
    group: GROUP,
    head: published.lastSequence,
    timeoutMs: 30_000,
  });
  return {
    sessions: options['slow-sessions'],
    ratePerSec: options['slow-rate'],
    batchSize: options['slow-batch'],
    payloadBytes: options['slow-payload'],
    maxOutboundBytes,
    ...control,
    live,
    catchUp,
    sessionsBehind: settled.reduce((n, s) => n + s.behind, 0),
    gaps: settled.reduce((n, s) => n + s.gaps, 0),
    duplicates: settled.reduce((n, s) => n + s.duplicates, 0),
  };
}

async function slowConsumerOn(
  ctx: ScenarioContext,
  stack: BenchStack,
  maxOutboundBytes: number,
): Promise<SlowConsumerResult> {
  const { options } = ctx;
  const url = stack.gatewayUrl(0);
  await subscribeHealthy(ctx, url);
  const publishing = ctx.pool.worker(0).call('publish', {
    protocol: 'lfs',
    endpoint: { url },
    topic: TOPIC,
    subject: 'slow-publisher',
    ratePerSecond: options['slow-rate'],
    batchSize: options['slow-batch'],
    payloadBytes: options['slow-payload'],
    startAtUs: nowUs() + 200_000,
    durationMs: 10 * 60_000,
    drainMs: 15_000,
  });
  try {
    return await measureSlow(ctx, stack, publishing, maxOutboundBytes);
  } finally {
    await ctx.pool.worker(0).call('stopPublish', { topic: TOPIC });
    await publishing.catch(() => undefined);
    await ctx.pool.all('close', { group: GROUP });
  }
}

/** One slow session: pause, watch the gateway's memory and disconnect counter, resume, read the verdict. */
async function slowPhase(
  ctx: ScenarioContext,
  stack: BenchStack,
  group: string,
  pause: 'live' | 'catchUp',
  timeoutMs: number,
): Promise<SlowPhaseResult> {
  const pid = stack.gatewayPid(0);
  const url = stack.gatewayUrl(0);
  const disconnects = () => metricValue(stack.httpUrl(0), 'gateway_slow_consumer_disconnects_total');
  const rssBaselineBytes = rssBytes(pid);
  const disconnectsBefore = await disconnects();
  await ctx.pool.worker(0).call('slowOpen', { endpoint: { url }, topic: TOPIC, pause });
  const paused = performance.now();
  ctx.log(
    `slow consumer: one session stopped reading ${pause === 'live' ? 'while live' : 'before its catch-up'}`,
  );
  const rssSamples: Array<[number, number]> = [];
  let disconnectedAfterMs: number | undefined;
  let until = paused + timeoutMs;
  while (performance.now() < until) {
    rssSamples.push([Math.round(performance.now() - paused), rssBytes(pid)]);
    if (disconnectedAfterMs === undefined && (await disconnects()) > disconnectsBefore) {
      disconnectedAfterMs = performance.now() - paused;
      until = Math.min(until, performance.now() + TAIL_MS);
      ctx.log(`slow consumer: dropped by the gateway after ${Math.round(disconnectedAfterMs)} ms`);
    }
    await sleep(250);
  }
  const healthy = await ctx.pool.all('report', { group, reset: true });
  const seconds = (performance.now() - paused) / 1000;
  const resumed = await ctx.pool.worker(0).call('slowResume', { timeoutMs: 10_000 });
  await sleep(1_000);
  const result: SlowPhaseResult = {
    disconnectedAfterMs,
    closeCode: resumed.closeCode,
    errorCode: resumed.errorCode,
    bytesReadAfterResume: resumed.bytesReadAfterResume,
    rssBaselineBytes,
    rssMaxBytes: Math.max(rssBaselineBytes, ...rssSamples.map(([, rss]) => rss)),
    rssAfterBytes: rssBytes(pid),
    rssSamples,
    healthy: Histogram.merged(healthy.map((r) => r.latency)).summary(),
    healthyDeliveriesPerSec: healthy.reduce((n, r) => n + r.events, 0) / seconds,
  };
  ctx.log(
    `slow consumer (${pause}): close ${result.closeCode ?? 'none'}; RSS ${mb(rssBaselineBytes)} → max ${mb(result.rssMaxBytes)} → ${mb(result.rssAfterBytes)} MB; healthy p99 ${result.healthy.p99Ms.toFixed(1)} ms`,
  );
  return result;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
