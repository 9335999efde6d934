/**
 * `npm start`: the whole product in one process on http://localhost:8080 — gateway, sequencer and
 * persister, plus the web app (built in the background on the first start: dist/ is not in git). With
 * NATS_URL and MONGO_URL both set it runs the real services against those servers; otherwise the embedded
 * mode: the same service code on an LMDB log, index and store in DATA_DIR (default .data/) and an
 * in-process bus, so nothing else needs installing and the data survives restarts.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, stopOnSignals } from '@lfsync/runtime';
import { startLocal } from './local.ts';
import { startServices, type Env } from './services.ts';
import { buildWebApp } from './web-build.ts';

const SHUTDOWN_TIMEOUT_MS = 15_000;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const startedAt = performance.now();
const env: Env = { ...process.env };
for (const name of ['NATS_URL', 'MONGO_URL']) if (env[name] === '') delete env[name];
const logger = createLogger({ name: 'local-first-sync', level: env['LOG_LEVEL'] ?? 'info' });

const webDist = join(root, 'clients/web/dist');
if (env['STATIC_DIR'] === undefined && existsSync(join(root, 'clients/web/package.json'))) {
  // Files are looked up per request: the app appears on `/` as soon as its build is done.
  env['STATIC_DIR'] = webDist;
  if (!existsSync(join(webDist, 'index.html'))) buildWebApp(root, logger);
}

const running =
  env['NATS_URL'] !== undefined && env['MONGO_URL'] !== undefined
    ? await startServices(env, logger)
    : await startLocal(env, root, logger);
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
