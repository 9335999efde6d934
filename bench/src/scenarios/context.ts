import { request } from 'node:http';
import type { WorkerPool } from '../load/pool.ts';
import type { BenchOptions } from '../options.ts';
import { startBenchStack, type BenchStack } from '../stack/bench-stack.ts';
import { CpuMeter } from '../system/proc.ts';

export interface ScenarioContext {
  options: BenchOptions;
  pool: WorkerPool;
  log(line: string): void;
  /** Where this run's CPU profiles go (one folder per scenario); undefined with --no-profile. */
  profileRoot: string | undefined;
}

/**
 * Gateway limits for the bench. The per-session message rate limit (200/s by default) would throttle a
 * closed-loop pusher with millisecond acks, which measures the limiter instead of the pipeline; everything
 * else stays at its default.
 */
export const BENCH_SERVICE_ENV: Record<string, string> = {
  RATE_LIMIT_PER_SEC: '100000',
  RATE_LIMIT_BURST: '100000',
};

/**
 * Runs `work` on a fresh two-gateway stack with the bench's limits (under `--cpu-prof` when `profileDir` is
 * set), then stops it: what `work` returned, and the profile files the services wrote.
 */
export async function onFreshStack<T>(
  ctx: ScenarioContext,
  label: string,
  profileDir: string | undefined,
  work: (stack: BenchStack) => Promise<T>,
): Promise<{ value: T; profiles: Array<{ label: string; file: string }> }> {
  ctx.log(`${label}: starting the stack${profileDir === undefined ? '' : ' under --cpu-prof'}`);
  const stack = await startBenchStack({
    gateways: 2,
    experiments: ctx.options.experiments,
    env: BENCH_SERVICE_ENV,
    ...(profileDir === undefined ? {} : { profileDir }),
  });
  let value: T;
  let profiles: Array<{ label: string; file: string }> = [];
  try {
    value = await work(stack);
  } finally {
    profiles = await stack.stop();
  }
  return { value, profiles };
}

/** Whether the servers have carried a load before this window ('fresh': just started, nothing optimised yet). */
export type StackState = 'fresh' | 'warm';

/** The warm-up before a measuring window, in ms: long on a fresh stack, short after another window. */
export function warmupMs(options: BenchOptions, stack: StackState): number {
  return stack === 'fresh' ? options['stack-warmup-ms'] : options['ingest-warmup-ms'];
}

/** CPU accounting for the stack's processes, the generators and the bench itself. */
export function cpuMeter(ctx: ScenarioContext, servers: Record<string, number | undefined>): CpuMeter {
  return new CpuMeter({ ...servers, generators: ctx.pool.pids(), bench: process.pid });
}

/** Reads one sample of a Prometheus metric from a gateway's /metrics (sum over its label sets). */
export async function metricValue(httpUrl: string, name: string): Promise<number> {
  const text = await httpGet(`${httpUrl}/metrics`);
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  return found ? total : Number.NaN;
}

export function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.end();
  });
}

/** Source addresses 127.0.0.2 … for spreading many client sockets over several ephemeral port ranges. */
export function sourceAddress(index: number, count: number): string {
  return `127.0.0.${2 + (index % Math.max(1, count))}`;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
