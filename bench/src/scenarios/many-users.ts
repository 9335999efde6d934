import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { Pusher, openSubscriber, type PushTally } from '../load/many-users-clients.ts';
import { sleep } from '../load/util.ts';
import { startBenchStack, type BenchStack } from '../stack/bench-stack.ts';
import { signToken } from '../stack/tokens.ts';
import { Histogram } from '../stats/histogram.ts';
import { BENCH_SERVICE_ENV, range, type ScenarioContext } from './context.ts';
import {
  gatewayMemory,
  steadyRate,
  unsubscribedCommitCost,
  type GatewayMemory,
  type SteadyResult,
  type UnsubscribedResult,
} from './many-users-phases.ts';

export interface ManyUsersResult extends SteadyResult, UnsubscribedResult {
  sessions: number;
  teamSize: number;
  /** Repositories with events at the first and at the second memory reading. */
  firstRepositories: number;
  repositories: number;
  /** Why the second reading has fewer repositories than asked (the pipeline stopped acking). */
  fillError?: string;
  /**
   * Both gateways' memory after a full GC (heap probe): before any session, with the sessions at each
   * repository count, and once the sessions closed again (what the repositories alone left behind).
   */
  memory: { base: GatewayMemory; first: GatewayMemory; second: GatewayMemory; closed: GatewayMemory };
  /** Growth over `base` per session: V8 heap in use after a full GC, and RSS. */
  heapPerSessionAt1kReposBytes: number;
  heapPerSessionAt10kReposBytes: number;
  rssPerSessionAt1kReposBytes: number;
  rssPerSessionAt10kReposBytes: number;
  /** At the second reading, per session, net of what stayed once the sessions closed (repository state). */
  heapPerSessionNetAt10kReposBytes: number;
  pushes: PushTally;
}

const TEAM = 10;
const own = (i: number) => `u/${i}`;
const team = (i: number) => `team/${Math.floor(i / TEAM)}`;
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/**
 * Many users (issue 14): sessions over 2 gateways, each subscribed to its own repository and to its
 * team's; gateway memory per session with events in 1,000 and in 10,000 repositories; delivery latency at
 * a steady rate; the gateways' CPU for commits nobody there subscribed to.
 */
export async function runManyUsers(ctx: ScenarioContext): Promise<ManyUsersResult> {
  const sessions = ctx.options['many-users-sessions'];
  const repositories = Math.max(ctx.options['many-users-repositories'], sessions);
  const firstRepositories = Math.min(1_000, repositories);
  ctx.log(`many-users: starting 2 gateways for ${sessions} sessions, ${repositories} repositories`);
  const probeDir = mkdtempSync(join(tmpdir(), 'lfs-heap-probe-'));
  const stack = await startBenchStack({ gateways: 2, env: BENCH_SERVICE_ENV, heapProbeDir: probeDir });
  const sockets: WebSocket[] = [];
  let measuring: Histogram | undefined;
  try {
    await sleep(2_000);
    const base = await gatewayMemory(stack, probeDir);
    sockets.push(...(await openSessions(stack, sessions, (us) => measuring?.record(us))));
    ctx.log(`many-users: ${sessions} sessions subscribed`);
    const pusher = await openPusher(stack);
    const world = range(repositories).map((j) => (j < sessions ? own(j) : `world/${j}`));
    await fillRepositories(ctx, pusher, world.slice(0, firstRepositories));
    const first = await gatewayMemory(stack, probeDir);
    measuring = new Histogram();
    const steady = await steadyRate(ctx, stack, pusher, steadyTarget(sessions), measuring);
    measuring = undefined;
    const idle = await unsubscribedCommitCost(ctx, stack, pusher);
    // Last: on FerretDB's SQLite backend every new repository costs more than the one before.
    const filled = await fillRest(ctx, pusher, world.slice(firstRepositories));
    const second = await gatewayMemory(stack, probeDir);
    for (const ws of sockets.splice(0)) ws.terminate();
    await sleep(3_000);
    const closed = await gatewayMemory(stack, probeDir);
    pusher.close();
    const memory = { base, first, second, closed };
    const result: ManyUsersResult = {
      sessions,
      teamSize: TEAM,
      firstRepositories,
      repositories: firstRepositories + filled.acked,
      ...(filled.error === undefined ? {} : { fillError: filled.error }),
      memory,
      ...perSession(memory, sessions),
      pushes: pusher.tally,
      ...steady,
      ...idle,
    };
    logMemory(ctx, result);
    return result;
  } finally {
    for (const ws of sockets) ws.terminate();
    await stack.stop();
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/** The k-th event of the steady phase: to a random user's own repository, every other one to its team's. */
function steadyTarget(sessions: number): (k: number) => { repository: string; subscribers: number } {
  return (k) => {
    const user = Math.floor(Math.random() * sessions);
    if (k % 2 === 0) return { repository: own(user), subscribers: 1 };
    const first = Math.floor(user / TEAM) * TEAM;
    return { repository: team(user), subscribers: Math.min(TEAM, sessions - first) };
  };
}

/** The pushing session, on gateway 0; it subscribes to a repository nobody writes to (so receives nothing). */
async function openPusher(stack: BenchStack): Promise<Pusher> {
  const quiet = 'bench/quiet';
  const token = await signToken('pusher', { read: [quiet], write: ['*'] });
  return Pusher.open(stack.gatewayUrl(0), token, quiet);
}

/** The fill up to the second reading; a stalled pipeline ends it early, and the memory is read all the same. */
async function fillRest(ctx: ScenarioContext, pusher: Pusher, names: readonly string[]) {
  const ackedBefore = pusher.tally.acked;
  let error: string | undefined;
  try {
    await fillRepositories(ctx, pusher, names);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    ctx.log(`many-users: the fill stopped early: ${error}`);
  }
  return { acked: pusher.tally.acked - ackedBefore, error };
}

/** One event into each repository, with progress on the log. */
async function fillRepositories(ctx: ScenarioContext, pusher: Pusher, names: readonly string[]) {
  const started = Date.now();
  await pusher.pushAll(names, 200, (done) => {
    const rate = (done * 1000) / (Date.now() - started);
    ctx.log(`many-users: ${done} of ${names.length} repositories, ${rate.toFixed(0)}/s`);
  });
}

function perSession(memory: ManyUsersResult['memory'], sessions: number) {
  const { base, first, second, closed } = memory;
  const per = (bytes: number) => Math.round(bytes / Math.max(1, sessions));
  return {
    heapPerSessionAt1kReposBytes: per(first.heapUsed - base.heapUsed),
    heapPerSessionAt10kReposBytes: per(second.heapUsed - base.heapUsed),
    rssPerSessionAt1kReposBytes: per(first.rss - base.rss),
    rssPerSessionAt10kReposBytes: per(second.rss - base.rss),
    heapPerSessionNetAt10kReposBytes: per(second.heapUsed - closed.heapUsed),
  };
}

function logMemory(ctx: ScenarioContext, r: ManyUsersResult): void {
  const { base, first, second, closed } = r.memory;
  ctx.log(
    `many-users: gateways' heap after full GC ${mib(base.heapUsed)} MiB without sessions, ${mib(first.heapUsed)} / ${mib(second.heapUsed)} MiB with them (${r.firstRepositories} / ${r.repositories} repositories), ${mib(closed.heapUsed)} MiB once they closed; RSS ${mib(base.rss)} → ${mib(first.rss)} / ${mib(second.rss)} MiB`,
  );
  ctx.log(
    `many-users: per session heap ${kib(r.heapPerSessionAt1kReposBytes)} / ${kib(r.heapPerSessionAt10kReposBytes)} KiB (net of the repositories' state ${kib(r.heapPerSessionNetAt10kReposBytes)} KiB), RSS ${kib(r.rssPerSessionAt1kReposBytes)} / ${kib(r.rssPerSessionAt10kReposBytes)} KiB; pushes acked ${r.pushes.acked}, failed ${JSON.stringify(r.pushes.failures)}`,
  );
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
