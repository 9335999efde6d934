import type { ContainerDefinition } from './container-definition.ts';

const MONGO_IMAGE = 'mongo:7';
export const MONGO_PORT = 27017;
const REPLICA_SET_NAME = 'rs0';
const MAX_MEMBERS = 7;

export interface ReplicaSetConfig {
  _id: string;
  members: { _id: number; host: string; priority: number }[];
}

function mongoMemberAlias(index: number): string {
  return `mongo-${index}`;
}

/**
 * The `rs.initiate` document: members named by their network alias. Member 0 has the highest priority so
 * that it is (and stays) the primary the tests connect to directly.
 */
export function replicaSetConfig(members = 1): ReplicaSetConfig {
  if (!Number.isInteger(members) || members < 1 || members > MAX_MEMBERS) {
    throw new RangeError(`a replica set has 1 to ${MAX_MEMBERS} members, got ${members}`);
  }
  return {
    _id: REPLICA_SET_NAME,
    members: Array.from({ length: members }, (_, i) => ({
      _id: i,
      host: `${mongoMemberAlias(i)}:${MONGO_PORT}`,
      priority: i === 0 ? 2 : 1,
    })),
  };
}

/**
 * mongosh code run (and retried) inside member 0: initiates the set the first time, then succeeds only once
 * this member is a writable primary. Idempotent, so the retries of a wait strategy can run it.
 */
export function initiateAndAwaitPrimaryScript(config: ReplicaSetConfig): string {
  return [
    'try { rs.status(); }',
    `catch (e) { if (e.codeName !== "NotYetInitialized") throw e; rs.initiate(${JSON.stringify(config)}); }`,
    'quit(db.hello().isWritablePrimary ? 0 : 1);',
  ].join(' ');
}

/** The shell command for the wait strategy; the script holds no single quote (JSON and the code above). */
export function mongoshEval(script: string): string {
  if (script.includes("'")) throw new Error('mongosh script must not contain a single quote');
  return `mongosh --quiet --norc --eval '${script}'`;
}

/**
 * The members of a replica set on a user-defined network. Members other than 0 only need to accept
 * connections; member 0 is started last, initiates the set and waits until it is primary.
 */
export function mongoReplicaSetDefinitions(members = 1): ContainerDefinition[] {
  const config = replicaSetConfig(members);
  const accepting = { kind: 'log', pattern: /Waiting for connections/ } as const;
  return config.members.map((member) => ({
    alias: mongoMemberAlias(member._id),
    image: MONGO_IMAGE,
    command: ['--replSet', REPLICA_SET_NAME, '--bind_ip_all', '--port', String(MONGO_PORT)],
    env: {},
    exposedPorts: [MONGO_PORT],
    waitFor:
      member._id === 0
        ? [accepting, { kind: 'command', command: mongoshEval(initiateAndAwaitPrimaryScript(config)) }]
        : [accepting],
    startupTimeoutMs: 120_000,
  }));
}

/**
 * How the host reaches the primary: directly, since the member names in the set are aliases only the
 * containers resolve. Writes with `majority` are still acknowledged by a majority of the members.
 */
export function mongoUrlOf(host: string, port: number): string {
  return `mongodb://${host}:${port}/?directConnection=true`;
}
