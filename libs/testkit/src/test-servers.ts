import { findContainerRuntime } from './containers/container-runtime.ts';
import { startMongoReplicaSet } from './containers/mongo-replica-set-containers.ts';
import { startNatsClusterContainers } from './containers/nats-cluster-containers.ts';
import { startFerretDb, startNatsServer } from './servers.ts';
import {
  chooseTestServers,
  mongoWriteConcernFor,
  type TestServersConfig,
  type TestServersKind,
} from './test-servers-config.ts';

export interface TestServers {
  /** What started the servers that were not given by URL. */
  kind: TestServersKind;
  /** One node's URL: every NATS client takes it (a cluster's other nodes are reached through it). */
  natsUrl: string;
  mongoUrl: string;
  mongoWriteConcern: 'majority' | 1;
  describe(): string;
  dispose(): Promise<void>;
}

interface Started {
  url: string;
  label: string;
  dispose(): Promise<void>;
}

async function startNats(kind: TestServersKind, config: TestServersConfig): Promise<Started> {
  if (kind === 'local') return { ...(await startNatsServer()), label: 'local nats-server' };
  const cluster = await startNatsClusterContainers(config.TEST_NATS_NODES);
  const first = cluster.nodes[0]?.url ?? cluster.url;
  return { url: first, label: `${cluster.nodes.length} nats containers`, dispose: () => cluster.dispose() };
}

async function startMongo(kind: TestServersKind, config: TestServersConfig): Promise<Started> {
  if (kind === 'local') return { ...(await startFerretDb()), label: 'local FerretDB' };
  const set = await startMongoReplicaSet(config.TEST_MONGO_MEMBERS);
  return { url: set.url, label: `mongo replica set of ${set.members}`, dispose: () => set.dispose() };
}

/** Starts what NATS_URL / MONGO_URL do not name: local binaries or containers, as TEST_SERVERS says. */
export async function startTestServers(config: TestServersConfig): Promise<TestServers> {
  const needsServers = config.NATS_URL === undefined || config.MONGO_URL === undefined;
  const runtime = config.TEST_SERVERS === 'local' || !needsServers ? undefined : await findContainerRuntime();
  const kind = needsServers ? chooseTestServers(config.TEST_SERVERS, runtime) : 'local';
  const given = (url: string): Started => ({ url, label: 'given by URL', dispose: () => Promise.resolve() });
  const started: Started[] = [];
  try {
    const nats = config.NATS_URL === undefined ? await startNats(kind, config) : given(config.NATS_URL);
    started.push(nats);
    const mongo = config.MONGO_URL === undefined ? await startMongo(kind, config) : given(config.MONGO_URL);
    started.push(mongo);
    return {
      kind,
      natsUrl: nats.url,
      mongoUrl: mongo.url,
      mongoWriteConcern: mongoWriteConcernFor(config.MONGO_URL === undefined ? kind : 'url', config),
      describe: () => `NATS: ${nats.label}; MongoDB: ${mongo.label}`,
      dispose: async () => {
        await Promise.all(started.map((s) => s.dispose()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.dispose()));
    throw err;
  }
}
