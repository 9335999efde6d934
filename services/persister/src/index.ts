export { startPersister, type Persister } from './app.ts';
export { persisterConfigSchema, type PersisterConfig } from './config.ts';
export { LogPersister, type CommitPublisher, type LogDelivery } from './domain/log-persister.ts';
export { createPersisterMetrics, type PersisterMetrics } from './metrics.ts';
