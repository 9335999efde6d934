import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { ferretDbBinary, natsServerBinary } from './paths.ts';
import { ServerProcess } from './server-process.ts';

export interface RunningServer {
  url: string;
  process: ServerProcess;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>;
}

/**
 * Ports of nats-server's monitoring endpoint (`/varz`, `/connz`, `/jsz`) and of its Go profiler
 * (`/debug/pprof`), from LFS_NATS_MONITOR_PORT and LFS_NATS_PROFILE_PORT: to see what a benchmark costs
 * nats-server per connection and where its CPU goes. Off by default, and fixed ports suit one server only.
 */
function inspectionArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const monitor = env['LFS_NATS_MONITOR_PORT'];
  const profile = env['LFS_NATS_PROFILE_PORT'];
  return [
    ...(monitor === undefined || monitor === '' ? [] : ['-m', monitor]),
    ...(profile === undefined || profile === '' ? [] : ['--profile', profile]),
  ];
}

/** nats-server with JetStream on a free port, storing in its own fresh directory. */
export async function startNatsServer(
  options: { port?: number; storeDir?: string; detached?: boolean; logFile?: string } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'lfs-nats-'));
  const process = new ServerProcess({
    name: 'nats-server',
    command: natsServerBinary(),
    args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...inspectionArgs()],
    port,
    detached: options.detached ?? false,
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
  });
  await process.start();
  return {
    url: `nats://127.0.0.1:${port}`,
    process,
    dispose: async () => {
      await process.stop();
      if (options.storeDir === undefined) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/**
 * FerretDB prepares `WHERE _jsonb->$1 @> $2` with the field name as a parameter: once PostgreSQL switches
 * a prepared statement to its generic plan, the plan cannot use an index on `_jsonb->'_id'` and every
 * `_id` lookup scans the table (seen after a million events were loaded: 85 s for a 1,000-lookup
 * catch-up). Custom plans see the field name. Kept when the URL already sets `options`.
 */
function withCustomPlans(postgresqlUrl: string): string {
  const url = new URL(postgresqlUrl);
  if (!url.searchParams.has('options'))
    url.searchParams.set('options', '-c plan_cache_mode=force_custom_plan');
  return url.toString();
}

/**
 * FerretDB (MongoDB wire protocol) on a free port. Backend SQLite in a fresh directory by default, or
 * PostgreSQL when `postgresqlUrl` is given (or FERRETDB_POSTGRESQL_URL is set).
 */
export async function startFerretDb(
  options: {
    port?: number;
    dataDir?: string;
    postgresqlUrl?: string;
    detached?: boolean;
    logFile?: string;
    /** FerretDB's least level logged (default info); `debug` logs every SQL statement with its arguments. */
    logLevel?: 'debug' | 'info' | 'warn' | 'error';
    /**
     * SQLite's `synchronous` (default `full`, FerretDB's: every commit waits for fsync). `normal` keeps
     * commits through any process kill but not through a power loss; only for measuring what fsync costs.
     */
    sqliteSynchronous?: 'full' | 'normal';
  } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const postgresqlUrl = options.postgresqlUrl ?? process.env['FERRETDB_POSTGRESQL_URL'];
  if (postgresqlUrl !== undefined && options.sqliteSynchronous !== undefined)
    throw new Error('sqliteSynchronous needs the SQLite backend (FERRETDB_POSTGRESQL_URL is set)');
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lfs-ferretdb-'));
  const backend =
    postgresqlUrl === undefined
      ? [
          '-handler',
          'sqlite',
          '-sqlite-url',
          `file:${dataDir}/${synchronousPragma(options.sqliteSynchronous)}`,
        ]
      : ['-handler', 'postgresql', '-postgresql-url', withCustomPlans(postgresqlUrl)];
  const server = new ServerProcess({
    name: 'ferretdb',
    command: ferretDbBinary(),
    args: ['-listen-addr', `127.0.0.1:${port}`, '-log-level', options.logLevel ?? 'info', ...backend],
    port,
    detached: options.detached ?? false,
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
  });
  await server.start();
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    process: server,
    dispose: async () => {
      await server.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function synchronousPragma(synchronous: 'full' | 'normal' | undefined): string {
  return synchronous === undefined || synchronous === 'full' ? '' : `?_pragma=synchronous(${synchronous})`;
}
