import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(10, 3, clock);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([0, 0, 0]);
    expect(limiter.take()).toBe(100);
    await clock.advance(100);
    expect(limiter.take()).toBe(0);
    expect(limiter.take()).toBeGreaterThan(0);
  });
  it('never stores more than the burst', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(10, 2, clock);
    await clock.advance(60_000);
    expect([limiter.take(), limiter.take()]).toEqual([0, 0]);
    expect(limiter.take()).toBeGreaterThan(0);
  });
});
