import { join } from 'node:path';
import {
  nowUs,
  type AwaitHeadResult,
  type Endpoint,
  type GroupReport,
  type Protocol,
  type PublishResult,
  type SubscribeParams,
} from '../load/messages.ts';
import { sleep, sleepUntil } from '../load/util.ts';
import { readProfile, summarizeProfile, type ProfileSummary } from '../profile/summarize.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import { Histogram, type LatencySummary } from '../stats/histogram.ts';
import { describeCost, unitCost, type UnitCost } from '../system/cost.ts';
import { describeCpuSeconds, rssBytes, type CpuReport } from '../system/proc.ts';
import { cpuMeter, onFreshStack, range, warmupMs, type ScenarioContext } from './context.ts';
import {
  describeStages,
  scrapeStages,
  stageLatencies,
  type StageLatency,
  type StageSource,
} from './stage-metrics.ts';

export interface FanoutLoad {
  /** `light`: below saturation, the latency floor; `target`: the load the targets are stated for. */
  label: 'light' | 'target';
  sessions: number;
  eventsPerSec: number;
}

export interface FanoutResult {
  system: string;
  load: FanoutLoad['label'];
  sessions: number;
  connected: number;
  connectFailures: Record<string, number>;
  /** Time to connect, authenticate and subscribe (catch up) every session. */
  subscribeAllMs: number;
  offeredEventsPerSec: number;
  published: number;
  /** Deliveries (events × sessions) per second received in the window. */
  deliveriesPerSec: number;
  expectedDeliveriesPerSec: number;
  latency: LatencySummary;
  publishAckLatency: LatencySummary;
  publishErrors: Record<string, number>;
  /** Sessions that had not received the last published event 30 s after publishing stopped. */
  sessionsBehind: number;
  gaps: number;
  duplicates: number;
  /**
   * Server RSS growth from before the sessions connected to after they subscribed, per session; only for the
   * first run on a server process (a later run reuses the memory the earlier one grew, and would understate).
   */
  rssPerSessionBytes: number | undefined;
  cpu: CpuReport;
  /** CPU per delivery in the window (publishing included), ours apart from NATS, the database and the generators. */
  cost: UnitCost;
  /** Inside our services (empty for Centrifugo). */
  stages: StageLatency[];
  profiles: ProfileSummary[];
}

export interface FanoutTarget {
  system: string;
  protocol: Protocol;
  /** Subscriber endpoints, used round-robin. */
  endpoints: Endpoint[];
  topic: string;
  publishEndpoint: Endpoint;
  apiKey?: string;
  centrifugoSecret?: string;
  /** Server processes whose memory holds the sessions. */
  serverPids: number[];
  pids: Record<string, number | undefined>;
  stages?: StageSource[];
}

/** The publisher has a generator process of its own (with ≥ 2 generators), so receiving does not delay it. */
const PUBLISHER_WORKER = 0;

interface Subscribed {
  connected: number;
  connectFailures: Record<string, number>;
  subscribeAllMs: number;
  /** Server RSS growth while the sessions connected and subscribed. */
  rssGrowthBytes: number;
}

/** Connects and subscribes the sessions on every generator but the publisher's. */
async function subscribeAll(
  ctx: ScenarioContext,
  target: FanoutTarget,
  load: FanoutLoad,
  group: string,
): Promise<Subscribed> {
  const rssBefore = target.serverPids.reduce((n, pid) => n + rssBytes(pid), 0);
  ctx.log(`fan-out ${target.system} (${load.label}): subscribing ${load.sessions} sessions`);
  const specs: SubscribeParams['sessions'] = range(load.sessions).map((i) => ({
    endpoint: target.endpoints[i % target.endpoints.length] as Endpoint,
    subject: `${group}-s${i}`,
  }));
  const subscribeStarted = performance.now();
  const connects = await ctx.pool.spread(
    specs,
    'subscribe',
    (share) => ({
      group,
      protocol: target.protocol,
      sessions: share,
      topic: target.topic,
      scope: { read: [target.topic], write: [] },
      ...(target.centrifugoSecret === undefined ? {} : { centrifugoSecret: target.centrifugoSecret }),
      concurrency: Math.ceil(ctx.options['connect-concurrency'] / ctx.pool.size),
    }),
    PUBLISHER_WORKER + 1,
  );
  const subscribeAllMs = performance.now() - subscribeStarted;
  const connectFailures: Record<string, number> = {};
  for (const c of connects)
    for (const [k, n] of Object.entries(c.failures)) connectFailures[k] = (connectFailures[k] ?? 0) + n;
  const connected = connects.reduce((n, c) => n + c.connected, 0);
  await sleep(2_000);
  const rssAfter = target.serverPids.reduce((n, pid) => n + rssBytes(pid), 0);
  return { connected, connectFailures, subscribeAllMs, rssGrowthBytes: rssAfter - rssBefore };
}

function startPublisher(
  ctx: ScenarioContext,
  target: FanoutTarget,
  load: FanoutLoad,
  group: string,
  startAtUs: number,
): Promise<PublishResult> {
  const { options } = ctx;
  return ctx.pool.worker(PUBLISHER_WORKER).call('publish', {
    protocol: target.protocol,
    endpoint: target.publishEndpoint,
    topic: target.topic,
    subject: `${group}-publisher-${startAtUs.toString(36)}`,
    ...(target.apiKey === undefined ? {} : { apiKey: target.apiKey }),
    ratePerSecond: load.eventsPerSec,
    batchSize: options['fanout-batch'],
    payloadBytes: options['fanout-payload'],
    startAtUs,
    durationMs: warmupMs(options, 'fresh') + options['fanout-duration-ms'],
    drainMs: 15_000,
  });
}

interface Measured {
  reports: GroupReport[];
  cpu: CpuReport;
  stages: StageLatency[];
}

/** Deliveries, CPU and the services' stage latencies over the measuring window. */
async function measureWindow(
  ctx: ScenarioContext,
  target: FanoutTarget,
  group: string,
  [windowStart, windowEnd]: [number, number],
): Promise<Measured> {
  const sources = target.stages ?? [];
  await sleepUntil(windowStart);
  // Started before the counters are reset: on a loaded machine the reset itself can take seconds, and the
  // CPU must cover every delivery counted.
  const meter = cpuMeter(ctx, target.pids);
  await ctx.pool.all('report', { group, reset: true });
  const stagesBefore = await scrapeStages(sources);
  await sleepUntil(windowEnd);
  const reports = await ctx.pool.all('report', { group, reset: false });
  const cpu = meter.stop();
  const stagesAfter = await scrapeStages(sources);
  const windowSeconds = (windowEnd - windowStart) / 1e6;
  return { reports, cpu, stages: stageLatencies(sources, stagesBefore, stagesAfter, windowSeconds) };
}

interface RunOutcome {
  subscribed: Subscribed;
  measured: Measured;
  published: PublishResult;
  settled: AwaitHeadResult[];
  windowSeconds: number;
}

function fanoutResult(
  ctx: ScenarioContext,
  target: FanoutTarget,
  load: FanoutLoad,
  o: RunOutcome,
): FanoutResult {
  const { subscribed, measured, published, settled } = o;
  const { connected } = subscribed;
  const delivered = measured.reports.reduce((n, r) => n + r.events, 0);
  return {
    system: target.system,
    load: load.label,
    sessions: load.sessions,
    connected,
    connectFailures: subscribed.connectFailures,
    subscribeAllMs: subscribed.subscribeAllMs,
    offeredEventsPerSec: load.eventsPerSec,
    published: published.sent,
    deliveriesPerSec: delivered / o.windowSeconds,
    expectedDeliveriesPerSec: load.eventsPerSec * connected,
    latency: Histogram.merged(measured.reports.map((r) => r.latency)).summary(),
    publishAckLatency: Histogram.from(published.ackLatency).summary(),
    publishErrors: published.errors,
    sessionsBehind: settled.reduce((n, s) => n + s.behind, 0),
    gaps: settled.reduce((n, s) => n + s.gaps, 0),
    duplicates: settled.reduce((n, s) => n + s.duplicates, 0),
    rssPerSessionBytes:
      load.label === 'light' || ctx.options['fanout-light-sessions'] === 0
        ? subscribed.rssGrowthBytes / Math.max(1, connected)
        : undefined,
    cpu: measured.cpu,
    cost: unitCost(measured.cpu, delivered, 'delivery'),
    stages: measured.stages,
    profiles: [],
  };
}

/** S sessions follow one topic; a publisher sends P events/s with its send time; receivers take the latency. */
export async function fanoutRun(
  ctx: ScenarioContext,
  target: FanoutTarget,
  load: FanoutLoad,
): Promise<{ result: FanoutResult; windowUs: [number, number] }> {
  const { options } = ctx;
  const group = `fanout-${target.system}-${load.label}`;
  const name = `fan-out ${target.system} (${load.label})`;
  const subscribed = await subscribeAll(ctx, target, load, group);
  ctx.log(
    `${name}: ${subscribed.connected} subscribed in ${Math.round(subscribed.subscribeAllMs)} ms; publishing ${load.eventsPerSec} events/s`,
  );
  const startAtUs = nowUs() + 1_000_000;
  const windowStart = startAtUs + warmupMs(options, 'fresh') * 1000;
  const windowUs: [number, number] = [windowStart, windowStart + options['fanout-duration-ms'] * 1000];
  const publishing = startPublisher(ctx, target, load, group, startAtUs);
  const measured = await measureWindow(ctx, target, group, windowUs);
  const published = await publishing;
  const settled = await ctx.pool.all('awaitHead', { group, head: published.lastSequence, timeoutMs: 30_000 });
  await ctx.pool.all('close', { group });
  const windowSeconds = (windowUs[1] - windowUs[0]) / 1e6;
  const result = fanoutResult(ctx, target, load, { subscribed, measured, published, settled, windowSeconds });
  if ((target.stages ?? []).length > 0)
    ctx.log(`${name}: inside the services (p50/p99): ${describeStages(result.stages)}`);
  ctx.log(
    `${name}: ${Math.round(result.deliveriesPerSec)} deliveries/s, p50 ${result.latency.p50Ms.toFixed(1)} ms, p99 ${result.latency.p99Ms.toFixed(1)} ms`,
  );
  ctx.log(`${name}: ${describeCost(result.cost)}; ${describeCpuSeconds(result.cpu)}`);
  return { result, windowUs };
}

/** The light run (when configured) and the target run, in that order. */
export function fanoutLoads(ctx: ScenarioContext): FanoutLoad[] {
  const { options } = ctx;
  const loads: FanoutLoad[] = [];
  if (options['fanout-light-sessions'] > 0) {
    loads.push({
      label: 'light',
      sessions: options['fanout-light-sessions'],
      eventsPerSec: options['fanout-light-rate'],
    });
  }
  loads.push({ label: 'target', sessions: options['fanout-sessions'], eventsPerSec: options['fanout-rate'] });
  return loads;
}

/**
 * Scenario 2 on our stack: sessions spread over both gateways, each load on a fresh stack without the
 * profiler (`--cpu-prof` costs every service about 0.06 cores even idle, which would count as fan-out cost
 * and delay deliveries). When profiling, the target load runs once more under `--cpu-prof`, for its profiles
 * only. Returns the runs in the order of `fanoutLoads`.
 */
export async function runFanout(ctx: ScenarioContext): Promise<FanoutResult[]> {
  const results: FanoutResult[] = [];
  for (const load of fanoutLoads(ctx)) results.push((await fanoutOnStack(ctx, load, undefined)).value.result);
  const target = results.at(-1);
  if (target === undefined || ctx.profileRoot === undefined) return results;
  const profileDir = join(ctx.profileRoot, 'fanout');
  const profiled = await fanoutOnStack(ctx, { ...loadOf(target), label: 'target' }, profileDir);
  const window = { fromUs: profiled.value.windowUs[0], toUs: profiled.value.windowUs[1] };
  target.profiles = profiled.profiles.map((p) => summarizeProfile(p.label, readProfile(p.file), window));
  return results;
}

function loadOf(result: FanoutResult): FanoutLoad {
  return { label: result.load, sessions: result.sessions, eventsPerSec: result.offeredEventsPerSec };
}

/** One load on a stack of its own (under `--cpu-prof` when `profileDir` is set). */
function fanoutOnStack(ctx: ScenarioContext, load: FanoutLoad, profileDir: string | undefined) {
  return onFreshStack(ctx, `fan-out (${load.label})`, profileDir, (stack) =>
    fanoutRun(ctx, lfsTarget(stack, load), load),
  );
}

function lfsTarget(stack: BenchStack, load: FanoutLoad): FanoutTarget {
  return {
    system: 'lfs',
    protocol: 'lfs',
    endpoints: [{ url: stack.gatewayUrl(0) }, { url: stack.gatewayUrl(1) }],
    topic: `fanout-${load.label}`,
    publishEndpoint: { url: stack.gatewayUrl(0) },
    serverPids: [stack.gatewayPid(0), stack.gatewayPid(1)],
    pids: stack.pids(),
    stages: stack.stageSources(),
  };
}
