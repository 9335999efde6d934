import { describe, expect, it } from 'vitest';
import { formatReport, runChaos, type ChaosOptions } from './chaos-run.ts';
import { chooseClusterNetwork } from './partition-support.ts';

describe('crash test on a NATS cluster (short)', () => {
  it('keeps I1–I5 while NATS nodes (leaders included) are killed, stalled and partitioned next to the other faults', async () => {
    const options: ChaosOptions = {
      durationMs: 20_000,
      clients: 6,
      repositories: 3,
      faultEveryMs: 1_000,
      pushEveryMs: 100,
      seed: Number(process.env['CHAOS_SEED'] ?? Date.now() % 100_000),
      natsCluster: { size: 3, network: chooseClusterNetwork((line) => console.log(line)) },
      sequencers: 2,
      persisters: 2,
    };
    const report = await runChaos(options);
    console.log(formatReport(report, options));
    const natsFaults = Object.entries(report.faults).filter(([kind]) => kind.startsWith('nats'));
    expect(natsFaults.reduce((n, [, count]) => n + count, 0)).toBeGreaterThanOrEqual(3);
    expect(report.pushed).toBeGreaterThan(100);
    expect(report.violations).toEqual([]);
    expect(report.acked).toBe(report.pushed);
    expect(report.stored).toBe(report.pushed);
  }, 240_000);
});
