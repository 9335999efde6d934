import { busNames } from '@lfsync/contracts';
import type { ServerProcess } from '@lfsync/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startProcessStack, type ProcessStack } from '../process-stack.ts';
import { checkStored } from './invariants.ts';
import { LiveReader } from './live-reader.ts';
import { ReliablePusher } from './reliable-pusher.ts';

export interface ChaosOptions {
  durationMs: number;
  clients: number;
  repositories: number;
  /** Mean time between faults. */
  faultEveryMs: number;
  pushEveryMs: number;
  seed: number;
  /** Keep each service's output there. */
  logDir?: string;
  /** Only these processes get faults (default: all); e.g. ['persister', 'nats'] to chase one bug. */
  only?: readonly string[];
  /** Service log level (default warn). */
  logLevel?: string;

  log?: (line: string) => void;
}

export interface ChaosReport {
  faults: Record<string, number>;
  pushed: number;
  acked: number;
  stored: number;
  reconnects: number;
  violations: string[];
}

type Target = { name: string; process: () => ServerProcess };

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

/** A small deterministic PRNG, so a failing run can be replayed with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Clients push continuously through two gateways while processes are SIGKILLed and restarted or
 * SIGSTOPped and resumed at random moments; afterwards every invariant of DESIGN.md is checked.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const rand = random(options.seed);
  const stack: ProcessStack = await startProcessStack({
    gateways: 2,
    env: { ACK_TIMEOUT_MS: '5000', LOG_LEVEL: options.logLevel ?? 'warn' },
    ...(options.logDir === undefined ? {} : { logDir: options.logDir }),
  });
  const repositories = Array.from({ length: options.repositories }, (_, i) => `chaos${i}`);
  const urls = [stack.gatewayUrl(0), stack.gatewayUrl(1)];
  const faults: Record<string, number> = {};
  const violations: string[] = [];
  try {
    const pushers = await Promise.all(
      Array.from(
        { length: options.clients },
        async (_, i) => new ReliablePusher(urls, await stack.token(`c${i}`), i),
      ),
    );
    const readers = await Promise.all(
      urls.map(async (url, i) => new LiveReader(url, await stack.token(`reader${i}`), repositories)),
    );
    for (const p of pushers) p.start();
    for (const r of readers) r.start();

    const targets: Target[] = [
      { name: 'gateway0', process: () => stack.gateways[0] as ServerProcess },
      { name: 'gateway1', process: () => stack.gateways[1] as ServerProcess },
      { name: 'sequencer', process: () => stack.sequencers[0] as ServerProcess },
      { name: 'persister', process: () => stack.persisters[0] as ServerProcess },
      { name: 'nats', process: () => (stack.nats as { process: ServerProcess }).process },
      { name: 'mongodb', process: () => (stack.mongo as { process: ServerProcess }).process },
    ].filter((t) => options.only === undefined || options.only.includes(t.name));

    let counter = 0;
    const pushing = setInterval(() => {
      for (const [i, pusher] of pushers.entries()) {
        const repository = repositories[Math.floor(rand() * repositories.length)] as string;
        const size = 1 + Math.floor(rand() * 4);
        pusher.push(
          repository,
          Array.from({ length: size }, () => `c${i}-${counter++}`),
        );
      }
    }, options.pushEveryMs);

    const end = Date.now() + options.durationMs;
    // Every process in turn (order shuffled per round), each at a random moment.
    let round: Target[] = [];
    const busy = new Map<string, Promise<void>>();
    const recoveries: Promise<void>[] = [];
    while (Date.now() < end) {
      await sleep(options.faultEveryMs * (0.5 + rand()));
      if (round.length === 0) round = [...targets].sort(() => rand() - 0.5);
      const target = round.pop() as Target;
      if (busy.has(target.name)) continue;
      const stall = rand() < 0.3;
      const key = `${target.name} ${stall ? 'SIGSTOP/SIGCONT' : 'SIGKILL+restart'}`;
      faults[key] = (faults[key] ?? 0) + 1;
      log(`fault: ${key}`);
      // Faults overlap: the next one may hit while this process is still down or restarting.
      const recovery = (async () => {
        if (stall) {
          target.process().pause();
          await sleep(300 + rand() * 1_200);
          target.process().resume();
        } else {
          await target.process().kill('SIGKILL');
          await sleep(100 + rand() * 700);
          await startAgain(target);
        }
      })().finally(() => busy.delete(target.name));
      recovery.catch(() => {}); // judged below, once every fault is over
      busy.set(target.name, recovery);
      recoveries.push(recovery);
    }
    for (const result of await Promise.allSettled(recoveries)) {
      if (result.status === 'rejected')
        violations.push(`a process did not come back: ${String(result.reason).slice(0, 200)}`);
    }
    clearInterval(pushing);

    // Recovery: every client keeps re-sending until everything is acked.
    const recoverBy = Date.now() + 60_000;
    while (Date.now() < recoverBy && pushers.some((p) => p.unacked.length > 0)) {
      for (const p of pushers) p.resendUnacked();
      await sleep(1_000);
    }
    for (const r of readers) if (!(await r.sync(30_000))) violations.push('a reader could not catch up');

    const records = pushers.flatMap((p) => [...p.records.values()]);
    const unacked = records.filter((r) => r.sequence === undefined);
    if (unacked.length > 0) {
      violations.push(`${unacked.length} events never acked (e.g. ${unacked[0]?.eventId})`);
      violations.push(...(await diagnoseStall(stack, repositories)));
    }
    for (const p of pushers) violations.push(...p.ackMismatches.map((m) => `ack changed: ${m}`));

    const checked = await checkStored(stack.db(), repositories, records, readers);
    violations.push(...checked.violations);
    const stored = checked.stored;
    for (const p of pushers) p.stop();
    for (const r of readers) r.stop();

    return {
      faults,
      pushed: records.length,
      acked: records.length - unacked.length,
      stored,
      reconnects: pushers.reduce((n, p) => n + p.reconnects, 0),
      violations,
    };
  } finally {
    await stack.stop();
  }
}

/** Where a pipeline that stopped acknowledging stands: the persister's consumer, the log, the store. */
async function diagnoseStall(stack: ProcessStack, repositories: readonly string[]): Promise<string[]> {
  const nc = await connect({ servers: stack.natsUrl });
  try {
    const names = busNames(stack.busPrefix);
    const jsm = await jetstreamManager(nc);
    const consumer = await jsm.consumers.info(names.logStream, names.persisterConsumer);
    const lines = [
      `diagnosis: consumer pending ${consumer.num_pending}, ack pending ${consumer.num_ack_pending}, redelivered ${consumer.num_redelivered}, waiting pulls ${consumer.num_waiting}, delivered up to ${consumer.delivered.stream_seq}, ack floor ${consumer.ack_floor.stream_seq}`,
    ];
    for (const repository of repositories) {
      const last = await jsm.streams.getMessage(names.logStream, {
        last_by_subj: names.logSubject(repository),
      });
      const logHead = last === null ? 0 : (last.json<{ toSequence: number }>().toSequence ?? 0);
      const head = (
        await stack
          .db()
          .collection('heads')
          .findOne({ _id: repository as never })
      )?.['s'] as number | undefined;
      const stored = await stack.db().collection('events').countDocuments({ r: repository });
      lines.push(
        `diagnosis: ${repository}: log up to ${logHead}, store head ${head}, event documents ${stored}`,
      );
    }
    return lines;
  } catch (err) {
    return [`diagnosis failed: ${String(err)}`];
  } finally {
    await nc.close();
  }
}

export function formatReport(report: ChaosReport, options: ChaosOptions): string {
  const rows = [
    `chaos run: ${options.durationMs / 1000}s, ${options.clients} clients, ${options.repositories} repositories, seed ${options.seed}`,
    '| fault | count |',
    '|---|---|',
    ...Object.entries(report.faults).map(([fault, count]) => `| ${fault} | ${count} |`),
    '',
    '| events pushed | acked | stored | client reconnects | violations |',
    '|---|---|---|---|---|',
    `| ${report.pushed} | ${report.acked} | ${report.stored} | ${report.reconnects} | ${report.violations.length} |`,
    ...report.violations.slice(0, 20).map((v) => `violation: ${v}`),
  ];
  return rows.join('\n');
}
