import { busNames } from '@lfsync/contracts';
import { startNatsCluster } from '@lfsync/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { checkStored } from '../chaos/invariants.ts';
import { ReliablePusher } from '../chaos/reliable-pusher.ts';
import { startStack } from '../stack.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('a 3-node NATS cluster with NATS_REPLICAS=3', () => {
  it('loses no acked event when the log stream leader is killed while clients push', async () => {
    const cluster = await startNatsCluster(3);
    cleanups.push(() => cluster.dispose());
    // Healthy nodes may still be electing the JetStream meta leader; creating R3 assets needs it.
    await expect.poll(() => cluster.metaLeader(), { timeout: 30_000, interval: 200 }).toBeDefined();
    const stack = await startStack({
      natsUrl: cluster.url,
      mongoUrl: inject('mongoUrl'),
      gateways: 2,
      serviceEnv: { NATS_REPLICAS: '3' },
      gatewayEnv: { ACK_TIMEOUT_MS: '3000' },
      logLevel: 'warn',
    });
    cleanups.push(() => stack.stop());
    const repositories = ['ha0', 'ha1', 'ha2'];
    const urls = [stack.gatewayUrl(0), stack.gatewayUrl(1)];
    const pushers = await Promise.all(
      [0, 1, 2, 3].map(async (i) => new ReliablePusher(urls, await stack.token(`c${i}`), i)),
    );
    for (const p of pushers) p.start();
    let counter = 0;
    const pushing = setInterval(() => {
      for (const [i, pusher] of pushers.entries()) {
        pusher.push(repositories[counter % 3] as string, [`c${i}-${counter++}`, `c${i}-${counter++}`]);
        pusher.resendUnacked(2_000);
      }
    }, 100);
    await sleep(3_000);

    const logStream = busNames(stack.prefix).logStream;
    const leader = await cluster.streamLeader(logStream);
    expect(leader).toBeDefined();
    await cluster.nodes[leader as number]?.process.kill('SIGKILL');
    const killedAt = Date.now();
    await sleep(15_000);
    clearInterval(pushing);

    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline && pushers.some((p) => p.unacked.length > 0)) {
      for (const p of pushers) p.resendUnacked();
      await sleep(1_000);
    }
    const records = pushers.flatMap((p) => [...p.records.values()]);
    const ackedAgainAt = Math.min(
      ...records
        .filter((r) => r.pushedAt > killedAt && r.ackedAt !== undefined)
        .map((r) => r.ackedAt as number),
    );
    const newLeader = await cluster.streamLeader(logStream);
    console.log(
      `log leader n${leader} killed: pushes acked again after ${ackedAgainAt - killedAt} ms; new leader n${newLeader}; ${records.length} events pushed`,
    );
    for (const p of pushers) p.stop();

    expect(records.filter((r) => r.sequence === undefined)).toEqual([]);
    expect(records.filter((r) => r.pushedAt > killedAt).length).toBeGreaterThan(100);
    const { violations, stored } = await checkStored(stack.db(), repositories, records);
    expect(violations).toEqual([]);
    expect(stored).toBe(records.length);
    expect(newLeader).not.toBe(leader);
  }, 120_000);
});
