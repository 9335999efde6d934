import { busNames } from '@lfsync/contracts';
import type { NatsCluster, ServerProcess } from '@lfsync/testkit';
import type { ProcessStack } from '../process-stack.ts';

export interface Target {
  name: string;
  process: () => ServerProcess;
  /** The cluster node behind it, for NATS nodes. */
  natsNode?: number;
}

type Fault = 'SIGKILL+restart' | 'SIGSTOP/SIGCONT' | 'partition';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process of the stack that faults may hit: services, NATS (each cluster node) and the database. */
export function chaosTargets(stack: ProcessStack, only?: readonly string[]): Target[] {
  const services = (name: string, processes: readonly ServerProcess[]): Target[] =>
    processes.map((p, i) => ({ name: processes.length === 1 ? name : `${name}${i}`, process: () => p }));
  const nats: Target[] =
    stack.natsCluster === undefined
      ? [{ name: 'nats', process: () => (stack.nats as { process: ServerProcess }).process }]
      : stack.natsCluster.nodes.map((node, i) => ({
          name: `nats${i}`,
          process: () => node.process,
          natsNode: i,
        }));
  const targets: Target[] = [
    ...services('gateway', stack.gateways).map((t, i) => ({ ...t, name: `gateway${i}` })),
    ...services('sequencer', stack.sequencers),
    ...services('persister', stack.persisters),
    ...nats,
    { name: 'mongodb', process: () => (stack.mongo as { process: ServerProcess }).process },
  ];
  return targets.filter((t) => only === undefined || only.some((o) => t.name.startsWith(o)));
}

/** A service may fail to start while another process is down too; it is restarted, like a supervisor would. */
async function startAgain(target: Target): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await target.process().start();
      return;
    } catch (err) {
      if (attempt >= 10) throw err;
      await sleep(500);
    }
  }
}

/**
 * Picks and injects faults: every process in turn (order shuffled per round); on a NATS cluster half of
 * the NATS faults go to the current leader of the log stream, the persister's consumer, the event-id
 * index or the meta group, and some are partitions of the node from the others (netns network only).
 * Faults overlap: the next one may hit while another process is still down or restarting.
 */
export class FaultInjector {
  readonly counts: Record<string, number> = {};
  readonly #stack: ProcessStack;
  readonly #targets: readonly Target[];
  readonly #rand: () => number;
  readonly #log: (line: string) => void;
  readonly #busy = new Map<string, Promise<void>>();
  readonly #recoveries: Promise<void>[] = [];
  #round: Target[] = [];
  #partitioned = false;

  constructor(
    stack: ProcessStack,
    targets: readonly Target[],
    rand: () => number,
    log: (line: string) => void,
  ) {
    this.#stack = stack;
    this.#targets = targets;
    this.#rand = rand;
    this.#log = log;
  }

  get partitions(): boolean {
    return this.#stack.natsCluster?.network === 'netns';
  }

  async injectNext(): Promise<void> {
    if (this.#round.length === 0) this.#round = [...this.#targets].sort(() => this.#rand() - 0.5);
    let target = this.#round.pop() as Target;
    let role = '';
    const cluster = this.#stack.natsCluster;
    if (target.natsNode !== undefined && cluster !== undefined && this.#rand() < 0.5) {
      const leader = await this.#leader(cluster);
      if (leader !== undefined) {
        target = this.#targets.find((t) => t.natsNode === leader.node) ?? target;
        role = ` (${leader.of} leader)`;
      }
    }
    if (this.#busy.has(target.name)) return;
    const fault = this.#chooseFault(target);
    const key = `${target.natsNode === undefined ? target.name : 'nats node'}${role} ${fault}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    this.#log(`fault: ${target.name}${role} ${fault}`);
    const recovery = this.#inject(target, fault).finally(() => this.#busy.delete(target.name));
    recovery.catch(() => {}); // judged in settle(), once every fault is over
    this.#busy.set(target.name, recovery);
    this.#recoveries.push(recovery);
  }

  /** Waits for every fault to be over; returns the processes that did not come back or exited by themselves. */
  async settle(): Promise<string[]> {
    const failures: string[] = [];
    for (const result of await Promise.allSettled(this.#recoveries)) {
      if (result.status === 'rejected')
        failures.push(`a process did not come back: ${String(result.reason).slice(0, 200)}`);
    }
    for (const target of this.#targets)
      if (!target.process().running)
        failures.push(
          `${target.name} exited by itself (crashed); its last output:\n${target.process().output().slice(-2000)}`,
        );
    return failures;
  }

  #chooseFault(target: Target): Fault {
    const r = this.#rand();
    const canPartition = target.natsNode !== undefined && this.partitions && !this.#partitioned;
    if (canPartition && r < 0.25) return 'partition';
    if (canPartition) return r < 0.5 ? 'SIGSTOP/SIGCONT' : 'SIGKILL+restart';
    return r < 0.3 ? 'SIGSTOP/SIGCONT' : 'SIGKILL+restart';
  }

  async #inject(target: Target, fault: Fault): Promise<void> {
    switch (fault) {
      case 'SIGSTOP/SIGCONT':
        target.process().pause();
        await sleep(300 + this.#rand() * 1_200);
        target.process().resume();
        return;
      case 'SIGKILL+restart':
        await target.process().kill('SIGKILL');
        await sleep(100 + this.#rand() * 700);
        await startAgain(target);
        return;
      case 'partition': {
        const cluster = this.#stack.natsCluster as NatsCluster;
        const node = target.natsNode as number;
        this.#partitioned = true;
        cluster.partition(node);
        await sleep(2_000 + this.#rand() * 5_000);
        cluster.heal(node);
        this.#partitioned = false;
        return;
      }
    }
  }

  async #leader(cluster: NatsCluster): Promise<{ node: number; of: string } | undefined> {
    const names = busNames(this.#stack.busPrefix);
    const of = (['log', 'consumer', 'index', 'meta'] as const)[Math.floor(this.#rand() * 4)] ?? 'log';
    const node =
      of === 'meta'
        ? await cluster.metaLeader()
        : of === 'log'
          ? await cluster.streamLeader(names.logStream)
          : of === 'consumer'
            ? await cluster.streamLeader(names.logStream, names.persisterConsumer)
            : await cluster.streamLeader(`KV_${names.eventIndexBucket}`);
    return node === undefined ? undefined : { node, of };
  }
}
