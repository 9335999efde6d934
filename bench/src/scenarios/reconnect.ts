import {
  nowUs,
  type AwaitHeadResult,
  type DropResult,
  type PublishResult,
  type SubscribeParams,
} from '../load/messages.ts';
import { sleepUntil, sumCounts } from '../load/util.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import { Histogram, type LatencySummary } from '../stats/histogram.ts';
import type { CpuReport } from '../system/proc.ts';
import { cpuMeter, range, type ScenarioContext } from './context.ts';

export interface ReconnectResult {
  sessions: number;
  connected: number;
  ratePerSec: number;
  jitterMs: number;
  /** Drop → every session authenticated again (on the other gateway). */
  allReconnectedMs: number;
  /** Drop → every session caught up from its cursor (sync_complete): live again. */
  allLiveMs: number;
  reconnectLatency: LatencySummary;
  resyncLatency: LatencySummary;
  failedSessions: number;
  failures: Record<string, number>;
  /** Events the sessions fetched by catch-up after reconnecting (published while they were away). */
  caughtUpEvents: number;
  head: number;
  /** After publishing stopped: sessions that never got the last event, and order violations seen. */
  sessionsBehind: number;
  gaps: number;
  duplicates: number;
  /** From the drop until every session was live again. */
  cpu: CpuReport;
}

const TOPIC = 'storm';
const GROUP = 'storm';
const BEFORE_DROP_MS = 3_000;
const AFTER_DROP_MS = 12_000;

/** S sessions following the topic, each on one gateway and reconnecting to the other. */
async function subscribeStorm(ctx: ScenarioContext, urls: readonly string[]): Promise<number> {
  const { options } = ctx;
  const specs: SubscribeParams['sessions'] = range(options['storm-sessions']).map((i) => ({
    endpoint: { url: urls[i % 2] as string },
    reconnectEndpoint: { url: urls[(i + 1) % 2] as string },
    subject: `storm-s${i}`,
  }));
  ctx.log(`reconnect storm: subscribing ${specs.length} sessions`);
  const connects = await ctx.pool.spread(
    specs,
    'subscribe',
    (share) => ({
      group: GROUP,
      protocol: 'lfs',
      sessions: share,
      topic: TOPIC,
      scope: { read: [TOPIC], write: [] },
      concurrency: Math.ceil(options['connect-concurrency'] / ctx.pool.size),
    }),
    1,
  );
  return connects.reduce((n, c) => n + c.connected, 0);
}

function stormResult(
  ctx: ScenarioContext,
  connected: number,
  drops: readonly DropResult[],
  after: { allLiveMs: number; cpu: CpuReport; published: PublishResult; settled: readonly AwaitHeadResult[] },
): ReconnectResult {
  const { options } = ctx;
  const { published, settled } = after;
  const reconnectLatency = Histogram.merged(drops.map((d) => d.reconnectLatency));
  const resyncLatency = Histogram.merged(drops.map((d) => d.resyncLatency));
  return {
    sessions: options['storm-sessions'],
    connected,
    ratePerSec: options['storm-rate'],
    jitterMs: options['storm-jitter-ms'],
    allReconnectedMs: reconnectLatency.count === 0 ? Number.NaN : reconnectLatency.percentileUs(100) / 1000,
    allLiveMs: resyncLatency.count === 0 ? after.allLiveMs : resyncLatency.percentileUs(100) / 1000,
    reconnectLatency: reconnectLatency.summary(),
    resyncLatency: resyncLatency.summary(),
    failedSessions: drops.reduce((n, d) => n + d.failed, 0),
    failures: sumCounts(drops.map((d) => d.failures)),
    caughtUpEvents: drops.reduce((n, d) => n + d.caughtUpEvents, 0),
    head: published.lastSequence,
    sessionsBehind: settled.reduce((n, s) => n + s.behind, 0),
    gaps: settled.reduce((n, s) => n + s.gaps, 0),
    duplicates: settled.reduce((n, s) => n + s.duplicates, 0),
    cpu: after.cpu,
  };
}

/**
 * Scenario 5: S live sessions (both gateways) are dropped at once while events keep coming; each
 * reconnects — to the other gateway, as behind a load balancer — and catches up from its cursor. Timed
 * until every session is live again; then checked that none missed or repeated an event.
 */
export async function runReconnect(ctx: ScenarioContext, stack: BenchStack): Promise<ReconnectResult> {
  const { options } = ctx;
  const urls = [stack.gatewayUrl(0), stack.gatewayUrl(1)];
  const connected = await subscribeStorm(ctx, urls);
  const startAtUs = nowUs() + 500_000;
  const publishing = ctx.pool.worker(0).call('publish', {
    protocol: 'lfs',
    endpoint: { url: urls[0] as string },
    topic: TOPIC,
    subject: 'storm-publisher',
    ratePerSecond: options['storm-rate'],
    batchSize: 1,
    payloadBytes: 100,
    startAtUs,
    durationMs: BEFORE_DROP_MS + AFTER_DROP_MS,
    drainMs: 15_000,
  });
  await sleepUntil(startAtUs + BEFORE_DROP_MS * 1000);
  ctx.log(`reconnect storm: dropping ${connected} sessions at once`);
  const dropped = performance.now();
  const meter = cpuMeter(ctx, stack.pids());
  const jitterMs = options['storm-jitter-ms'];
  const drops = await Promise.all(
    ctx.pool.workers.slice(1).map((w) => w.call('drop', { group: GROUP, reconnect: true, jitterMs })),
  );
  const allLiveMs = performance.now() - dropped;
  const cpu = meter.stop();
  const published = await publishing;
  const settled = await ctx.pool.all('awaitHead', {
    group: GROUP,
    head: published.lastSequence,
    timeoutMs: 30_000,
  });
  await ctx.pool.all('close', { group: GROUP });
  const result = stormResult(ctx, connected, drops, { allLiveMs, cpu, published, settled });
  ctx.log(
    `reconnect storm: all reconnected in ${Math.round(result.allReconnectedMs)} ms, all live in ${Math.round(result.allLiveMs)} ms; ${result.sessionsBehind} behind, ${result.gaps} gaps, ${result.duplicates} duplicates`,
  );
  return result;
}
