/** `npm run chaos:short`: the crash test that `npm test` runs, on its own. Exit code 1 on any violation. */
import { formatReport, runChaos } from './chaos-run.ts';
import { shortChaosOptions } from './short-options.ts';

const options = shortChaosOptions();
const report = await runChaos(options);
console.log(formatReport(report, options));
const faults = Object.values(report.faults).reduce((a, b) => a + b, 0);
process.exit(report.violations.length === 0 && report.acked === report.pushed && faults >= 6 ? 0 : 1);
