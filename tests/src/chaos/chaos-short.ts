/**
 * `npm run chaos:short`: the short crash test (25 s). Not part of `npm test` for now: it still finds acked
 * events lost under some fault sequences (an open bug, see the closing note of issue 8), and a flaky
 * failure would hide every other result. Exit code 1 on any violation.
 */
import { formatReport, runChaos, type ChaosOptions } from './chaos-run.ts';

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
const faults = Object.values(report.faults).reduce((a, b) => a + b, 0);
process.exit(report.violations.length === 0 && report.acked === report.pushed && faults >= 6 ? 0 : 1);
