import { httpGet } from './context.ts';

/**
 * Server-side latency per pipeline stage, from the services' own Prometheus histograms (scraped before and
 * after a window, so only the window counts). It separates the time inside the services from the time the
 * load generators add, and shows which stage a push→ack spends its time in.
 */

export interface StageLatency {
  stage: string;
  metric: string;
  /** Observations in the window. */
  count: number;
  perSec: number;
  meanMs: number;
  /** Estimated from the histogram buckets (linear within a bucket, as Prometheus' histogram_quantile). */
  p50Ms: number;
  p99Ms: number;
  /** False when a service did not answer /metrics (e.g. a saturated gateway) before or after the window. */
  available: boolean;
}

interface HistogramSample {
  failed?: boolean;
  /** Cumulative counts by upper bound (seconds, +Inf last). */
  buckets: Array<[number, number]>;
  sum: number;
  count: number;
}

export interface StageSource {
  stage: string;
  /** Base URLs whose /metrics expose `metric` (several gateways are merged). */
  urls: string[];
  metric: string;
  /** The histogram counts something other than seconds (e.g. events per group): no ms conversion. */
  unitless?: boolean;
}

export type StageSnapshot = Map<string, HistogramSample>;

export async function scrapeStages(sources: readonly StageSource[]): Promise<StageSnapshot> {
  const snapshot: StageSnapshot = new Map();
  for (const source of sources) {
    const merged: HistogramSample = { buckets: [], sum: 0, count: 0 };
    for (const url of source.urls) {
      const text = await httpGet(`${url}/metrics`).catch(() => undefined);
      if (text === undefined) {
        merged.failed = true;
        continue;
      }
      const sample = parseHistogram(text, source.metric);
      merged.sum += sample.sum;
      merged.count += sample.count;
      for (const [le, n] of sample.buckets) {
        const existing = merged.buckets.find((b) => b[0] === le);
        if (existing === undefined) merged.buckets.push([le, n]);
        else existing[1] += n;
      }
    }
    merged.buckets.sort((a, b) => a[0] - b[0]);
    snapshot.set(source.stage, merged);
  }
  return snapshot;
}

export function stageLatencies(
  sources: readonly StageSource[],
  before: StageSnapshot,
  after: StageSnapshot,
  seconds: number,
): StageLatency[] {
  return sources.map((source) => {
    const a = before.get(source.stage) ?? { buckets: [], sum: 0, count: 0 };
    const b = after.get(source.stage) ?? { buckets: [], sum: 0, count: 0 };
    const buckets = b.buckets.map(
      ([le, n]) => [le, n - (a.buckets.find((x) => x[0] === le)?.[1] ?? 0)] as [number, number],
    );
    const count = b.count - a.count;
    const scale = source.unitless === true ? 1 : 1000;
    return {
      stage: source.stage,
      metric: source.metric,
      available: a.failed !== true && b.failed !== true && count >= 0,
      count,
      perSec: count / seconds,
      meanMs: count === 0 ? Number.NaN : ((b.sum - a.sum) / count) * scale,
      p50Ms: quantile(buckets, count, 0.5) * scale,
      p99Ms: quantile(buckets, count, 0.99) * scale,
    };
  });
}

/** One log line: `stage p50/p99` for each stage that saw observations. */
export function describeStages(stages: readonly StageLatency[]): string {
  if (stages.some((s) => !s.available)) return 'unavailable: a service did not answer /metrics in time';
  return stages
    .filter((s) => s.count > 0)
    .map(
      (s) =>
        `${s.stage} ${s.p50Ms.toFixed(1)}/${s.p99Ms.toFixed(1)}${s.metric.endsWith('_events') ? '' : ' ms'} (${Math.round(s.perSec)}/s)`,
    )
    .join('; ');
}

function parseHistogram(text: string, metric: string): HistogramSample {
  const sample: HistogramSample = { buckets: [], sum: 0, count: 0 };
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${metric}_bucket`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      const existing = sample.buckets.find((b) => b[0] === bound);
      if (existing === undefined) sample.buckets.push([bound, value]);
      else existing[1] += value;
    } else if (line.startsWith(`${metric}_sum`)) sample.sum += value;
    else if (line.startsWith(`${metric}_count`)) sample.count += value;
  }
  return sample;
}

function quantile(buckets: ReadonlyArray<[number, number]>, count: number, q: number): number {
  if (count <= 0) return Number.NaN;
  const rank = q * count;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (!Number.isFinite(bound)) return previousBound;
      const inBucket = cumulative - previousCount;
      return inBucket <= 0
        ? bound
        : previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = cumulative;
  }
  return previousBound;
}
