export {
  MONGO_CLIENT_OPTIONS,
  commonConfigShape,
  envBoolean,
  envList,
  jetStreamConfigShape,
  loadConfig,
  mongoClientOptions,
  mongoConfigShape,
  type MongoCredentialsConfig,
} from './config.ts';
export { credentialProblems } from './credentials-config.ts';
export { isMongoAuthError } from './mongo-errors.ts';
export {
  natsAuthorizationBlock,
  natsPermissions,
  type NatsPermissions,
  type ServiceRole,
} from './nats-permissions.ts';
export { natsConnectionOptions, type NatsConnectionConfig } from './nats-options.ts';
export { stopOnSignals, type Stoppable } from './lifecycle.ts';
export { createLogger, type Logger } from './logger.ts';
export { connectNats, serverAtLeast, type NatsHandle } from './nats.ts';
export { opsHandler, startOpsServer, type ReadinessCheck } from './ops-server.ts';
export { ensureLogStream } from './log-stream.ts';
export {
  creatingWithReplicas,
  ensureConsumerReplicas,
  ensureReplicas,
  JetStreamPeerOfflineError,
  JetStreamReplicasError,
} from './replicas.ts';
export { retryJetStreamSetup, retryUntilDone } from './retry.ts';
export { natsStatsBus } from './nats-stats-bus.ts';
export { gaugeReadWhenScraped } from './gauge-read-when-scraped.ts';
export { serviceMetricsRegistry } from './service-metrics-registry.ts';
export { RepositoryActivity } from './repository-activity.ts';
export { startStatsPublisher, type StatsPublisherOptions } from './stats-publisher.ts';
