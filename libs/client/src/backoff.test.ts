import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.ts';

const options = { baseMs: 100, capMs: 5_000 };

describe('backoffDelayMs (full jitter)', () => {
  it('stays below min(cap, base·2^attempt) and reaches near it', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(5_000, 100 * 2 ** attempt);
      expect(backoffDelayMs(attempt, options, () => 0)).toBe(0);
      const high = backoffDelayMs(attempt, options, () => 0.999_999);
      expect(high).toBeLessThan(ceiling);
      expect(high).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it('is uniform over the range: the jitter is the random value scaled', () => {
    expect(backoffDelayMs(3, options, () => 0.5)).toBe(400);
    expect(backoffDelayMs(20, options, () => 0.5)).toBe(2_500);
  });

  it('never exceeds the cap, even for huge attempt counts or a random() out of range', () => {
    expect(backoffDelayMs(10_000, options, () => 0.99)).toBeLessThanOrEqual(5_000);
    expect(backoffDelayMs(2, options, () => 7)).toBeLessThanOrEqual(400);
    expect(backoffDelayMs(2, options, () => -1)).toBe(0);
  });
});
