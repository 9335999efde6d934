import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([0, 0, 0]);
    expect(limiter.take()).toBe(100);
    now += 100;
    expect(limiter.take()).toBe(0);
    expect(limiter.take()).toBeGreaterThan(0);
  });
  it('never stores more than the burst', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 2, () => now);
    now += 60_000;
    expect([limiter.take(), limiter.take()]).toEqual([0, 0]);
    expect(limiter.take()).toBeGreaterThan(0);
  });
});
