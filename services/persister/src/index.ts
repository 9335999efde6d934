export { startPersister, type Persister } from './app.ts';
export { persisterConfigSchema, type PersisterConfig } from './config.ts';
export { runPersister, type PersisterOptions } from './run-persister.ts';
export { createPersisterMetrics, type PersisterMetrics } from './metrics.ts';
export { reportPersisterStats } from './stats.ts';
