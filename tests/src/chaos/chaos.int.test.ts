import { describe, expect, it } from 'vitest';
import { formatReport, runChaos, type ChaosOptions } from './chaos-run.ts';

describe('crash test (short)', () => {
  it('keeps I1–I5 while gateways, sequencer, persister, NATS and the database are killed and stalled', async () => {
    const options: ChaosOptions = {
      durationMs: 25_000,
      clients: 6,
      repositories: 3,
      faultEveryMs: 1_200,
      pushEveryMs: 100,
      seed: Number(process.env['CHAOS_SEED'] ?? Date.now() % 100_000),
    };
    const report = await runChaos(options);
    console.log(formatReport(report, options));
    expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6);
    expect(report.pushed).toBeGreaterThan(100);
    expect(report.violations).toEqual([]);
    expect(report.acked).toBe(report.pushed);
    expect(report.stored).toBe(report.pushed);
  }, 240_000);
});
