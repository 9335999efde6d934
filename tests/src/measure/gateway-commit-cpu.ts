/**
 * Gateway CPU per commit of a repository none of its sessions uses, with several gateways on one bus.
 *
 *   npx tsx tests/src/measure/gateway-commit-cpu.ts [--gateways 5] [--commits 20000] [--baseline-root DIR]
 *
 * Gateway 0's sessions subscribe to the repositories that get the commits; every other gateway's sessions
 * subscribe to repositories of their own that get none. Commit broadcasts are published on NATS exactly as
 * the persister publishes them (so the rate is not bounded by the write path). Each gateway's CPU is read
 * from /proc (user + system) over the commits, minus its CPU over an idle interval as long. With
 * `--baseline-root` (another checkout with its dependencies installed, e.g. the main branch), every second
 * idle gateway runs that checkout's gateway instead: before and after, measured side by side in one run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cpuSeconds } from '@lfsync/bench/load';
import { busNames, COMMITTED_AT_HEADER } from '@lfsync/contracts';
import { WsTestClient, sequencedBatch } from '@lfsync/testkit';
import { connect, headers } from '@nats-io/transport-node';
import { startProcessStack, type ProcessStack } from '../process-stack.ts';

const SESSIONS_PER_GATEWAY = 20;
const BURST = 500;

const { values } = parseArgs({
  options: {
    gateways: { type: 'string', default: '5' },
    commits: { type: 'string', default: '20000' },
    repositories: { type: 'string', default: '50' },
    'baseline-root': { type: 'string' },
  },
});
const gatewayCount = Number(values.gateways);
const commits = Number(values.commits);
const repositoryCount = Number(values.repositories);
const baselineRoot = values['baseline-root'];
const roles = Array.from({ length: gatewayCount }, (_, i) =>
  i === 0 ? 'subscribed' : baselineRoot !== undefined && i % 2 === 0 ? 'idle, baseline' : 'idle',
);

function cpuMs(pid: number): number {
  return cpuSeconds(pid) * 1000;
}

async function subscribedSessions(stack: ProcessStack, gateway: number, repositories: string[]) {
  const clients: WsTestClient[] = [];
  for (let i = 0; i < SESSIONS_PER_GATEWAY; i++) {
    const client = await WsTestClient.connect(stack.gatewayUrl(gateway));
    await client.auth(await stack.token(`u${gateway}-${i}`));
    for (const repository of repositories.filter((_, r) => r % SESSIONS_PER_GATEWAY === i)) {
      client.send({ type: 'subscribe', repository });
      await client.waitForType('subscribed');
    }
    clients.push(client);
  }
  return clients;
}

async function main(): Promise<void> {
  const stack = await startProcessStack({
    gateways: gatewayCount,
    env: { IMPLICIT_SUBSCRIPTION: 'none', LOG_LEVEL: 'warn' },
    gatewayRoots: roles.map((role) => (role === 'idle, baseline' ? baselineRoot : undefined)),
  });
  try {
    const hot = Array.from({ length: repositoryCount }, (_, i) => `hot-${i}`);
    const clients = await subscribedSessions(stack, 0, hot);
    for (let g = 1; g < gatewayCount; g++)
      clients.push(
        ...(await subscribedSessions(
          stack,
          g,
          hot.map((r) => `cold-${g}-${r}`),
        )),
      );
    const names = busNames(stack.busPrefix);
    const nc = await connect({ servers: stack.natsUrl });
    const pids = stack.gateways.map((g) => g.pid as number);
    await sleep(2_000);

    const startIdle = pids.map(cpuMs);
    const idleFrom = performance.now();
    await sleep(5_000);
    const idle = pids.map((pid, i) => cpuMs(pid) - (startIdle[i] as number));
    const idleMs = performance.now() - idleFrom;

    const start = pids.map(cpuMs);
    const from = performance.now();
    const sequences = new Map<string, number>();
    for (let c = 0; c < commits; c++) {
      const repository = hot[c % hot.length] as string;
      const sequence = (sequences.get(repository) ?? 0) + 1;
      sequences.set(repository, sequence);
      const h = headers();
      h.set(COMMITTED_AT_HEADER, String(Date.now()));
      const batch = sequencedBatch(sequence, sequence, repository);
      nc.publish(names.commitSubject(repository), JSON.stringify(batch), { headers: h });
      if ((c + 1) % BURST === 0) {
        await nc.flush();
        await sleep(5);
      }
    }
    await nc.flush();
    // hot-0 is held by gateway 0's first session: wait until it has everything.
    const [first, firstRepository] = [clients[0] as WsTestClient, hot[0] as string];
    const deadline = Date.now() + 60_000;
    while (
      (first.eventsOf(firstRepository).at(-1)?.serverSequence ?? 0) < (sequences.get(firstRepository) ?? 0) &&
      Date.now() < deadline
    )
      await sleep(50);
    await sleep(1_000);
    const busyMs = performance.now() - from;
    const used = pids.map((pid, i) => cpuMs(pid) - (start[i] as number));

    console.log(`${commits} commits over ${repositoryCount} repositories in ${(busyMs / 1000).toFixed(1)} s`);
    console.log('gateway  role             CPU ms  idle-corrected ms  µs per commit');
    for (const [i, role] of roles.entries()) {
      const corrected = (used[i] as number) - ((idle[i] as number) * busyMs) / idleMs;
      console.log(
        [
          String(i).padEnd(7),
          role.padEnd(16),
          String(Math.round(used[i] as number)).padStart(6),
          String(Math.round(corrected)).padStart(18),
          ((corrected * 1000) / commits).toFixed(2).padStart(14),
        ].join(' '),
      );
    }
    await nc.close();
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await stack.stop();
  }
}

await main();
