import type { SyncClaim } from '@lfsync/contracts';
import { gatewayConfigSchema, startGateway, type Gateway, type GatewayConfig } from '@lfsync/gateway';
import { persisterConfigSchema, startPersister, type Persister } from '@lfsync/persister';
import { sequencerConfigSchema, startSequencer, type Sequencer } from '@lfsync/sequencer';
import { captureLogs, uniqueName, type CapturedLogs } from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';

import { TEST_JWT_SECRET, signTestToken } from './tokens.ts';

export { TEST_JWT_SECRET };

export interface StackOptions {
  natsUrl: string;
  mongoUrl: string;
  gateways?: number;
  sequencers?: number;
  persisters?: number;
  gatewayEnv?: Partial<Record<keyof GatewayConfig, string>>;
  /** Extra env for the sequencers and persisters (e.g. NATS_REPLICAS). */
  serviceEnv?: Record<string, string>;
  logLevel?: 'debug' | 'info' | 'warn';
}

export interface TestStack {
  readonly prefix: string;
  /** Everything the services logged (level from `logLevel`, default warn). */
  readonly logs: CapturedLogs;
  readonly database: string;
  gatewayUrl(index?: number): string;
  httpUrl(index?: number): string;
  token(
    subject: string,
    claim?: Partial<SyncClaim>,
    options?: { expiresInSec?: number; roles?: string[] },
  ): Promise<string>;
  /** The gateway's ops server (`/metrics`, `/admin`, …); only with `OPS_PORT` in `gatewayEnv`. */
  opsUrl(index?: number): string;
  /** The stack's MongoDB database, to check what is stored. */
  db(): Db;
  stopGateway(index: number): Promise<void>;
  startGateway(index: number): Promise<void>;
  restartSequencer(index: number): Promise<void>;
  restartPersister(index: number): Promise<void>;
  /** Stops a persister (the log then only grows); `startPersister` brings it back. */
  stopPersister(index: number): Promise<void>;
  startPersister(index: number): Promise<void>;
  /** A sequencer's or persister's Prometheus text (its ops server). */
  metrics(service: 'sequencer' | 'persister', index?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The real services, in-process, on free ports, against the test run's NATS and MongoDB-wire servers;
 * isolated from other stacks by a unique bus prefix and database.
 */
export async function startStack(options: StackOptions): Promise<TestStack> {
  const prefix = uniqueName('p');
  const database = uniqueName('db');
  const logs = captureLogs(options.logLevel ?? 'warn');
  const logger = logs.logger;
  const common = { NATS_URL: options.natsUrl, BUS_PREFIX: prefix, LOG_LEVEL: 'warn' };
  const mongoEnv = { MONGO_URL: options.mongoUrl, MONGO_DB: database };
  const gatewayConfig = gatewayConfigSchema.parse({
    ...common,
    ...mongoEnv,
    PORT: '0',
    HOST: '127.0.0.1',
    ...(options.gatewayEnv?.JWT_PUBLIC_KEY === undefined && options.gatewayEnv?.JWT_JWKS_URL === undefined
      ? { JWT_SECRET: TEST_JWT_SECRET }
      : {}),
    PING_INTERVAL_MS: '2000',
    ...options.gatewayEnv,
  });
  const sequencerConfig = sequencerConfigSchema.parse({
    ...common,
    ...mongoEnv,
    OPS_PORT: '0',
    ...options.serviceEnv,
  });
  const persisterConfig = persisterConfigSchema.parse({
    ...common,
    ...mongoEnv,
    OPS_PORT: '0',
    MONGO_WRITE_CONCERN: 'majority',
    ...options.serviceEnv,
  });

  const sequencers: Array<Sequencer | undefined> = [];
  for (let i = 0; i < (options.sequencers ?? 1); i++)
    sequencers.push(await startSequencer(sequencerConfig, logger));
  const persisters: Array<Persister | undefined> = [];
  for (let i = 0; i < (options.persisters ?? 1); i++)
    persisters.push(await startPersister(persisterConfig, logger));
  const gateways: Array<Gateway | undefined> = [];
  const ports: number[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++) {
    const gateway = await startGateway(gatewayConfig, logger);
    gateways.push(gateway);
    ports.push(gateway.port);
  }
  const mongo = await MongoClient.connect(options.mongoUrl);

  const port = (index: number) => {
    const p = ports[index];
    if (p === undefined) throw new Error(`no gateway ${index}`);
    return p;
  };

  return {
    prefix,
    database,
    logs,
    gatewayUrl: (index = 0) => `ws://127.0.0.1:${port(index)}/sync`,
    httpUrl: (index = 0) => `http://127.0.0.1:${port(index)}`,
    opsUrl(index = 0) {
      const opsPort = gateways[index]?.opsPort;
      if (opsPort === undefined) throw new Error(`gateway ${index} has no ops port (set OPS_PORT)`);
      return `http://127.0.0.1:${opsPort}`;
    },
    token: signTestToken,
    db: () => mongo.db(database),
    async stopGateway(index) {
      await gateways[index]?.stop();
      gateways[index] = undefined;
    },
    async startGateway(index) {
      if (gateways[index] !== undefined) return;
      gateways[index] = await startGateway({ ...gatewayConfig, PORT: port(index) }, logger);
    },
    async restartSequencer(index) {
      await sequencers[index]?.stop();
      sequencers[index] = await startSequencer(sequencerConfig, logger);
    },
    async restartPersister(index) {
      await persisters[index]?.stop();
      persisters[index] = await startPersister(persisterConfig, logger);
    },
    async stopPersister(index) {
      await persisters[index]?.stop();
      persisters[index] = undefined;
    },
    async startPersister(index) {
      persisters[index] ??= await startPersister(persisterConfig, logger);
    },
    async metrics(service, index = 0) {
      const port = (service === 'sequencer' ? sequencers : persisters)[index]?.opsPort;
      if (port === undefined) throw new Error(`no ${service} ${index}`);
      return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    },
    async stop() {
      for (const g of gateways) await g?.stop();
      for (const p of persisters) await p?.stop();
      for (const s of sequencers) await s?.stop();
      await mongo
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
      await mongo.close();
    },
  };
}
