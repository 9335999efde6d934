import type { Protocol, SubscribeParams } from '../load/messages.ts';
import { sleep, sumCounts } from '../load/util.ts';
import type { BenchStack } from '../stack/bench-stack.ts';
import { Histogram, type LatencySummary } from '../stats/histogram.ts';
import { openFileLimit, rssBytes } from '../system/proc.ts';
import type { CpuReport } from '../system/proc.ts';
import { cpuMeter, metricValue, range, sourceAddress, type ScenarioContext } from './context.ts';

export interface ConnectionsResult {
  system: string;
  requested: number;
  /** Sessions attempted: `requested`, lowered when the server process may not hold that many sockets. */
  attempted: number;
  limitNote: string | undefined;
  connected: number;
  failures: Record<string, number>;
  /** First connect → last session authenticated. */
  connectAllMs: number;
  connectsPerSec: number;
  connectLatency: LatencySummary;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPerSessionBytes: number;
  /** V8 heap used per session (our gateway's /metrics), when known. */
  heapPerSessionBytes: number | undefined;
  /** While connecting. */
  cpu: CpuReport;
}

export interface IdleTarget {
  system: string;
  protocol: Protocol;
  url: string;
  serverPid: number;
  /** Our gateway's HTTP base URL, for its heap gauge. */
  metricsUrl?: string;
  centrifugoSecret?: string;
  /** Processes whose CPU to account while connecting. */
  pids: Record<string, number | undefined>;
}

/** Sockets a server keeps besides client sessions (listeners, NATS, MongoDB pool, stdio …). */
const SERVER_FD_RESERVE = 64;

/** How many sessions the server process may hold: `requested`, or fewer when its RLIMIT_NOFILE is lower. */
function attemptable(
  target: IdleTarget,
  requested: number,
): { attempted: number; limitNote: string | undefined } {
  const fdLimit = openFileLimit(target.serverPid);
  const attempted = Number.isFinite(fdLimit) ? Math.min(requested, fdLimit - SERVER_FD_RESERVE) : requested;
  const limitNote =
    attempted < requested
      ? `the server process may hold ${fdLimit} file descriptors (RLIMIT_NOFILE, a hard limit this machine does not let us raise), so ${attempted} sessions were opened instead of ${requested}`
      : undefined;
  return { attempted, limitNote };
}

/** Our gateway's V8 heap in use; NaN for a server without that gauge. */
function heapUsed(target: IdleTarget): Promise<number> {
  return target.metricsUrl === undefined
    ? Promise.resolve(Number.NaN)
    : metricValue(target.metricsUrl, 'nodejs_heap_size_used_bytes');
}

/** Opens the idle sessions over the generators; returns their reports and how long it took. */
async function openIdle(ctx: ScenarioContext, target: IdleTarget, group: string, attempted: number) {
  const specs: SubscribeParams['sessions'] = range(attempted).map((i) => ({
    endpoint: { url: target.url, localAddress: sourceAddress(i, ctx.options['source-addresses']) },
    subject: `${group}-s${i}`,
  }));
  ctx.log(`connections ${target.system}: opening ${attempted} idle sessions`);
  const started = performance.now();
  const meter = cpuMeter(ctx, target.pids);
  const results = await ctx.pool.spread(specs, 'subscribe', (share) => ({
    group,
    protocol: target.protocol,
    sessions: share,
    topic: '',
    idle: true,
    ...(target.centrifugoSecret === undefined ? {} : { centrifugoSecret: target.centrifugoSecret }),
    concurrency: Math.ceil(ctx.options['connect-concurrency'] / ctx.pool.size),
  }));
  const connectAllMs = performance.now() - started;
  return { results, connectAllMs, cpu: meter.stop() };
}

/**
 * N sessions connect and authenticate (nothing else) to one server process; its resident memory before and
 * after (settled) gives the memory each idle session costs.
 */
export async function idleSessions(
  ctx: ScenarioContext,
  target: IdleTarget,
  requested: number,
): Promise<ConnectionsResult> {
  const { attempted, limitNote } = attemptable(target, requested);
  const group = `idle-${target.system}`;
  const heapBefore = await heapUsed(target);
  const rssBeforeBytes = rssBytes(target.serverPid);
  const { results, connectAllMs, cpu } = await openIdle(ctx, target, group, attempted);
  // Let the server finish the upgrades' garbage and settle before reading its memory.
  await sleep(3_000);
  const rssAfterBytes = rssBytes(target.serverPid);
  const heapAfter = await heapUsed(target);
  await ctx.pool.all('close', { group });
  const connected = results.reduce((n, r) => n + r.connected, 0);
  const result: ConnectionsResult = {
    system: target.system,
    requested,
    attempted,
    limitNote,
    connected,
    failures: sumCounts(results.map((r) => r.failures)),
    connectAllMs,
    connectsPerSec: connected / (connectAllMs / 1000),
    connectLatency: Histogram.merged(results.map((r) => r.connectLatency)).summary(),
    rssBeforeBytes,
    rssAfterBytes,
    rssPerSessionBytes: connected === 0 ? Number.NaN : (rssAfterBytes - rssBeforeBytes) / connected,
    heapPerSessionBytes:
      Number.isNaN(heapAfter) || connected === 0 ? undefined : (heapAfter - heapBefore) / connected,
    cpu,
  };
  ctx.log(
    `connections ${target.system}: ${connected}/${attempted} in ${Math.round(connectAllMs)} ms, ${(result.rssPerSessionBytes / 1024).toFixed(1)} KiB RSS per session`,
  );
  await sleep(1_000);
  return result;
}

/** Scenario 3: idle authenticated sessions on one of our gateways. */
export function runConnections(ctx: ScenarioContext, stack: BenchStack): Promise<ConnectionsResult> {
  return idleSessions(
    ctx,
    {
      system: 'lfs',
      protocol: 'lfs',
      url: stack.gatewayUrl(0),
      serverPid: stack.gatewayPid(0),
      metricsUrl: stack.httpUrl(0),
      pids: stack.pids(),
    },
    ctx.options.connections,
  );
}
