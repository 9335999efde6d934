import { describe, expect, it } from 'vitest';
import { natsClusterDefinitions, natsNodeArgs } from './nats-container.ts';

const flag = (args: readonly string[], name: string) => args[args.indexOf(name) + 1];

describe('NATS cluster container definitions', () => {
  it('three official nats 2.12 nodes with JetStream, each routed to the two others by network alias', () => {
    const nodes = natsClusterDefinitions();
    expect(nodes.map((n) => n.alias)).toEqual(['nats-0', 'nats-1', 'nats-2']);
    for (const node of nodes) {
      expect(node.image).toBe('nats:2.12');
      expect(node.command).toContain('--jetstream');
      expect(flag(node.command, '--cluster_name')).toBe('lfs');
      expect(flag(node.command, '--cluster')).toBe('nats://0.0.0.0:6222');
      expect(node.exposedPorts).toEqual([4222, 8222]);
    }
    expect(nodes.map((n) => flag(n.command, '--name'))).toEqual(['n0', 'n1', 'n2']);
    expect(nodes.map((n) => flag(n.command, '--routes'))).toEqual([
      'nats://nats-1:6222,nats://nats-2:6222',
      'nats://nats-0:6222,nats://nats-2:6222',
      'nats://nats-0:6222,nats://nats-1:6222',
    ]);
  });

  it('does not gossip container addresses to clients on the host', () => {
    for (const node of natsClusterDefinitions()) expect(node.command).toContain('--no_advertise=true');
  });

  it('a node is ready when its client port listens and the JetStream health check answers 200', () => {
    const [node] = natsClusterDefinitions(1);
    expect(node?.waitFor).toEqual([
      { kind: 'log', pattern: expect.any(RegExp) },
      { kind: 'http', path: '/healthz', port: 8222, status: 200 },
    ]);
    const log = node?.waitFor[0];
    const pattern = log?.kind === 'log' ? log.pattern : /never/;
    expect(pattern.test('[1] 2026/01/01 [INF] Listening for client connections on 0.0.0.0:4222')).toBe(true);
    expect(pattern.test('[1] 2026/01/01 [INF] Listening for route connections on 0.0.0.0:6222')).toBe(false);
  });

  it('the same command line serves a local binary on chosen ports', () => {
    const args = natsNodeArgs({
      name: 'n1',
      host: '127.0.0.1',
      clientPort: 1,
      clusterPort: 2,
      monitorPort: 3,
      storeDir: '/tmp/x',
      routes: ['nats://127.0.0.1:4'],
    });
    expect(flag(args, '--addr')).toBe('127.0.0.1');
    expect(flag(args, '--port')).toBe('1');
    expect(flag(args, '--cluster')).toBe('nats://127.0.0.1:2');
    expect(flag(args, '--http_port')).toBe('3');
    expect(flag(args, '--store_dir')).toBe('/tmp/x');
  });

  it('rejects a cluster of no nodes', () => {
    expect(() => natsClusterDefinitions(0)).toThrow(/≥ 1/);
  });
});
