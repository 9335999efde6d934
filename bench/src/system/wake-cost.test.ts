import { describe, expect, it } from 'vitest';
import { cpuNs } from './proc.ts';
import { measureWakeCost } from './wake-cost.ts';

describe('measureWakeCost', () => {
  it('times real round trips to an echo process, back to back and with both asleep in between', async () => {
    const cost = await measureWakeCost({ busyCount: 100, idleCount: 10, gapMs: 5 });
    expect(cost.busy.count).toBe(100);
    expect(cost.idle).toMatchObject({ count: 10, gapMs: 5 });
    for (const r of [cost.busy, cost.idle]) {
      expect(r.rttP50Us).toBeGreaterThan(0);
      // Each round trip runs code in both processes; a wrong pid or field would read as (nearly) nothing.
      expect(r.cpuUsPerRoundTrip).toBeGreaterThan(5);
      expect(r.cpuUsPerRoundTrip).toBeLessThan(100_000);
    }
  });

  it('counts the CPU of a process exactly, in nanoseconds', () => {
    const before = cpuNs(process.pid);
    const until = performance.now() + 20;
    while (performance.now() < until);
    expect(cpuNs(process.pid) - before).toBeGreaterThanOrEqual(15e6);
  });
});
