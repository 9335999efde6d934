import { describe, expect, it } from 'vitest';
import { runChaosPrintingLogsOnFailure } from './chaos-logs.ts';
import { formatReport } from './chaos-run.ts';
import { shortChaosOptions } from './short-options.ts';

describe('crash test (short)', () => {
  it('keeps I1–I5 while gateways, sequencer, persister, NATS and the database are killed and stalled', async () => {
    const options = shortChaosOptions();
    const report = await runChaosPrintingLogsOnFailure(options);
    console.log(formatReport(report, options));
    expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6);
    expect(report.pushed).toBeGreaterThan(100);
    expect(report.violations).toEqual([]);
    expect(report.acked).toBe(report.pushed);
    expect(report.stored).toBe(report.pushed);
  }, 240_000);
});
