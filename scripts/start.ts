/**
 * `npm start`: the whole product in one process tree on http://localhost:8080 — gateway, sequencer and
 * persister, plus the web app when it is built. With NATS_URL and MONGO_URL set it uses those servers;
 * otherwise it runs a local nats-server (JetStream) and FerretDB (MongoDB wire protocol, SQLite) whose
 * data lives in DATA_DIR (default .data/), so it survives restarts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayConfigSchema, startGateway } from '@lfsync/gateway';
import { persisterConfigSchema, startPersister } from '@lfsync/persister';
import { createLogger, loadConfig, stopOnSignals } from '@lfsync/runtime';
import { sequencerConfigSchema, startSequencer } from '@lfsync/sequencer';
import { freePort, startFerretDb, startNatsServer, type RunningServer } from '@lfsync/testkit';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env: Record<string, string | undefined> = { ...process.env };
const logger = createLogger({ name: 'local-first-sync', level: env['LOG_LEVEL'] ?? 'info' });
const servers: RunningServer[] = [];

for (const name of ['NATS_URL', 'MONGO_URL']) if (env[name] === '') delete env[name];
if (env['NATS_URL'] === undefined || env['MONGO_URL'] === undefined) {
  const dataDir = resolve(env['DATA_DIR'] ?? join(root, '.data'));
  logger.info({ dataDir }, 'no NATS_URL/MONGO_URL: starting local nats-server and FerretDB');
  execFileSync('bash', [join(root, 'libs/testkit/scripts/build-test-servers.sh')], { stdio: 'inherit', env: { ...env, NATS_URL: '', MONGO_URL: '' } });
  for (const dir of ['nats', 'ferretdb']) mkdirSync(join(dataDir, dir), { recursive: true });
  if (env['NATS_URL'] === undefined) {
    const nats = await startNatsServer({ port: await freePort(), storeDir: join(dataDir, 'nats'), detached: true });
    servers.push(nats);
    env['NATS_URL'] = nats.url;
  }
  if (env['MONGO_URL'] === undefined) {
    const ferret = await startFerretDb({ port: await freePort(), dataDir: join(dataDir, 'ferretdb'), detached: true });
    servers.push(ferret);
    env['MONGO_URL'] = ferret.url;
    env['MONGO_WRITE_CONCERN'] ??= '1';
  }
  env['DEV_AUTH'] ??= 'true';
  if (env['JWT_SECRET'] === undefined && env['JWT_PUBLIC_KEY'] === undefined && env['JWT_JWKS_URL'] === undefined) {
    // Kept with the data so that tokens handed out in dev mode stay valid across restarts.
    const secretFile = join(dataDir, 'dev-jwt-secret');
    if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    env['JWT_SECRET'] = readFileSync(secretFile, 'utf8').trim();
  }
}
const webDist = join(root, 'clients/web/dist');
if (env['STATIC_DIR'] === undefined && existsSync(join(webDist, 'index.html'))) env['STATIC_DIR'] = webDist;
env['OPS_PORT'] ??= '0';

const sequencer = await startSequencer(loadConfig(sequencerConfigSchema, env), logger);
const persister = await startPersister(loadConfig(persisterConfigSchema, env), logger);
const gateway = await startGateway(loadConfig(gatewayConfigSchema, env), logger);
logger.info(
  { url: `http://localhost:${gateway.port}`, websocket: `ws://localhost:${gateway.port}/sync`, devAuth: env['DEV_AUTH'] },
  'local-first-sync is running',
);

stopOnSignals(
  {
    async stop() {
      await gateway.stop();
      await persister.stop();
      await sequencer.stop();
      for (const server of servers) await server.process.stop();
    },
  },
  logger,
  15_000,
);
