/** `npm run chaos:cluster-short`: the cluster crash test that `npm test` runs, on its own. Exit code 1 on any violation. */
import { formatReport, runChaos } from './chaos-run.ts';
import { clusterShortChaosOptions } from './short-options.ts';

const options = clusterShortChaosOptions((line) => console.log(line));
const report = await runChaos(options);
console.log(formatReport(report, options));
const clean =
  report.violations.length === 0 && report.acked === report.pushed && report.stored === report.pushed;
process.exit(clean ? 0 : 1);
