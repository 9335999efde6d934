export {
  MONGO_CLIENT_OPTIONS,
  commonConfigShape,
  envBoolean,
  jetStreamConfigShape,
  loadConfig,
  mongoConfigShape,
} from './config.ts';
export { stopOnSignals, type Stoppable } from './lifecycle.ts';
export { createLogger, type Logger } from './logger.ts';
export { connectNats, serverAtLeast, type NatsHandle } from './nats.ts';
export { opsHandler, startOpsServer, type ReadinessCheck } from './ops-server.ts';
export { ensureLogStream } from './log-stream.ts';
export {
  creatingWithReplicas,
  ensureConsumerReplicas,
  ensureReplicas,
  JetStreamReplicasError,
} from './replicas.ts';
export { retryUntilDone } from './retry.ts';
