import type WebSocket from 'ws';
import { Pusher, openSubscriber } from '../load/many-users-clients.ts';
import { sleep } from '../load/util.ts';
import { startBenchStack, type BenchStack } from '../stack/bench-stack.ts';
import { signToken } from '../stack/tokens.ts';
import { Histogram, type LatencySummary } from '../stats/histogram.ts';
import { describeCost, unitCost, type UnitCost } from '../system/cost.ts';
import { cpuSeconds, rssBytes, type CpuReport } from '../system/proc.ts';
import { BENCH_SERVICE_ENV, cpuMeter, metricValue, range, type ScenarioContext } from './context.ts';

export interface ManyUsersResult {
  sessions: number;
  teamSize: number;
  /** Gateway RSS growth per session (both gateways), with events in that many repositories. */
  rssPerSessionAt1kReposBytes: number;
  rssPerSessionAt10kReposBytes: number;
  /** V8 heap in use per session (both gateways' /metrics), same moments. */
  heapPerSessionAt1kReposBytes: number;
  heapPerSessionAt10kReposBytes: number;
  eventsPerSec: number;
  durationMs: number;
  deliveryLatency: LatencySummary;
  /** CPU during the latency window, and per delivery. */
  steadyCpu: CpuReport;
  steadyCost: UnitCost;
  /** Commits to repositories no session subscribed to, summed over both gateways. */
  unsubscribedCommits: number;
  /** Gateway CPU per such commit per gateway, the idle CPU of the same span subtracted. */
  cpuPerUnsubscribedCommitUs: number;
}

const TEAM = 10;
const own = (i: number) => `u/${i}`;
const team = (i: number) => `team/${Math.floor(i / TEAM)}`;

/**
 * Many users (issue 14): sessions over 2 gateways, each subscribed to its own repository and to its
 * team's; memory per session with events in 1,000 and in 10,000 repositories; delivery latency at a
 * steady rate; the gateways' CPU for commits nobody there subscribed to.
 */
export async function runManyUsers(ctx: ScenarioContext): Promise<ManyUsersResult> {
  const sessions = ctx.options['many-users-sessions'];
  ctx.log(`many-users: starting 2 gateways for ${sessions} sessions`);
  const stack = await startBenchStack({ gateways: 2, env: BENCH_SERVICE_ENV });
  const sockets: WebSocket[] = [];
  let measuring: Histogram | undefined;
  try {
    const pids = [stack.gatewayPid(0), stack.gatewayPid(1)];
    await sleep(2_000);
    const before = await gatewayMemory(stack, pids);
    const perSession = async () => {
      await sleep(2_000);
      const now = await gatewayMemory(stack, pids);
      return { rss: (now.rss - before.rss) / sessions, heap: (now.heap - before.heap) / sessions };
    };
    sockets.push(...(await openSessions(stack, sessions, (us) => measuring?.record(us))));
    ctx.log(`many-users: ${sessions} sessions subscribed`);
    const pusher = await Pusher.open(stack.gatewayUrl(0), await signToken('pusher'));
    const world = range(10_000).map((j) => (j < sessions ? own(j) : `world/${j}`));
    await pusher.pushAll(world.slice(0, 1_000));
    const at1k = await perSession();
    measuring = new Histogram();
    const steady = await steadyRate(ctx, pusher, sessions, stack.pids(), measuring);
    measuring = undefined;
    const idle = await unsubscribedCommitCost(ctx, stack, pusher, pids);
    // Last: FerretDB slows down with every new repository (no filter pushdown on SQLite).
    await pusher.pushAll(world.slice(1_000));
    const at10k = await perSession();
    ctx.log(
      `many-users: per session RSS ${kib(at1k.rss)} / ${kib(at10k.rss)} KiB, V8 heap ${kib(at1k.heap)} / ${kib(at10k.heap)} KiB (1k / 10k repositories)`,
    );
    pusher.close();
    return {
      sessions,
      teamSize: TEAM,
      rssPerSessionAt1kReposBytes: Math.round(at1k.rss),
      rssPerSessionAt10kReposBytes: Math.round(at10k.rss),
      heapPerSessionAt1kReposBytes: Math.round(at1k.heap),
      heapPerSessionAt10kReposBytes: Math.round(at10k.heap),
      ...steady,
      ...idle,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await stack.stop();
  }
}

/** Opens the sessions, 200 at a time, alternating gateways; each subscribes to its own and its team's. */
async function openSessions(
  stack: BenchStack,
  sessions: number,
  onLatencyUs: (latencyUs: number) => void,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < sessions; i += 200) {
    const opening = range(Math.min(200, sessions - i)).map(async (k) => {
      const n = i + k;
      const token = await signToken(`user${n}`, { read: ['u/*', 'team/*'], write: [] });
      return openSubscriber(stack.gatewayUrl(n % 2), token, [own(n), team(n)], onLatencyUs);
    });
    sockets.push(...(await Promise.all(opening)));
  }
  return sockets;
}

/** Both gateways' RSS and V8 heap in use. */
async function gatewayMemory(stack: BenchStack, pids: readonly number[]) {
  const heapOf = (i: number) => metricValue(stack.httpUrl(i), 'nodejs_heap_size_used_bytes');
  return {
    rss: pids.reduce((sum, pid) => sum + rssBytes(pid), 0),
    heap: (await heapOf(0)) + (await heapOf(1)),
  };
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

/** Events at a steady rate, half to someone's own repository, half to a team's. */
async function steadyRate(
  ctx: ScenarioContext,
  pusher: Pusher,
  sessions: number,
  pids: Record<string, number | undefined>,
  measuring: Histogram,
) {
  const meter = cpuMeter(ctx, pids);
  const eventsPerSec = ctx.options['many-users-rate'];
  const durationMs = ctx.options['many-users-duration-ms'];
  ctx.log(`many-users: ${eventsPerSec} events/s for ${durationMs} ms`);
  const started = Date.now();
  const pushes: Array<Promise<void>> = [];
  for (let sent = 0; Date.now() - started < durationMs; await sleep(5)) {
    const due = Math.floor(((Date.now() - started) / 1000) * eventsPerSec);
    for (; sent < due; sent++) {
      const k = Math.floor(Math.random() * sessions);
      pushes.push(pusher.push(sent % 2 === 0 ? own(k) : team(k)));
    }
  }
  await Promise.all(pushes);
  await sleep(1_000);
  const steadyCpu = meter.stop();
  const deliveryLatency = measuring.summary();
  const steadyCost = unitCost(steadyCpu, deliveryLatency.count, 'delivery');
  ctx.log(
    `many-users: delivery p50 ${deliveryLatency.p50Ms} ms, p99 ${deliveryLatency.p99Ms} ms; ${describeCost(steadyCost)}`,
  );
  return { eventsPerSec, durationMs, deliveryLatency, steadyCpu, steadyCost };
}

/**
 * Gateway CPU for commits to repositories nobody subscribed to: both gateways' CPU time across a burst of
 * such commits, minus their CPU over an idle span as long, per commit each gateway received.
 */
async function unsubscribedCommitCost(
  ctx: ScenarioContext,
  stack: BenchStack,
  pusher: Pusher,
  pids: readonly number[],
) {
  const commits = ctx.options['many-users-idle-commits'];
  // The pushing gateway handles the push itself; only the other one is a pure bystander.
  const bystander = pids[1] as number;
  const skipped = () => metricValue(stack.httpUrl(1), 'gateway_commits_skipped_total');
  const idleStart = cpuSeconds(bystander);
  const idleFrom = Date.now();
  await sleep(5_000);
  const idleRate = (cpuSeconds(bystander) - idleStart) / (Date.now() - idleFrom);
  const skippedBefore = await skipped();
  const cpuBefore = cpuSeconds(bystander);
  const from = Date.now();
  // Commits, not repositories, are what is counted: 16 repositories keep FerretDB fast.
  await pusher.pushAll(
    range(commits).map((j) => `nobody/${j % 16}`),
    16,
  );
  await sleep(500);
  const spanMs = Date.now() - from;
  const busy = cpuSeconds(bystander) - cpuBefore - idleRate * spanMs;
  const unsubscribedCommits = (await skipped()) - skippedBefore;
  const cpuPerUnsubscribedCommitUs = Math.max(0, (busy * 1e6) / Math.max(1, unsubscribedCommits));
  ctx.log(
    `many-users: ${unsubscribedCommits} commits nobody subscribed to cost the bystander gateway ${cpuPerUnsubscribedCommitUs.toFixed(2)} µs CPU each`,
  );
  return { unsubscribedCommits, cpuPerUnsubscribedCommitUs };
}
