import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { NATS_SERVER_VERSION, ferretDbBinary, natsServerBinary } from './paths.ts';
import { ServerProcess } from './server-process.ts';

export interface RunningServer {
  url: string;
  process: ServerProcess;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>;
}

/** nats-server with JetStream on a free port, storing in its own fresh directory. */
export async function startNatsServer(
  options: { port?: number; storeDir?: string; detached?: boolean } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'lfs-nats-'));
  const binary = natsServerBinary();
  // fsync every JetStream write: a pub-ack must survive `kill -9` of the server (I4). The long crash test
  // lost acked log messages without it. Debian's 2.9 does not know the option.
  const configFile = join(mkdtempSync(join(tmpdir(), 'lfs-nats-conf-')), 'nats.conf');
  writeFileSync(configFile, `jetstream {\n  store_dir: ${JSON.stringify(storeDir)}\n  sync_interval: always\n}\n`);
  // The command-line -js/-sd would replace the whole jetstream block, so the config carries both.
  const jetstreamArgs = binary.endsWith(NATS_SERVER_VERSION) ? ['-c', configFile] : ['-js', '-sd', storeDir];
  const process = new ServerProcess({
    name: 'nats-server',
    command: binary,
    args: [...jetstreamArgs, '-a', '127.0.0.1', '-p', String(port)],
    port,
    detached: options.detached ?? false,
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
 * FerretDB (MongoDB wire protocol) on a free port. Backend SQLite in a fresh directory by default, or
 * PostgreSQL when `postgresqlUrl` is given (or FERRETDB_POSTGRESQL_URL is set).
 */
export async function startFerretDb(
  options: { port?: number; dataDir?: string; postgresqlUrl?: string; detached?: boolean } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const postgresqlUrl = options.postgresqlUrl ?? process.env['FERRETDB_POSTGRESQL_URL'];
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lfs-ferretdb-'));
  const backend =
    postgresqlUrl === undefined
      ? ['-handler', 'sqlite', '-sqlite-url', `file:${dataDir}/`]
      : ['-handler', 'postgresql', '-postgresql-url', postgresqlUrl];
  const server = new ServerProcess({
    name: 'ferretdb',
    command: ferretDbBinary(),
    args: ['-listen-addr', `127.0.0.1:${port}`, ...backend],
    port,
    detached: options.detached ?? false,
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
