import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Where the nodes of a test cluster live, and how to cut one of them off from the others. */
export interface ClusterNetwork {
  readonly kind: 'loopback' | 'netns';
  /** The address node `i` listens on. */
  address(i: number): string;
  /** The command that runs `command` inside node `i`'s network. */
  wrap(i: number, command: string, args: readonly string[]): { command: string; args: string[] };
  /** Drops all traffic between node `i` and the other nodes (clients still reach it). */
  partition(i: number): void;
  heal(i: number): void;
  dispose(): void;
}

export const loopbackNetwork: ClusterNetwork = {
  kind: 'loopback',
  address: () => '127.0.0.1',
  wrap: (_i, command, args) => ({ command, args: [...args] }),
  partition: () => {
    throw new Error('partitions need the netns network (root and iproute2)');
  },
  heal: () => undefined,
  dispose: () => undefined,
};

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why network namespaces cannot be used here (not root, no `ip`, no permission), or undefined. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  const probe = `lfsprobe${randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return `\`ip netns add\` failed (${reason}); install iproute2 and run as root`;
  }
}

/** A /24 in 10.213.0.0/16 that no interface of this machine uses yet (its first three octets). */
export function freeSubnet(): string {
  const used = execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
  for (let attempt = 0; attempt < 64; attempt++) {
    const subnet = `10.213.${Math.floor(Math.random() * 256)}`;
    if (!used.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free 10.213.x.0/24 subnet');
}

/**
 * Each node in its own network namespace, joined by veth pairs to one bridge in this namespace (which has
 * the address .1, so processes here reach every node). A partition is a pair of blackhole routes between
 * the node and each other node: their packets vanish silently, as on a cut link, while clients still
 * reach the node.
 */
export function createNetnsNetwork(size: number): ClusterNetwork {
  const id = randomBytes(2).toString('hex');
  const subnet = freeSubnet();
  const bridge = `lfs${id}b`;
  const namespace = (i: number) => `lfs${id}n${i}`;
  const address = (i: number) => `${subnet}.${10 + i}`;
  const routes = (i: number, verb: 'add' | 'del') => {
    for (let j = 0; j < size; j++) {
      if (j === i) continue;
      ip('-n', namespace(i), 'route', verb, 'blackhole', `${address(j)}/32`);
      ip('-n', namespace(j), 'route', verb, 'blackhole', `${address(i)}/32`);
    }
  };
  const partitioned = new Set<number>();
  const dispose = () => {
    for (let i = 0; i < size; i++) runQuietly(() => ip('netns', 'del', namespace(i)));
    runQuietly(() => ip('link', 'del', bridge));
    process.off('exit', dispose);
  };
  process.once('exit', dispose);
  try {
    createLinks({ id, size, bridge, subnet, namespace, address });
  } catch (err) {
    dispose();
    throw err;
  }
  return {
    kind: 'netns',
    address,
    wrap: (i, command, args) => ({ command: 'ip', args: ['netns', 'exec', namespace(i), command, ...args] }),
    partition(i) {
      if (partitioned.has(i)) return;
      if (partitioned.size > 0) throw new Error('one partitioned node at a time');
      routes(i, 'add');
      partitioned.add(i);
    },
    heal(i) {
      if (!partitioned.delete(i)) return;
      routes(i, 'del');
    },
    dispose,
  };
}

/** The bridge here (address .1) and, per node, a namespace joined to it by a veth pair. */
function createLinks(net: {
  id: string;
  size: number;
  bridge: string;
  subnet: string;
  namespace: (i: number) => string;
  address: (i: number) => string;
}): void {
  const { id, size, bridge, subnet, namespace, address } = net;
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  for (let i = 0; i < size; i++) {
    const [hostSide, nodeSide] = [`lfs${id}v${i}`, `lfs${id}p${i}`];
    ip('netns', 'add', namespace(i));
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nodeSide);
    ip('link', 'set', nodeSide, 'netns', namespace(i));
    ip('link', 'set', hostSide, 'master', bridge, 'up');
    ip('-n', namespace(i), 'addr', 'add', `${address(i)}/24`, 'dev', nodeSide);
    ip('-n', namespace(i), 'link', 'set', nodeSide, 'up');
    ip('-n', namespace(i), 'link', 'set', 'lo', 'up');
  }
}

function runQuietly(step: () => void): void {
  try {
    step();
  } catch {
    // Already gone.
  }
}
