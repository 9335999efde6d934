import { describe, expect, it } from 'vitest';
import { runChaosPrintingLogsOnFailure } from './chaos-logs.ts';
import { formatReport } from './chaos-run.ts';
import { clusterShortChaosOptions } from './short-options.ts';

describe('crash test on a 3-node NATS cluster (short)', () => {
  it('keeps I1–I5 while NATS nodes (leaders included) and every service are killed, stalled and partitioned', async () => {
    const options = clusterShortChaosOptions((line) => console.log(line));
    const report = await runChaosPrintingLogsOnFailure(options);
    console.log(formatReport(report, options));
    const faults = Object.entries(report.faults);
    expect(faults.reduce((n, [, count]) => n + count, 0)).toBeGreaterThanOrEqual(8);
    const natsFaults = faults.filter(([fault]) => fault.startsWith('nats node'));
    expect(natsFaults.reduce((n, [, count]) => n + count, 0)).toBeGreaterThanOrEqual(2);
    expect(report.pushed).toBeGreaterThan(100);
    expect(report.violations).toEqual([]);
    expect(report.acked).toBe(report.pushed);
    expect(report.stored).toBe(report.pushed);
  }, 300_000);
});
