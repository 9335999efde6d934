/**
 * `npm start`: the whole product in one process on http://localhost:8080 — gateway, sequencer and
 * persister, plus the web app (built in the background on the first start: dist/ is not in git). With NATS_URL and MONGO_URL both set it runs the real
 * services against those servers; otherwise the embedded mode: the same service code on an LMDB log,
 * index and store in DATA_DIR (default .data/) and an in-process bus, so nothing else needs installing
 * and the data survives restarts.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbedded } from '@lfsync/embedded';
import { gatewayConfigSchema, startGateway } from '@lfsync/gateway';
import { persisterConfigSchema, startPersister } from '@lfsync/persister';
import { createLogger, loadConfig, stopOnSignals, type Logger, type Stoppable } from '@lfsync/runtime';
import { sequencerConfigSchema, startSequencer } from '@lfsync/sequencer';

const SHUTDOWN_TIMEOUT_MS = 15_000;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const startedAt = performance.now();
const env: Record<string, string | undefined> = { ...process.env };
for (const name of ['NATS_URL', 'MONGO_URL']) if (env[name] === '') delete env[name];
const logger = createLogger({ name: 'local-first-sync', level: env['LOG_LEVEL'] ?? 'info' });

const webDist = join(root, 'clients/web/dist');
if (env['STATIC_DIR'] === undefined && existsSync(join(root, 'clients/web/package.json'))) {
  // Files are looked up per request: the app appears on `/` as soon as its build is done.
  env['STATIC_DIR'] = webDist;
  if (!existsSync(join(webDist, 'index.html'))) buildWebApp(logger);
}

const running =
  env['NATS_URL'] !== undefined && env['MONGO_URL'] !== undefined
    ? await startServices(logger)
    : await startLocal(logger);
logger.info(
  {
    url: `http://localhost:${running.port}`,
    websocket: `ws://localhost:${running.port}/sync`,
    mode: running.mode,
    devAuth: env['DEV_AUTH'] ?? 'false',
    startupMs: Math.round(performance.now() - startedAt),
  },
  'local-first-sync is running',
);
stopOnSignals(running, logger, SHUTDOWN_TIMEOUT_MS);

/** The three real services in this process, against the NATS and MongoDB of NATS_URL / MONGO_URL. */
async function startServices(log: Logger): Promise<Stoppable & { port: number; mode: string }> {
  env['OPS_PORT'] ??= '0';
  const sequencer = await startSequencer(loadConfig(sequencerConfigSchema, env), log);
  const persister = await startPersister(loadConfig(persisterConfigSchema, env), log);
  const gateway = await startGateway(loadConfig(gatewayConfigSchema, env), log);
  return {
    port: gateway.port,
    mode: 'nats+mongodb',
    async stop() {
      await gateway.stop();
      await persister.stop();
      await sequencer.stop();
    },
  };
}

/** The embedded mode, with dev auth on by default and a dev JWT secret kept with the data. */
async function startLocal(log: Logger): Promise<Stoppable & { port: number; mode: string }> {
  const dataDir = resolve(env['DATA_DIR'] ?? join(root, '.data'));
  mkdirSync(dataDir, { recursive: true });
  env['DEV_AUTH'] ??= 'true';
  if (
    env['JWT_SECRET'] === undefined &&
    env['JWT_PUBLIC_KEY'] === undefined &&
    env['JWT_JWKS_URL'] === undefined
  ) {
    // Kept with the data so that tokens handed out in dev mode stay valid across restarts.
    const secretFile = join(dataDir, 'dev-jwt-secret');
    if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    env['JWT_SECRET'] = readFileSync(secretFile, 'utf8').trim();
  }
  log.info({ dataDir }, 'no NATS_URL/MONGO_URL: running embedded (LMDB storage, in-process bus)');
  const embedded = await startEmbedded({
    dataDir,
    gatewayConfig: loadConfig(gatewayConfigSchema, env),
    logger: log,
  });
  return { port: embedded.port, mode: 'embedded', stop: () => embedded.stop() };
}

/**
 * Builds the web app into clients/web/dist in the background. A lock (holding this process's pid) keeps
 * two starts from building into the same directory at once; a lock whose process is gone is taken over.
 */
function buildWebApp(log: Logger): void {
  const lock = join(
    tmpdir(),
    `lfsync-web-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`,
  );
  const pidFile = join(lock, 'pid');
  try {
    mkdirSync(lock);
  } catch {
    const holder = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : 0);
    if (holder > 0 && isAlive(holder)) return;
    rmSync(lock, { recursive: true, force: true });
    mkdirSync(lock);
  }
  writeFileSync(pidFile, String(process.pid));
  log.info({ dir: webDist }, 'building the web app (first start only; the API is up meanwhile)');
  const build = spawn('npm', ['run', 'build', '--workspace', '@lfsync/web'], { cwd: root, stdio: 'ignore' });
  let finished = false;
  const done = (outcome: { code?: number | null; err?: Error }) => {
    if (finished) return;
    finished = true;
    rmSync(lock, { recursive: true, force: true });
    if (outcome.code === 0) log.info({ dir: webDist }, 'web app built');
    else log.warn(outcome, 'web app build failed: run `npm run build -w @lfsync/web`');
  };
  build.once('error', (err) => done({ err }));
  build.once('exit', (code) => done({ code }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
