import { gatewayConfigSchema } from '@lfsync/gateway';
import { persisterConfigSchema } from '@lfsync/persister';
import { sequencerConfigSchema } from '@lfsync/sequencer';

/** The part of a service's zod config schema these checks use. */
interface EnvSchema {
  readonly shape: Readonly<Record<string, { safeParse(value: unknown): { success: boolean } }>>;
  safeParse(env: unknown):
    | { success: true }
    | {
        success: false;
        error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
      };
}

export const SERVICE_NAMES = ['gateway', 'sequencer', 'persister'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

const schemas: Record<ServiceName, EnvSchema> = {
  gateway: gatewayConfigSchema,
  sequencer: sequencerConfigSchema,
  persister: persisterConfigSchema,
};

/**
 * Names a deployment must set although the schema has a default: the defaults point at 127.0.0.1
 * (wrong in a container), or the value is tied to probes, ports and grace periods set beside it.
 */
const DEPLOYMENT_REQUIRED: Readonly<Record<ServiceName, readonly string[]>> = {
  gateway: [
    'NATS_URL',
    'MONGO_URL',
    'MONGO_DB',
    'PORT',
    'JWT_SECRET',
    'DEV_AUTH',
    'STATIC_DIR',
    'SHUTDOWN_TIMEOUT_MS',
  ],
  sequencer: ['NATS_URL', 'OPS_PORT', 'SHUTDOWN_TIMEOUT_MS'],
  persister: ['NATS_URL', 'MONGO_URL', 'MONGO_DB', 'OPS_PORT', 'MONGO_WRITE_CONCERN', 'SHUTDOWN_TIMEOUT_MS'],
};

function schemaKeys(service: ServiceName): string[] {
  return Object.keys(schemas[service].shape);
}

/** Keys the schema itself requires (no default, not optional). */
function schemaRequiredKeys(service: ServiceName): string[] {
  const shape = schemas[service].shape;
  return Object.keys(shape).filter((key) => shape[key]?.safeParse(undefined).success === false);
}

export interface EnvReport {
  /** Set but not read by the service. */
  unknown: string[];
  /** Required by the schema or by DEPLOYMENT_REQUIRED, not set. */
  missing: string[];
  /** `path: message` for every value the schema rejects. */
  invalid: string[];
}

/**
 * Shared variables the deploy files set ahead of the service schemas (NATS_REPLICAS arrives with the
 * cluster work, issue 15): checked here until the schema itself has them.
 */
const PENDING_SHARED: Readonly<Record<string, (value: string) => boolean>> = {
  NATS_REPLICAS: (value) => /^[1-5]$/.test(value),
};

function pendingProblems(keys: ReadonlySet<string>, env: Readonly<Record<string, string>>): string[] {
  return Object.entries(PENDING_SHARED)
    .filter(([name]) => !keys.has(name) && name in env)
    .filter(([name, valid]) => !valid(env[name] ?? ''))
    .map(([name]) => `${name}: not an integer 1..5`);
}

export function checkServiceEnv(service: ServiceName, env: Readonly<Record<string, string>>): EnvReport {
  const keys = new Set(schemaKeys(service));
  const pending = pendingProblems(keys, env);
  for (const name of Object.keys(PENDING_SHARED)) keys.add(name);
  const required = new Set([...schemaRequiredKeys(service), ...DEPLOYMENT_REQUIRED[service]]);
  const result = schemas[service].safeParse(env);
  return {
    unknown: Object.keys(env)
      .filter((name) => !keys.has(name))
      .sort(),
    missing: [...required].filter((name) => !(name in env)).sort(),
    invalid: [
      ...(result.success
        ? []
        : result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`)),
      ...pending,
    ],
  };
}
