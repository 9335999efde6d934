/** What other workspaces reuse of the load generators (the HA measurements in tests/src/ha). */
export { runIngest } from './ingest-runner.ts';
export { nowUs, type IngestParams, type IngestResult } from './messages.ts';
export { BENCH_JWT_SECRET, signToken } from '../stack/tokens.ts';
export { Histogram } from '../stats/histogram.ts';
