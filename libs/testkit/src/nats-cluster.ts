import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createNetnsNetwork, loopbackNetwork, type ClusterNetwork } from './cluster-network.ts';
import { freePort } from './free-port.ts';
import { natsServerBinary } from './paths.ts';
import { ServerProcess } from './server-process.ts';

export interface NatsClusterOptions {
  /**
   * `loopback` (default): every node on 127.0.0.1, no privileges needed. `netns`: each node in its own
   * network namespace (root and iproute2), which `partition()` needs.
   */
  network?: 'loopback' | 'netns';
  /** JetStream `sync_interval` (e.g. `always`); the server's default (2 min) when not given. */
  syncInterval?: string;
  /** Keep each node's output in `<logDir>/nats<i>.log`. */
  logDir?: string;
}

export interface NatsNode {
  /** Its `server_name`, as JetStream reports leaders: `n0`, `n1`, … */
  readonly name: string;
  readonly url: string;
  readonly process: ServerProcess;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Every node's client URL, comma-separated (what NATS_URL takes). */
  readonly url: string;
  readonly network: ClusterNetwork['kind'];
  /** The index of the node leading a stream (or one of its consumers); undefined while there is none. */
  streamLeader(stream: string, consumer?: string): Promise<number | undefined>;
  /** The node leading the JetStream meta group (stream and consumer placement). */
  metaLeader(): Promise<number | undefined>;
  /** Cuts node `i` off from the other nodes (netns only; one node at a time). */
  partition(i: number): void;
  heal(i: number): void;
  /** Resolves once every running node reports JetStream healthy. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

interface NodePorts {
  client: number;
  cluster: number;
  monitor: number;
}

/**
 * `size` real nats-server processes with JetStream, clustered with each other, each with its own store
 * directory. Nodes keep their ports and directories, so each can be killed, stopped, resumed and
 * restarted in place through its `process`.
 */
export async function startNatsCluster(size = 3, options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const network = options.network === 'netns' ? createNetnsNetwork(size) : loopbackNetwork;
  const baseDir = mkdtempSync(join(tmpdir(), 'lfs-nats-cluster-'));
  const ports: NodePorts[] = [];
  for (let i = 0; i < size; i++) ports.push(await nodePorts(network));
  const nodes = ports.map((_, i) => createNode(i, { network, ports, baseDir, options }));
  const monitorUrls = ports.map((p, i) => `http://${network.address(i)}:${p.monitor}`);
  const api: { jsm?: JetStreamManager; nc?: NatsConnection } = {};
  const cluster = clusterHandle(nodes, network, monitorUrls, api, async () => {
    await api.nc?.close().catch(() => undefined);
    await Promise.all(nodes.map((n) => n.process.stop()));
    network.dispose();
    rmSync(baseDir, { recursive: true, force: true });
  });
  try {
    await Promise.all(nodes.map((n) => n.process.start()));
    await cluster.waitUntilHealthy();
    api.nc = await connect({
      servers: cluster.url.split(','),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 200,
    });
    api.jsm = await jetstreamManager(api.nc, { timeout: 2_000 });
  } catch (err) {
    await cluster.dispose();
    throw err;
  }
  return cluster;
}

function createNode(
  i: number,
  setup: {
    network: ClusterNetwork;
    ports: readonly NodePorts[];
    baseDir: string;
    options: NatsClusterOptions;
  },
): NatsNode {
  const { network, ports, baseDir, options } = setup;
  const dir = join(baseDir, `n${i}`);
  mkdirSync(dir);
  const configFile = join(dir, 'nats.conf');
  writeFileSync(configFile, nodeConfig(i, dir, ports, network, options.syncInterval));
  const { command, args } = network.wrap(i, natsServerBinary(), ['-c', configFile]);
  const process = new ServerProcess({
    name: `nats n${i}`,
    command,
    args,
    host: network.address(i),
    port: (ports[i] as NodePorts).client,
    detached: true,
    ...(options.logDir === undefined ? {} : { logFile: join(options.logDir, `nats${i}.log`) }),
  });
  return { name: `n${i}`, url: `nats://${network.address(i)}:${ports[i]?.client}`, process };
}

function clusterHandle(
  nodes: readonly NatsNode[],
  network: ClusterNetwork,
  monitorUrls: readonly string[],
  api: { jsm?: JetStreamManager },
  dispose: () => Promise<void>,
): NatsCluster {
  const indexOf = (name: string | undefined) => {
    const i = nodes.findIndex((n) => n.name === name);
    return i < 0 ? undefined : i;
  };
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    network: network.kind,
    async streamLeader(stream, consumer) {
      const jsm = api.jsm as JetStreamManager;
      try {
        const info =
          consumer === undefined
            ? await jsm.streams.info(stream)
            : await jsm.consumers.info(stream, consumer);
        return indexOf(info.cluster?.leader);
      } catch {
        return undefined;
      }
    },
    async metaLeader() {
      for (const [i, node] of nodes.entries()) {
        if (!node.process.running) continue;
        const leader = (await metaCluster(monitorUrls[i] as string))?.leader;
        if (leader !== undefined && leader !== '') return indexOf(leader);
      }
      return undefined;
    },
    partition: (i) => network.partition(i),
    heal: (i) => network.heal(i),
    waitUntilHealthy: (timeoutMs = 60_000) => waitUntilHealthy(nodes, monitorUrls, timeoutMs),
    dispose,
  };
}

async function nodePorts(network: ClusterNetwork): Promise<NodePorts> {
  // In its own namespace every node has the whole port range to itself.
  if (network.kind === 'netns') return { client: 4222, cluster: 6222, monitor: 8222 };
  return { client: await freePort(), cluster: await freePort(), monitor: await freePort() };
}

function nodeConfig(
  i: number,
  dir: string,
  ports: readonly NodePorts[],
  network: ClusterNetwork,
  syncInterval: string | undefined,
): string {
  const own = ports[i] as NodePorts;
  const routes = ports
    .map((p, j) => `"nats-route://${network.address(j)}:${p.cluster}"`)
    .filter((_, j) => j !== i);
  return [
    `server_name: n${i}`,
    `listen: "${network.address(i)}:${own.client}"`,
    `http: "${network.address(i)}:${own.monitor}"`,
    // A dead peer or a cut link is noticed within seconds, not the default minutes.
    'ping_interval: "1s"',
    'ping_max: 3',
    'jetstream {',
    `  store_dir: "${join(dir, 'store')}"`,
    ...(syncInterval === undefined ? [] : [`  sync_interval: ${syncInterval}`]),
    '}',
    'cluster {',
    '  name: lfs',
    `  listen: "${network.address(i)}:${own.cluster}"`,
    `  routes: [${routes.join(', ')}]`,
    // Only the configured routes: no gossiped addresses that would bypass a partition.
    '  no_advertise: true',
    '}',
    '',
  ].join('\n');
}

async function fetchJson(url: string): Promise<unknown> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

async function waitUntilHealthy(
  nodes: readonly NatsNode[],
  monitorUrls: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const waitFor = async (ready: () => Promise<boolean>, what: string) => {
    while (!(await ready())) {
      if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  for (const [i, node] of nodes.entries())
    await waitFor(
      async () => !node.process.running || (await isHealthy(monitorUrls[i] as string)),
      `nats n${i} not healthy`,
    );
  // Every node healthy is not yet every peer placeable: until the meta leader has heard from a peer
  // it counts it offline, and a stream created with 3 replicas is refused ("peer offline").
  await waitFor(
    () => metaGroupComplete(nodes, monitorUrls),
    'the JetStream meta leader does not see every running node',
  );
}

/** Whether some running node leads the meta group and reports every other running node current and online. */
async function metaGroupComplete(
  nodes: readonly NatsNode[],
  monitorUrls: readonly string[],
): Promise<boolean> {
  for (const [i, node] of nodes.entries()) {
    if (!node.process.running) continue;
    const meta = await metaCluster(monitorUrls[i] as string);
    if (meta?.leader !== node.name) continue;
    const peers = new Map((meta.replicas ?? []).map((r) => [r.name, r]));
    return nodes.every(
      (n) =>
        n === node ||
        !n.process.running ||
        (peers.get(n.name)?.current === true && peers.get(n.name)?.offline !== true),
    );
  }
  return false;
}

/** A node's view of the JetStream meta group (`/jsz`); only the leader lists the other peers. */
async function metaCluster(monitorUrl: string): Promise<MetaCluster | undefined> {
  return ((await fetchJson(`${monitorUrl}/jsz`)) as { meta_cluster?: MetaCluster } | undefined)?.meta_cluster;
}

interface MetaCluster {
  leader?: string;
  replicas?: { name: string; current?: boolean; offline?: boolean }[];
}

async function isHealthy(monitorUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${monitorUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}
