import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ServerProcess,
  freePort,
  startFerretDb,
  startNatsServer,
  uniqueName,
  type RunningServer,
} from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';
import type { StageSource } from '../scenarios/stage-metrics.ts';
import { BENCH_JWT_SECRET } from './tokens.ts';

const root = resolve(import.meta.dirname, '../../..');

export type ServiceName = 'gateway' | 'sequencer' | 'persister';

export interface BenchStackOptions {
  gateways: number;
  /** Extra env for every service. */
  env?: Record<string, string>;
  /** When set, every service runs under `--cpu-prof` and writes its profile into `<dir>/<service>/` on exit. */
  profileDir?: string;
  /** Modules each service imports before its own code (bench/src/experiments/<name>.ts). */
  experiments?: readonly string[];
}

export interface ServiceProcess {
  /** `gateway0`, `gateway1`, `sequencer`, `persister`. */
  label: string;
  name: ServiceName;
  process: ServerProcess;
  profileDir: string | undefined;
}

export interface BenchStack {
  readonly gateways: ServiceProcess[];
  readonly services: ServiceProcess[];
  readonly nats: RunningServer;
  readonly mongo: RunningServer;
  gatewayUrl(index: number): string;
  httpUrl(index: number): string;
  gatewayPid(index: number): number;
  /** Every server process by label (services, nats, ferretdb), for CPU accounting. */
  pids(): Record<string, number | undefined>;
  /** The services' own latency histograms, for a per-stage breakdown. */
  stageSources(): StageSource[];
  db(): Db;
  /** Stops everything; returns the CPU profiles written, by service label. */
  stop(): Promise<Array<{ label: string; file: string }>>;
}

/**
 * The harness's process stack (tests/src/process-stack.ts) again, with one difference: services can run
 * under `--cpu-prof`. Node 20 refuses `--cpu-prof` in NODE_OPTIONS, so the flag must be on the command line,
 * which that harness does not expose. Same servers (testkit's nats-server and FerretDB), same env names.
 */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const nats = await startNatsServer();
  const mongo = await startFerretDb();
  const databaseName = uniqueName('bench');
  const common = {
    NATS_URL: nats.url,
    MONGO_URL: mongo.url,
    MONGO_DB: databaseName,
    BUS_PREFIX: uniqueName('b'),
    LOG_LEVEL: 'warn',
    // One FerretDB node, no replication: `majority` would mean the same as `1`.
    MONGO_WRITE_CONCERN: '1',
    JWT_SECRET: BENCH_JWT_SECRET,
    ...options.env,
  };

  const experimentArgs = (options.experiments ?? []).flatMap((e) => [
    '--import',
    pathToFileURL(join(root, 'bench/src/experiments', `${e}.ts`)).href,
  ]);
  const service = async (name: ServiceName, label: string, portVariable: string): Promise<ServiceProcess> => {
    const port = await freePort();
    const profileDir = options.profileDir === undefined ? undefined : join(options.profileDir, label);
    if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
    const profileArgs = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
    return {
      label,
      name,
      profileDir,
      process: new ServerProcess({
        name: label,
        command: process.execPath,
        args: [
          ...profileArgs,
          '--import',
          'tsx',
          ...experimentArgs,
          join(root, `services/${name}/src/main.ts`),
        ],
        port,
        env: { ...common, [portVariable]: String(port), HOST: '127.0.0.1' },
        startTimeoutMs: 90_000,
      }),
    };
  };

  const sequencer = await service('sequencer', 'sequencer', 'OPS_PORT');
  const persister = await service('persister', 'persister', 'OPS_PORT');
  const gateways = await Promise.all(
    Array.from({ length: options.gateways }, (_, i) => service('gateway', `gateway${i}`, 'PORT')),
  );
  const services = [sequencer, persister, ...gateways];
  try {
    await Promise.all([sequencer.process.start(), persister.process.start()]);
    await Promise.all(gateways.map((g) => g.process.start()));
  } catch (err) {
    await Promise.all(services.map((s) => s.process.stop()));
    await nats.dispose();
    await mongo.dispose();
    throw err;
  }
  const client = await MongoClient.connect(mongo.url);

  const gateway = (index: number) => {
    const g = gateways[index];
    if (g === undefined) throw new Error(`no gateway ${index}`);
    return g.process;
  };

  return {
    gateways,
    services,
    nats,
    mongo,
    gatewayUrl: (index) => `ws://127.0.0.1:${gateway(index).port}/sync`,
    httpUrl: (index) => `http://127.0.0.1:${gateway(index).port}`,
    gatewayPid: (index) => gateway(index).pid ?? Number.NaN,
    pids: () => ({
      ...Object.fromEntries(services.map((s) => [s.label, s.process.pid])),
      'nats-server': nats.process.pid,
      ferretdb: mongo.process.pid,
    }),
    stageSources: () => {
      const url = (s: ServiceProcess) => `http://127.0.0.1:${s.process.port}`;
      const gatewayUrls = gateways.map(url);
      return [
        {
          stage: 'gateway: push → durable ack',
          urls: gatewayUrls,
          metric: 'gateway_push_ack_duration_seconds',
        },
        {
          stage: 'sequencer: sequence request',
          urls: [url(sequencer)],
          metric: 'sequencer_request_duration_seconds',
        },
        {
          stage: 'persister: DB write (insert + heads)',
          urls: [url(persister)],
          metric: 'persister_db_write_duration_seconds',
        },
        {
          stage: 'persister: events per DB write',
          urls: [url(persister)],
          metric: 'persister_group_events',
          unitless: true,
        },
      ];
    },
    db: () => client.db(databaseName),
    async stop() {
      // Gateways first (they close their sessions), then the pipeline; SIGTERM lets --cpu-prof write its file.
      await Promise.all(gateways.map((g) => g.process.stop()));
      await Promise.all([sequencer.process.stop(), persister.process.stop()]);
      await client.close();
      await nats.dispose();
      await mongo.dispose();
      const profiles: Array<{ label: string; file: string }> = [];
      for (const s of services) {
        if (s.profileDir === undefined) continue;
        // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread; the others are
        // worker threads (the ESM loader-hooks thread tsx runs in), idle while the service works.
        for (const file of readdirSync(s.profileDir)) {
          if (/\.\d+\.0\.\d+\.cpuprofile$/.test(file))
            profiles.push({ label: s.label, file: join(s.profileDir, file) });
        }
      }
      return profiles;
    },
  };
}
