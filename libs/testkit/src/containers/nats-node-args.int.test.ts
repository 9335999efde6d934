import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../free-port.ts';
import { natsServerBinary } from '../paths.ts';
import { ServerProcess } from '../server-process.ts';
import { natsJetStreamReady, natsNodeArgs } from './nats-container.ts';

// No Docker engine here: the containers' command line and readiness check run against the local
// nats-server binary (the same 2.12 release as the image), on loopback ports instead of network aliases.

async function healthStatus(monitorPort: number): Promise<number> {
  const { path } = natsJetStreamReady(monitorPort);
  return fetch(`http://127.0.0.1:${monitorPort}${path}`).then(
    (r) => r.status,
    () => 0,
  );
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the NATS container command line, on the local binary', () => {
  it('forms a JetStream cluster, and the readiness check holds back until a quorum is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-nats-args-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const ports = await Promise.all(
      [0, 1, 2].map(async () => ({
        client: await freePort(),
        cluster: await freePort(),
        monitor: await freePort(),
      })),
    );
    const nodes = ports.map((own, i) => {
      const routes = ports.filter((p) => p !== own).map((p) => `nats://127.0.0.1:${p.cluster}`);
      const args = natsNodeArgs({
        name: `n${i}`,
        host: '127.0.0.1',
        clientPort: own.client,
        clusterPort: own.cluster,
        monitorPort: own.monitor,
        storeDir: join(dir, `n${i}`),
        routes,
      });
      return new ServerProcess({ name: `nats n${i}`, command: natsServerBinary(), args, port: own.client });
    });
    onTestFinished(async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    });
    const [first, ...others] = nodes;
    const [firstPorts] = ports;
    if (first === undefined || firstPorts === undefined) throw new Error('no nodes');

    await first.start();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await healthStatus(firstPorts.monitor)).not.toBe(200);

    await Promise.all(others.map((n) => n.start()));
    for (const p of ports) await eventually(async () => (await healthStatus(p.monitor)) === 200, 30_000);

    const nc = await connect({ servers: `nats://127.0.0.1:${firstPorts.client}` });
    onTestFinished(() => nc.close());
    expect(nc.info?.connect_urls ?? []).toEqual([]);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
    await jetstream(nc).publish('r3.x', 'replicated');
    const info = await jsm.streams.info('R3');
    expect(info.state.messages).toBe(1);
    expect(info.cluster?.name).toBe('lfs');
    expect([info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)].sort()).toEqual([
      'n0',
      'n1',
      'n2',
    ]);
  });
});
