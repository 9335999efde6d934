/**
 * A mergeable latency histogram with logarithmic buckets (each 1% wider than the last), so that generator
 * processes can record millions of samples cheaply and the parent can merge them and read percentiles with
 * ≤ 1% error. Values are microseconds; summaries are milliseconds.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export interface HistogramSnapshot {
  /** `[bucketIndex, count]` pairs, ascending. */
  buckets: Array<[number, number]>;
  count: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class Histogram {
  readonly #counts = new Map<number, number>();
  #count = 0;
  #sumUs = 0;
  #minUs = Number.POSITIVE_INFINITY;
  #maxUs = Number.NEGATIVE_INFINITY;

  static from(snapshot: HistogramSnapshot): Histogram {
    const histogram = new Histogram();
    histogram.merge(snapshot);
    return histogram;
  }

  static merged(snapshots: readonly HistogramSnapshot[]): Histogram {
    const histogram = new Histogram();
    for (const snapshot of snapshots) histogram.merge(snapshot);
    return histogram;
  }

  get count(): number {
    return this.#count;
  }

  record(valueUs: number): void {
    const value = valueUs > 0 ? valueUs : 0;
    const index = bucketOf(value);
    this.#counts.set(index, (this.#counts.get(index) ?? 0) + 1);
    this.#count += 1;
    this.#sumUs += value;
    if (value < this.#minUs) this.#minUs = value;
    if (value > this.#maxUs) this.#maxUs = value;
  }

  merge(other: HistogramSnapshot | Histogram): void {
    const snapshot = other instanceof Histogram ? other.snapshot() : other;
    if (snapshot.count === 0) return;
    for (const [index, count] of snapshot.buckets)
      this.#counts.set(index, (this.#counts.get(index) ?? 0) + count);
    this.#count += snapshot.count;
    this.#sumUs += snapshot.sumUs;
    this.#minUs = Math.min(this.#minUs, snapshot.minUs);
    this.#maxUs = Math.max(this.#maxUs, snapshot.maxUs);
  }

  reset(): void {
    this.#counts.clear();
    this.#count = 0;
    this.#sumUs = 0;
    this.#minUs = Number.POSITIVE_INFINITY;
    this.#maxUs = Number.NEGATIVE_INFINITY;
  }

  /** The value at percentile `p` (0–100), µs: the geometric middle of its bucket, clamped to [min, max]. */
  percentileUs(p: number): number {
    if (this.#count === 0) return Number.NaN;
    if (p <= 0) return this.#minUs;
    if (p >= 100) return this.#maxUs;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (const index of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(index) ?? 0;
      if (seen >= rank) return Math.min(this.#maxUs, Math.max(this.#minUs, representative(index)));
    }
    return this.#maxUs;
  }

  snapshot(): HistogramSnapshot {
    return {
      buckets: [...this.#counts.entries()].sort((a, b) => a[0] - b[0]),
      count: this.#count,
      sumUs: this.#sumUs,
      minUs: this.#count === 0 ? 0 : this.#minUs,
      maxUs: this.#count === 0 ? 0 : this.#maxUs,
    };
  }

  summary(): LatencySummary {
    const ms = (us: number) => (Number.isNaN(us) ? Number.NaN : us / 1000);
    return {
      count: this.#count,
      meanMs: this.#count === 0 ? Number.NaN : this.#sumUs / this.#count / 1000,
      minMs: ms(this.#count === 0 ? Number.NaN : this.#minUs),
      p50Ms: ms(this.percentileUs(50)),
      p90Ms: ms(this.percentileUs(90)),
      p95Ms: ms(this.percentileUs(95)),
      p99Ms: ms(this.percentileUs(99)),
      p999Ms: ms(this.percentileUs(99.9)),
      maxMs: ms(this.#count === 0 ? Number.NaN : this.#maxUs),
    };
  }
}

/** Bucket 0 holds [0, 1) µs; bucket i ≥ 1 holds [GROWTH^(i-1), GROWTH^i). */
function bucketOf(valueUs: number): number {
  return valueUs < 1 ? 0 : 1 + Math.floor(Math.log(valueUs) / LOG_GROWTH);
}

function representative(index: number): number {
  if (index === 0) return 0.5;
  return Math.exp((index - 0.5) * LOG_GROWTH);
}

/** Exact percentile of a small sample set (sorted copy); used where every value is kept. */
export function exactPercentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
