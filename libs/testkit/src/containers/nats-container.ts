import type { ContainerDefinition } from './container-definition.ts';

/** The official image, same minor version as the local binary (`NATS_SERVER_VERSION`). */
const NATS_IMAGE = 'nats:2.12';
export const NATS_CLIENT_PORT = 4222;
const NATS_CLUSTER_PORT = 6222;
const NATS_MONITOR_PORT = 8222;
const CLUSTER_NAME = 'lfs';
const STORE_DIR = '/data/jetstream';

export interface NatsNodeArgsOptions {
  /** `server_name`, as JetStream reports leaders (`n0`, `n1`, … like the testkit's local cluster). */
  name: string;
  host: string;
  clientPort: number;
  clusterPort: number;
  monitorPort: number;
  storeDir: string;
  /** The other nodes' cluster URLs (`nats://host:port`). */
  routes: readonly string[];
}

/** nats-server's command line for one JetStream node of a cluster; the same for a container or a local binary. */
export function natsNodeArgs(options: NatsNodeArgsOptions): string[] {
  return [
    '--name',
    options.name,
    '--addr',
    options.host,
    '--port',
    String(options.clientPort),
    '--http_port',
    String(options.monitorPort),
    '--jetstream',
    '--store_dir',
    options.storeDir,
    '--cluster_name',
    CLUSTER_NAME,
    '--cluster',
    `nats://${options.host}:${options.clusterPort}`,
    '--routes',
    options.routes.join(','),
    // Clients keep the URL they were given: gossiped addresses are container-internal, unreachable from the host.
    '--no_advertise=true',
  ];
}

function natsNodeAlias(index: number): string {
  return `nats-${index}`;
}

/**
 * `size` nodes of one JetStream cluster on a user-defined network, routed to each other by network alias.
 * A node is ready when its client port listens and `/healthz` answers 200, which nats-server does only
 * once JetStream is up and the node is in contact with a meta leader (so: a quorum of the cluster).
 */
export function natsClusterDefinitions(size = 3): ContainerDefinition[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`NATS cluster size must be ≥ 1, got ${size}`);
  const aliases = Array.from({ length: size }, (_, i) => natsNodeAlias(i));
  return aliases.map((alias, i) => ({
    alias,
    image: NATS_IMAGE,
    command: natsNodeArgs({
      name: `n${i}`,
      host: '0.0.0.0',
      clientPort: NATS_CLIENT_PORT,
      clusterPort: NATS_CLUSTER_PORT,
      monitorPort: NATS_MONITOR_PORT,
      storeDir: STORE_DIR,
      routes: aliases
        .filter((other) => other !== alias)
        .map((other) => `nats://${other}:${NATS_CLUSTER_PORT}`),
    }),
    env: {},
    exposedPorts: [NATS_CLIENT_PORT, NATS_MONITOR_PORT],
    waitFor: [
      { kind: 'log', pattern: /Listening for client connections on 0\.0\.0\.0:4222/ },
      natsJetStreamReady(NATS_MONITOR_PORT),
    ],
    startupTimeoutMs: 120_000,
  }));
}

/** JetStream readiness: the monitoring endpoint's health check. */
export function natsJetStreamReady(monitorPort: number) {
  return { kind: 'http', path: '/healthz', port: monitorPort, status: 200 } as const;
}
