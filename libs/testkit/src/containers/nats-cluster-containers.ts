import { Network } from 'testcontainers';
import { NATS_CLIENT_PORT, natsClusterDefinitions } from './nats-container.ts';
import { startContainer } from './start-container.ts';

/**
 * A running NATS cluster as the tests see it. The testkit's local `startNatsCluster` (real binaries) has
 * the same shape plus process control, so a test written against this runs on either.
 */
export interface NatsClusterEndpoints {
  readonly nodes: readonly { readonly name: string; readonly url: string }[];
  /** Every node's client URL, comma-separated (what NATS_URL takes). */
  readonly url: string;
  dispose(): Promise<void>;
}

/** `size` official nats containers clustered with JetStream on a network of their own. */
export async function startNatsClusterContainers(size = 3): Promise<NatsClusterEndpoints> {
  const network = await new Network().start();
  const definitions = natsClusterDefinitions(size);
  // Together: a node reports healthy only once a quorum of its peers is up.
  const started = await Promise.allSettled(definitions.map((d) => startContainer(d, network)));
  const containers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const dispose = async () => {
    await Promise.all(containers.map((c) => c.stop()));
    await network.stop();
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await dispose();
    throw new Error('NATS cluster containers did not start', { cause: failed.reason });
  }
  const nodes = containers.map((c, i) => ({
    name: `n${i}`,
    url: `nats://${c.getHost()}:${c.getMappedPort(NATS_CLIENT_PORT)}`,
  }));
  return { nodes, url: nodes.map((n) => n.url).join(','), dispose };
}
