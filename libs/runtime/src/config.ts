import { z } from 'zod';

/** Parses env against a service's config schema; fails with one readable message listing every problem. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('\n');
  throw new Error(`invalid configuration:\n${problems}`);
}

/** Env booleans: `true/1/yes` and `false/0/no`. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Shared env names, identical in every service. */
export const commonConfigShape = {
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  BUS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .default('lfs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
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
};

/**
 * MongoClient options every service uses. Not connected up front (the driver connects on first use, so a
 * service starts while MongoDB is down). A reply that never comes — a database stalled mid-command — fails
 * the operation after 30 s instead of holding the caller forever; callers retry.
 */
export const MONGO_CLIENT_OPTIONS = { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 30_000 } as const;
