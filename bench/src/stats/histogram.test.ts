import { describe, expect, it } from 'vitest';
import { Histogram, exactPercentile } from './histogram.ts';

describe('Histogram', () => {
  it('reads percentiles within 1% of the exact value', () => {
    const histogram = new Histogram();
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) * 37);
    for (const v of values) histogram.record(v);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(histogram.percentileUs(p) - exact) / exact).toBeLessThan(0.01);
    }
    expect(histogram.percentileUs(100)).toBe(370_000);
    expect(histogram.percentileUs(0)).toBe(37);
  });

  it('merges snapshots as if every value had been recorded in one histogram', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 0; i < 1_000; i++) {
      const value = (i * 7919) % 50_000;
      (i % 2 === 0 ? a : b).record(value);
      all.record(value);
    }
    const merged = Histogram.merged([a.snapshot(), b.snapshot()]);
    expect(merged.summary()).toEqual(all.summary());
  });

  it('summarises in milliseconds and reports an empty histogram as NaN', () => {
    const histogram = new Histogram();
    expect(Number.isNaN(histogram.summary().p50Ms)).toBe(true);
    histogram.record(2_000);
    histogram.record(0);
    expect(histogram.summary()).toMatchObject({ count: 2, minMs: 0, maxMs: 2, meanMs: 1 });
  });
});
