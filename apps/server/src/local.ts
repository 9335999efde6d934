import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gatewayConfigSchema } from '@lfsync/gateway';
import { loadConfig, type Logger } from '@lfsync/runtime';
import { eventIndexTtlMsSchema } from '@lfsync/sequencer';
import { z } from 'zod';
import { EMBEDDED_EVENT_INDEX_TTL_MS, EMBEDDED_LOG_RETENTION_MS, startEmbedded } from './embedded.ts';
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
  const storage = loadConfig(embeddedStorageSchema, env);
  const embedded = await startEmbedded({
    dataDir,
    gatewayConfig: loadConfig(gatewayConfigSchema, env),
    logger,
    logRetentionMs: storage.LOG_RETENTION_MS,
    logMaxBytes: storage.LOG_MAX_BYTES,
    eventIndexTtlMs: storage.EVENT_INDEX_TTL_MS,
  });
  return { port: embedded.port, mode: 'embedded', stop: () => embedded.stop() };
}

/** The LMDB log's and index's lifecycle, under the names the persister and sequencer use. */
export const embeddedStorageSchema = z.object({
  LOG_RETENTION_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || ms >= 1_000, 'must be 0 (keep the whole log) or at least 1000')
    .default(EMBEDDED_LOG_RETENTION_MS),
  LOG_MAX_BYTES: z.coerce.number().int().min(0).default(0),
  EVENT_INDEX_TTL_MS: eventIndexTtlMsSchema.default(EMBEDDED_EVENT_INDEX_TTL_MS),
});

/** Kept with the data so that tokens handed out in dev mode stay valid across restarts. */
function devJwtSecret(dataDir: string): string {
  const secretFile = join(dataDir, 'dev-jwt-secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(secretFile, 'utf8').trim();
}
