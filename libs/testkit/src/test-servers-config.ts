import { z } from 'zod';
import type { ContainerRuntime } from './containers/container-runtime.ts';

const testServersConfigSchema = z.object({
  /** `auto`: containers when a container runtime is reachable, else the local binaries. */
  TEST_SERVERS: z.enum(['auto', 'local', 'containers']).default('auto'),
  /** Replica set members when MongoDB runs in containers (member 0 is the primary). */
  TEST_MONGO_MEMBERS: z.coerce.number().int().min(1).max(7).default(1),
  /** Nodes of the NATS cluster when NATS runs in containers. */
  TEST_NATS_NODES: z.coerce.number().int().min(1).max(5).default(3),
  NATS_URL: z.string().min(1).optional(),
  MONGO_URL: z.string().min(1).optional(),
  /** For a MONGO_URL of your own: `majority` on a replica set (the default for the local FerretDB is 1). */
  MONGO_WRITE_CONCERN: z.enum(['majority', '1']).optional(),
});
export type TestServersConfig = z.infer<typeof testServersConfigSchema>;

export function testServersConfig(env: Record<string, string | undefined>): TestServersConfig {
  const result = testServersConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`invalid test server settings:\n${problems.join('\n')}`);
}

export type TestServersKind = 'local' | 'containers';

/** Local binaries or containers; `containers` without a runtime is an error, not a silent fallback. */
export function chooseTestServers(
  mode: TestServersConfig['TEST_SERVERS'],
  runtime: ContainerRuntime | undefined,
): TestServersKind {
  if (mode === 'local') return 'local';
  if (runtime?.available === true) return 'containers';
  if (mode === 'auto') return 'local';
  const reason = runtime === undefined ? 'not looked for' : runtime.reason;
  throw new Error(
    `TEST_SERVERS=containers but no container runtime is reachable (${reason}). ` +
      'Start Docker (or set DOCKER_HOST), or use TEST_SERVERS=local.',
  );
}

/**
 * The write concern tests give MongoEventStore (and, as a string, MONGO_WRITE_CONCERN): `majority` on the
 * containers' replica set as in production, 1 on FerretDB, which has no replication.
 */
export function mongoWriteConcernFor(
  mongo: 'url' | TestServersKind,
  config: Pick<TestServersConfig, 'MONGO_WRITE_CONCERN'>,
): 'majority' | 1 {
  switch (mongo) {
    case 'containers':
      return 'majority';
    case 'local':
      return 1;
    case 'url':
      return config.MONGO_WRITE_CONCERN === 'majority' ? 'majority' : 1;
  }
}
