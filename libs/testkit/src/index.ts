export { freePort } from './free-port.ts';
export { captureLogs, type CapturedLogs } from './log-capture.ts';
export { uniqueName } from './names.ts';
export {
  FERRETDB_VERSION,
  NATS_SERVER_VERSION,
  binCacheDir,
  ferretDbBinary,
  natsServerBinary,
  serviceNode,
  serviceNodeFlags,
} from './paths.ts';
export { ServerProcess, type ServerProcessOptions } from './server-process.ts';
export { startFerretDb, startNatsServer, type RunningServer } from './servers.ts';
export { addFerretDbPostgresqlIndexes, psql } from './ferretdb-postgresql.ts';
export { WsTestClient } from './ws-test-client.ts';
export { controlReading, type ControlledReading } from './socket-reading.ts';
export type { MessageOf, ReceivedFrame, ServerMessageType, UnparsedFrame } from './received-frame.ts';
export { waitUntilReady } from './wait-ready.ts';
export { sequencedBatch } from './fixtures.ts';
export { storedEventDocuments } from './stored-events.ts';
export { FakeClock } from '@lfsync/client/testing';
export {
  startNatsCluster,
  type NatsCluster,
  type NatsClusterOptions,
  type NatsNode,
} from './nats-cluster.ts';
export { freeSubnet, netnsUnavailable } from './cluster-network.ts';
export { findContainerRuntime, type ContainerRuntime } from './containers/container-runtime.ts';
export {
  startMongoReplicaSet,
  type MongoReplicaSetEndpoints,
} from './containers/mongo-replica-set-containers.ts';
export {
  startNatsClusterContainers,
  type NatsClusterEndpoints,
} from './containers/nats-cluster-containers.ts';
export { runKubectl, startKubeApiServer, type KubeApiServer, type KubectlResult } from './kube-api-server.ts';
