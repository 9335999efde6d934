import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gatewayConfigSchema } from '@lfsync/gateway';
import { loadConfig, type Logger } from '@lfsync/runtime';
import { startEmbedded } from './embedded.ts';
import type { Env, Running } from './services.ts';

/** The embedded mode in DATA_DIR (default `<root>/.data`), with dev auth on by default. */
export async function startLocal(env: Env, root: string, logger: Logger): Promise<Running> {
  const dataDir = resolve(env['DATA_DIR'] ?? join(root, '.data'));
  mkdirSync(dataDir, { recursive: true });
  env['DEV_AUTH'] ??= 'true';
  if (
    env['JWT_SECRET'] === undefined &&
    env['JWT_PUBLIC_KEY'] === undefined &&
    env['JWT_JWKS_URL'] === undefined
  ) {
    env['JWT_SECRET'] = devJwtSecret(dataDir);
  }
  logger.info({ dataDir }, 'no NATS_URL/MONGO_URL: running embedded (LMDB storage, in-process bus)');
  const embedded = await startEmbedded({
    dataDir,
    gatewayConfig: loadConfig(gatewayConfigSchema, env),
    logger,
  });
  return { port: embedded.port, mode: 'embedded', stop: () => embedded.stop() };
}

/** Kept with the data so that tokens handed out in dev mode stay valid across restarts. */
function devJwtSecret(dataDir: string): string {
  const secretFile = join(dataDir, 'dev-jwt-secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(secretFile, 'utf8').trim();
}
