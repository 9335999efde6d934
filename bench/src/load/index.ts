/** What other workspaces reuse of the load generators and probes (the measurements in tests/src/ha and tests/src/measure). */
export { runIngest } from './ingest-runner.ts';
export { nowUs, type IngestParams, type IngestResult } from './messages.ts';
export { BENCH_JWT_SECRET, signToken } from '../stack/tokens.ts';
export { Histogram } from '../stats/histogram.ts';
export { cpuSeconds } from '../system/proc.ts';
