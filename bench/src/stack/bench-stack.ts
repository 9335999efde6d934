import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ServerProcess,
  freePort,
  startFerretDb,
  startNatsServer,
  serviceNode,
  serviceNodeFlags,
  uniqueName,
  type RunningServer,
} from '@lfsync/testkit';
import { MongoClient, type Db } from 'mongodb';
import type { StageSource } from '../scenarios/stage-metrics.ts';
import { BENCH_JWT_SECRET } from './tokens.ts';

const root = resolve(import.meta.dirname, '../../..');

type ServiceName = 'gateway' | 'sequencer' | 'persister';

export interface BenchStackOptions {
  gateways: number;
  /** Extra env for every service. */
  env?: Record<string, string>;
  /** When set, every service runs under `--cpu-prof` and writes its profile into `<dir>/<service>/` on exit. */
  profileDir?: string;
  /** Modules each service imports before its own code (bench/src/experiments/<name>.ts). */
  experiments?: readonly string[];
  /**
   * When set, the gateways run with `--expose-gc` and probes/heap-on-signal.ts, answering the heap probe
   * (system/heap-probe.ts) in this folder.
   */
  heapProbeDir?: string;
  /** The gateways' listen address: 127.0.0.1 unless given (`0.0.0.0` for clients in another namespace). */
  gatewayHost?: string;
}

interface ServiceProcess {
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
  /** The persister's ops server (its /metrics). */
  persisterUrl(): string;
  gatewayPid(index: number): number;
  /** Every server process by label (services, nats, ferretdb), for CPU accounting. */
  pids(): Record<string, number | undefined>;
  /** The services' own latency histograms, for a per-stage breakdown. */
  stageSources(): StageSource[];
  db(): Db;
  /** Stops everything; returns the CPU profiles written, by service label. */
  stop(): Promise<Array<{ label: string; file: string }>>;
}

type Env = Record<string, string>;

function serviceEnv(
  nats: RunningServer,
  mongo: RunningServer,
  databaseName: string,
  extra: Env | undefined,
): Env {
  return {
    NATS_URL: nats.url,
    MONGO_URL: mongo.url,
    MONGO_DB: databaseName,
    BUS_PREFIX: uniqueName('b'),
    LOG_LEVEL: 'warn',
    // One FerretDB node, no replication: `majority` would mean the same as `1`.
    MONGO_WRITE_CONCERN: '1',
    JWT_SECRET: BENCH_JWT_SECRET,
    ...extra,
  };
}

/** A service's process, not started yet: on a free port, under `--cpu-prof` when profiling, with experiments. */
async function serviceProcess(
  options: BenchStackOptions,
  env: Env,
  name: ServiceName,
  label: string,
  portVariable: string,
): Promise<ServiceProcess> {
  const port = await freePort();
  const profileDir = options.profileDir === undefined ? undefined : join(options.profileDir, label);
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const profileArgs = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const experimentArgs = (options.experiments ?? []).flatMap((e) => [
    '--import',
    pathToFileURL(join(root, 'bench/src/experiments', `${e}.ts`)).href,
  ]);
  const probe = name === 'gateway' ? options.heapProbeDir : undefined;
  const probeArgs =
    probe === undefined
      ? []
      : ['--expose-gc', '--import', pathToFileURL(join(root, 'bench/src/probes/heap-on-signal.ts')).href];
  return {
    label,
    name,
    profileDir,
    process: new ServerProcess({
      name: label,
      command: serviceNode(),
      args: [
        ...serviceNodeFlags(name),
        ...profileArgs,
        '--import',
        'tsx',
        ...experimentArgs,
        ...probeArgs,
        join(root, `services/${name}/src/main.ts`),
      ],
      port,
      env: {
        ...env,
        [portVariable]: String(port),
        HOST: name === 'gateway' ? (options.gatewayHost ?? '127.0.0.1') : '127.0.0.1',
        ...(probe === undefined ? {} : { BENCH_HEAP_PROBE_DIR: probe }),
      },
      startTimeoutMs: 90_000,
    }),
  };
}

/** The `.cpuprofile` files of the services' main threads. */
function profilesWritten(services: readonly ServiceProcess[]): Array<{ label: string; file: string }> {
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
}

interface StackParts {
  nats: RunningServer;
  mongo: RunningServer;
  sequencer: ServiceProcess;
  persister: ServiceProcess;
  gateways: ServiceProcess[];
  client: MongoClient;
  databaseName: string;
}

class ProcessBenchStack implements BenchStack {
  readonly gateways: ServiceProcess[];
  readonly services: ServiceProcess[];
  readonly nats: RunningServer;
  readonly mongo: RunningServer;
  readonly #parts: StackParts;

  constructor(parts: StackParts) {
    this.#parts = parts;
    this.nats = parts.nats;
    this.mongo = parts.mongo;
    this.gateways = parts.gateways;
    this.services = [parts.sequencer, parts.persister, ...parts.gateways];
  }

  gatewayUrl(index: number): string {
    return `ws://127.0.0.1:${this.#gateway(index).port}/sync`;
  }

  httpUrl(index: number): string {
    return `http://127.0.0.1:${this.#gateway(index).port}`;
  }

  persisterUrl(): string {
    return `http://127.0.0.1:${this.#parts.persister.process.port}`;
  }

  gatewayPid(index: number): number {
    return this.#gateway(index).pid ?? Number.NaN;
  }

  pids(): Record<string, number | undefined> {
    return {
      ...Object.fromEntries(this.services.map((s) => [s.label, s.process.pid])),
      'nats-server': this.nats.process.pid,
      ferretdb: this.mongo.process.pid,
    };
  }

  stageSources(): StageSource[] {
    const url = (s: ServiceProcess) => `http://127.0.0.1:${s.process.port}`;
    const { sequencer, persister } = this.#parts;
    return [
      {
        stage: 'gateway: push → durable ack',
        urls: this.gateways.map(url),
        metric: 'gateway_push_ack_duration_seconds',
      },
      {
        stage: 'gateway: commit broadcast lag (persister commit → gateway)',
        urls: this.gateways.map(url),
        metric: 'gateway_broadcast_lag_seconds',
      },
      {
        stage: 'sequencer: sequence request',
        urls: [url(sequencer)],
        metric: 'sequencer_request_duration_seconds',
      },
      {
        stage: 'persister: log append → delivered',
        urls: [url(persister)],
        metric: 'persister_log_delivery_lag_seconds',
      },
      {
        stage: 'persister: DB write before the commit',
        urls: [url(persister)],
        metric: 'persister_db_write_duration_seconds',
      },
      {
        stage: 'persister: heads write (after the commit)',
        urls: [url(persister)],
        metric: 'persister_heads_write_duration_seconds',
      },
      {
        stage: 'persister: events per DB write',
        urls: [url(persister)],
        metric: 'persister_group_events',
        unitless: true,
      },
    ];
  }

  db(): Db {
    return this.#parts.client.db(this.#parts.databaseName);
  }

  async stop(): Promise<Array<{ label: string; file: string }>> {
    const { sequencer, persister, client } = this.#parts;
    // Gateways first (they close their sessions), then the pipeline; SIGTERM lets --cpu-prof write its file.
    await Promise.all(this.gateways.map((g) => g.process.stop()));
    await Promise.all([sequencer.process.stop(), persister.process.stop()]);
    await client.close();
    await this.nats.dispose();
    await this.mongo.dispose();
    return profilesWritten(this.services);
  }

  #gateway(index: number): ServerProcess {
    const g = this.gateways[index];
    if (g === undefined) throw new Error(`no gateway ${index}`);
    return g.process;
  }
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
  const env = serviceEnv(nats, mongo, databaseName, options.env);
  const sequencer = await serviceProcess(options, env, 'sequencer', 'sequencer', 'OPS_PORT');
  const persister = await serviceProcess(options, env, 'persister', 'persister', 'OPS_PORT');
  const gateways = await Promise.all(
    Array.from({ length: options.gateways }, (_, i) =>
      serviceProcess(options, env, 'gateway', `gateway${i}`, 'PORT'),
    ),
  );
  try {
    await Promise.all([sequencer.process.start(), persister.process.start()]);
    await Promise.all(gateways.map((g) => g.process.start()));
  } catch (err) {
    await Promise.all([sequencer, persister, ...gateways].map((s) => s.process.stop()));
    await nats.dispose();
    await mongo.dispose();
    throw err;
  }
  const client = await MongoClient.connect(mongo.url);
  return new ProcessBenchStack({ nats, mongo, sequencer, persister, gateways, client, databaseName });
}
