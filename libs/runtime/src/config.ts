import type { MongoClientOptions } from 'mongodb';
import { z } from 'zod';
import { credentialProblems, mongoCredentialsShape, natsCredentialsShape } from './credentials-config.ts';

/** Parses env against a service's config schema; fails with one readable message listing every problem. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(env);
  const problems = result.success
    ? credentialProblems(result.data as Record<string, unknown>)
    : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (result.success && problems.length === 0) return result.data;
  throw new Error(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/** Env booleans: `true/1/yes` and `false/0/no`. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Env lists: comma-separated, blanks around items and empty items ignored. */
export const envList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== ''),
);

/** Shared env names, identical in every service. */
export const commonConfigShape = {
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  BUS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .default('lfs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** How often each service reports its stats to the gateways' admin dashboard (`<prefix>.stats`). */
  STATS_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  ...natsCredentialsShape,
};

/**
 * For services that create JetStream assets (the log stream, the event-id index, the persister's consumer):
 * how many NATS servers keep each of them. 1 on a single server; 3 on a cluster (survives one node lost).
 */
export const jetStreamConfigShape = {
  NATS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
};

export const mongoConfigShape = {
  MONGO_URL: z.string().default('mongodb://127.0.0.1:27017/'),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/)
    .default('lfs'),
  ...mongoCredentialsShape,
};

/**
 * MongoClient options every service uses. Not connected up front (the driver connects on first use, so a
 * service starts while MongoDB is down). A reply that never comes — a database stalled mid-command — fails
 * the operation after 30 s instead of holding the caller forever; callers retry.
 */
export const MONGO_CLIENT_OPTIONS = { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 30_000 } as const;

export interface MongoCredentialsConfig {
  MONGO_USERNAME?: string | undefined;
  MONGO_PASSWORD?: string | undefined;
  MONGO_TLS_CA_FILE?: string | undefined;
}

/**
 * MONGO_CLIENT_OPTIONS plus the credentials and TLS settings of the config. Credentials authenticate
 * against `admin` unless MONGO_URL names another `authSource`.
 */
export function mongoClientOptions(config: MongoCredentialsConfig): MongoClientOptions {
  const options: MongoClientOptions = { ...MONGO_CLIENT_OPTIONS };
  if (config.MONGO_USERNAME !== undefined && config.MONGO_PASSWORD !== undefined) {
    options.auth = { username: config.MONGO_USERNAME, password: config.MONGO_PASSWORD };
  }
  if (config.MONGO_TLS_CA_FILE !== undefined) {
    options.tls = true;
    options.tlsCAFile = config.MONGO_TLS_CA_FILE;
  }
  return options;
}
