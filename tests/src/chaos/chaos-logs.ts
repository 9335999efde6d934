import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChaos, type ChaosOptions, type ChaosReport } from './chaos-run.ts';

/** Whether a run kept every invariant and had every event acked and stored. */
export function chaosPassed(report: ChaosReport): boolean {
  return report.violations.length === 0 && report.acked === report.pushed && report.stored === report.pushed;
}

/**
 * `runChaos` with each service's output kept in a temporary folder; after a failed run, the last lines each
 * service logged (warnings and errors) are printed — all a failure in CI leaves to go on.
 */
export async function runChaosPrintingLogsOnFailure(options: ChaosOptions, lines = 40): Promise<ChaosReport> {
  const logDir = mkdtempSync(join(tmpdir(), 'lfs-chaos-'));
  try {
    const report = await runChaos({ ...options, logDir });
    if (!chaosPassed(report))
      for (const file of readdirSync(logDir).filter((f) => f.endsWith('.log'))) {
        const tail = readFileSync(join(logDir, file), 'utf8').trimEnd().split('\n').slice(-lines);
        console.log(`--- ${file} (last ${tail.length} lines)\n${tail.join('\n')}`);
      }
    return report;
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}
