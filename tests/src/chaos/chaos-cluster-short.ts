/** `npm run chaos:cluster-short`: the cluster crash test that `npm test` runs, on its own. Exit code 1 on any violation. */
import { chaosPassed } from './chaos-logs.ts';
import { formatReport, runChaos } from './chaos-run.ts';
import { clusterShortChaosOptions } from './short-options.ts';

const options = clusterShortChaosOptions((line) => console.log(line));
const report = await runChaos(options);
console.log(formatReport(report, options));
process.exit(chaosPassed(report) ? 0 : 1);
