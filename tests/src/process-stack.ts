import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ServerProcess,
  freePort,
  startFerretDb,
  startNatsCluster,
  startNatsServer,
  serviceNode,
  serviceNodeFlags,
  uniqueName,
  type NatsCluster,
  type RunningServer,
} from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';
import { TEST_JWT_SECRET, signTestToken } from './tokens.ts';

const root = resolve(import.meta.dirname, '../..');

export interface ProcessStackOptions {
  gateways?: number;
  sequencers?: number;
  persisters?: number;
  /** Extra env for every service (e.g. limits). */
  env?: Record<string, string>;
  /** A NATS cluster of this many nodes instead of one server; the services keep min(size, 3) replicas. */
  natsCluster?: { size: number; network: 'loopback' | 'netns' };
  /** Use these servers instead of starting (killable) ones of its own. */
  natsUrl?: string;
  mongoUrl?: string;
  /** Keep every service's output in `<logDir>/<service><n>.log`. */
  logDir?: string;
  /**
   * Per gateway, the checkout to run it from (default: this one): another version of the gateway, on the
   * same bus, for A/B measurements in one run.
   */
  gatewayRoots?: ReadonlyArray<string | undefined>;
}

export interface ProcessStack {
  readonly nats: RunningServer | undefined;
  readonly natsCluster: NatsCluster | undefined;
  readonly mongo: RunningServer | undefined;
  readonly gateways: ServerProcess[];
  readonly sequencers: ServerProcess[];
  readonly persisters: ServerProcess[];
  readonly natsUrl: string;
  /** The services' BUS_PREFIX. */
  readonly busPrefix: string;
  readonly mongoUrl: string;
  gatewayUrl(index?: number): string;
  httpUrl(index?: number): string;
  token: typeof signTestToken;
  db(): Db;
  stop(): Promise<void>;
}

/**
 * Every service in its own OS process (`node --import tsx services/<name>/src/main.ts`), with its own
 * NATS (JetStream on disk) and FerretDB, so that any of them can be SIGKILLed, stopped and restarted in
 * place: for crash tests and benchmarks.
 */
export async function startProcessStack(options: ProcessStackOptions = {}): Promise<ProcessStack> {
  if (options.logDir !== undefined) mkdirSync(options.logDir, { recursive: true });
  const logFile = (name: string) =>
    options.logDir === undefined ? {} : { logFile: join(options.logDir, `${name}.log`) };
  const natsCluster =
    options.natsCluster === undefined
      ? undefined
      : await startNatsCluster(options.natsCluster.size, {
          network: options.natsCluster.network,
          ...(options.logDir === undefined ? {} : { logDir: options.logDir }),
        });
  const nats =
    options.natsUrl === undefined && natsCluster === undefined
      ? await startNatsServer(logFile('nats'))
      : undefined;
  const mongo = options.mongoUrl === undefined ? await startFerretDb(logFile('ferretdb')) : undefined;
  const natsUrl = options.natsUrl ?? natsCluster?.url ?? (nats as RunningServer).url;
  const mongoUrl = options.mongoUrl ?? (mongo as RunningServer).url;
  const common = {
    NATS_URL: natsUrl,
    MONGO_URL: mongoUrl,
    MONGO_DB: uniqueName('db'),
    BUS_PREFIX: uniqueName('p'),
    LOG_LEVEL: 'warn',
    MONGO_WRITE_CONCERN: 'majority',
    JWT_SECRET: TEST_JWT_SECRET,
    ...(natsCluster === undefined ? {} : { NATS_REPLICAS: String(Math.min(3, natsCluster.nodes.length)) }),
    ...options.env,
  };
  const started = new Map<string, number>();
  const service = async (name: 'gateway' | 'sequencer' | 'persister', portVariable: string) => {
    const n = started.get(name) ?? 0;
    started.set(name, n + 1);
    const port = await freePort();
    const serviceRoot = (name === 'gateway' ? options.gatewayRoots?.[n] : undefined) ?? root;
    return new ServerProcess({
      name,
      command: serviceNode(),
      args: [...serviceNodeFlags(name), '--import', 'tsx', join(serviceRoot, `services/${name}/src/main.ts`)],
      port,
      env: { ...common, [portVariable]: String(port), HOST: '127.0.0.1' },
      startTimeoutMs: 60_000,
      ...logFile(`${name}${n}`),
    });
  };
  const sequencers = await Promise.all(
    Array.from({ length: options.sequencers ?? 1 }, () => service('sequencer', 'OPS_PORT')),
  );
  const persisters = await Promise.all(
    Array.from({ length: options.persisters ?? 1 }, () => service('persister', 'OPS_PORT')),
  );
  const gateways = await Promise.all(
    Array.from({ length: options.gateways ?? 1 }, () => service('gateway', 'PORT')),
  );
  await Promise.all([...sequencers, ...persisters].map((p) => p.start()));
  await Promise.all(gateways.map((p) => p.start()));
  const client = await MongoClient.connect(mongoUrl);

  const gateway = (index: number) => {
    const g = gateways[index];
    if (g === undefined) throw new Error(`no gateway ${index}`);
    return g;
  };
  return {
    nats,
    natsCluster,
    mongo,
    gateways,
    sequencers,
    persisters,
    natsUrl,
    busPrefix: common.BUS_PREFIX,
    mongoUrl,
    gatewayUrl: (index = 0) => `ws://127.0.0.1:${gateway(index).port}/sync`,
    httpUrl: (index = 0) => `http://127.0.0.1:${gateway(index).port}`,
    token: signTestToken,
    db: () => client.db(common.MONGO_DB),
    async stop() {
      await Promise.all([...gateways, ...persisters, ...sequencers].map((p) => p.stop()));
      await client
        .db(common.MONGO_DB)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
      await nats?.dispose();
      await natsCluster?.dispose();
      await mongo?.dispose();
    },
  };
}
