import type { Pusher } from '../load/many-users-clients.ts';
import { sleep } from '../load/util.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import type { Histogram, LatencySummary } from '../stats/histogram.ts';
import { describeCost, unitCost, type UnitCost } from '../system/cost.ts';
import { memoryAfterGc } from '../system/heap-probe.ts';
import { cpuSeconds, type CpuReport } from '../system/proc.ts';
import { cpuMeter, metricValue, range, type ScenarioContext } from './context.ts';
import { describeStages, scrapeStages, stageLatencies, type StageLatency } from './stage-metrics.ts';

/** Both gateways' memory right after a full GC: V8 heap in use, and RSS. */
export interface GatewayMemory {
  heapUsed: number;
  rss: number;
}

export async function gatewayMemory(stack: BenchStack, probeDir: string): Promise<GatewayMemory> {
  const [a, b] = await Promise.all([0, 1].map((i) => memoryAfterGc(stack.gatewayPid(i), probeDir)));
  return { heapUsed: (a?.heapUsed ?? 0) + (b?.heapUsed ?? 0), rss: (a?.rss ?? 0) + (b?.rss ?? 0) };
}

export interface SteadyResult {
  eventsPerSec: number;
  durationMs: number;
  deliveryLatency: LatencySummary;
  /** Deliveries owed for the acked events (their repositories' subscribers), and how many never came. */
  expectedDeliveries: number;
  missingDeliveries: number;
  /** CPU during the latency window, and per delivery. */
  steadyCpu: CpuReport;
  steadyCost: UnitCost;
  /** Both gateways' CPU per delivery in the window (their whole CPU, idle work included). */
  gatewayCpuPerDeliveryUs: number;
  /** The services' own latency histograms over the window: where a push spends its time. */
  stages: StageLatency[];
}

/** Events at a steady rate, half to someone's own repository, half to a team's. */
export async function steadyRate(
  ctx: ScenarioContext,
  stack: BenchStack,
  pusher: Pusher,
  target: (k: number) => { repository: string; subscribers: number },
  measuring: Histogram,
): Promise<SteadyResult> {
  const sources = stack.stageSources();
  const stagesBefore = await scrapeStages(sources);
  const meter = cpuMeter(ctx, stack.pids());
  const eventsPerSec = ctx.options['many-users-rate'];
  const durationMs = ctx.options['many-users-duration-ms'];
  ctx.log(`many-users: ${eventsPerSec} events/s for ${durationMs} ms`);
  const started = Date.now();
  let expected = 0;
  const pushes: Array<Promise<void>> = [];
  for (let sent = 0; Date.now() - started < durationMs; await sleep(5)) {
    const due = Math.floor(((Date.now() - started) / 1000) * eventsPerSec);
    for (; sent < due; sent++) {
      const { repository, subscribers } = target(sent);
      pushes.push(pusher.push(repository, true).then((acked) => void (expected += acked ? subscribers : 0)));
    }
  }
  await Promise.all(pushes);
  // Every subscriber of an acked event is owed it (I5): wait for the stragglers, then count what is missing.
  const waitUntil = Date.now() + 30_000;
  while (measuring.count < expected && Date.now() < waitUntil) await sleep(100);
  const steadyCpu = meter.stop();
  const stages = stageLatencies(sources, stagesBefore, await scrapeStages(sources), steadyCpu.wallSeconds);
  const deliveryLatency = measuring.summary();
  const steadyCost = unitCost(steadyCpu, deliveryLatency.count, 'delivery');
  const gatewaySeconds = steadyCpu.processes
    .filter((p) => p.name.startsWith('gateway'))
    .reduce((n, p) => n + p.cpuSeconds, 0);
  const gatewayCpuPerDeliveryUs = (gatewaySeconds * 1e6) / Math.max(1, deliveryLatency.count);
  ctx.log(
    `many-users: delivery p50 ${deliveryLatency.p50Ms.toFixed(1)} ms, p99 ${deliveryLatency.p99Ms.toFixed(1)} ms over ${deliveryLatency.count} deliveries; gateways ${gatewayCpuPerDeliveryUs.toFixed(1)} µs CPU per delivery; ${describeCost(steadyCost)}`,
  );
  ctx.log(`many-users: inside the services (p50/p99): ${describeStages(stages)}`);
  const missingDeliveries = Math.max(0, expected - deliveryLatency.count);
  if (missingDeliveries > 0) ctx.log(`many-users: ${missingDeliveries} of ${expected} deliveries MISSING`);
  const result = { eventsPerSec, durationMs, deliveryLatency, steadyCpu, steadyCost };
  return { ...result, expectedDeliveries: expected, missingDeliveries, gatewayCpuPerDeliveryUs, stages };
}

export interface UnsubscribedResult {
  /** Commits (acked pushes) to repositories no session subscribed to. */
  unsubscribedCommits: number;
  /** How many of them NATS still delivered to the bystander gateway, which dropped them. */
  receivedByBystander: number;
  /** The bystander's CPU-seconds over the burst, and its idle CPU over a span as long. */
  bystanderBusySeconds: number;
  bystanderIdleSeconds: number;
  /** Bystander CPU per such commit, its idle CPU of the same span subtracted (received or not). */
  cpuPerUnsubscribedCommitUs: number;
}

/**
 * A gateway's CPU-seconds per ms while nothing is pushed, over one heartbeat interval (PING_INTERVAL_MS,
 * 25 s by default): a shorter window holds a heartbeat round to all its sessions, or none, by chance.
 */
async function idleCpuRate(pid: number): Promise<number> {
  const start = cpuSeconds(pid);
  const from = Date.now();
  await sleep(25_000);
  return (cpuSeconds(pid) - start) / (Date.now() - from);
}

/**
 * Gateway CPU for commits to repositories nobody subscribed to. The pushing gateway handles each push
 * itself; the other one is a pure bystander: its CPU over a burst of such commits, minus its idle CPU
 * (measured before and after the burst, averaged) over as long, per commit made. A gateway subscribes on
 * NATS per repository its sessions follow, so the bystander should not even receive them.
 */
export async function unsubscribedCommitCost(
  ctx: ScenarioContext,
  stack: BenchStack,
  pusher: Pusher,
): Promise<UnsubscribedResult> {
  const commits = ctx.options['many-users-idle-commits'];
  const bystander = stack.gatewayPid(1);
  const skipped = () => metricValue(stack.httpUrl(1), 'gateway_commits_skipped_total');
  const idleBefore = await idleCpuRate(bystander);
  const skippedBefore = await skipped();
  const ackedBefore = pusher.tally.acked;
  const cpuBefore = cpuSeconds(bystander);
  const from = Date.now();
  // Commits, not repositories, are what is counted: 16 repositories keep FerretDB fast.
  await pusher.pushAll(range(commits).map((j) => `nobody/${j % 16}`));
  await sleep(500);
  const spanMs = Date.now() - from;
  const bystanderBusySeconds = cpuSeconds(bystander) - cpuBefore;
  const idleRate = (idleBefore + (await idleCpuRate(bystander))) / 2;
  const bystanderIdleSeconds = idleRate * spanMs;
  const unsubscribedCommits = pusher.tally.acked - ackedBefore;
  const receivedByBystander = (await skipped()) - skippedBefore;
  const busyUs = (bystanderBusySeconds - bystanderIdleSeconds) * 1e6;
  const cpuPerUnsubscribedCommitUs = Math.max(0, busyUs / Math.max(1, unsubscribedCommits));
  ctx.log(
    `many-users: ${unsubscribedCommits} commits nobody subscribed to (${receivedByBystander} reached the bystander) in ${(spanMs / 1000).toFixed(1)} s: bystander gateway ${bystanderBusySeconds.toFixed(2)} CPU-s (idle over as long: ${bystanderIdleSeconds.toFixed(2)} s) → ${cpuPerUnsubscribedCommitUs.toFixed(2)} µs per commit`,
  );
  return {
    unsubscribedCommits,
    receivedByBystander,
    bystanderBusySeconds,
    bystanderIdleSeconds,
    cpuPerUnsubscribedCommitUs,
  };
}
