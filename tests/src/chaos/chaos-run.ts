import { busNames } from '@lfsync/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startProcessStack, type ProcessStack } from '../process-stack.ts';
import { FaultInjector, chaosTargets } from './faults.ts';
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
  /** A NATS cluster instead of one server; `netns` makes partitions possible. */
  natsCluster?: { size: number; network: 'loopback' | 'netns' };
  /** Service replicas (default 1 each). */
  sequencers?: number;
  persisters?: number;

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
    sequencers: options.sequencers ?? 1,
    persisters: options.persisters ?? 1,
    ...(options.natsCluster === undefined ? {} : { natsCluster: options.natsCluster }),
    env: { ACK_TIMEOUT_MS: '5000', LOG_LEVEL: options.logLevel ?? 'warn' },
    ...(options.logDir === undefined ? {} : { logDir: options.logDir }),
  });
  const repositories = Array.from({ length: options.repositories }, (_, i) => `chaos${i}`);
  const urls = [stack.gatewayUrl(0), stack.gatewayUrl(1)];
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

    const injector = new FaultInjector(stack, chaosTargets(stack, options.only), rand, log);
    if (stack.natsCluster !== undefined)
      log(
        `NATS cluster of ${stack.natsCluster.nodes.length} (${stack.natsCluster.network}): partitions ${injector.partitions ? 'on' : 'off'}`,
      );

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
    while (Date.now() < end) {
      await sleep(options.faultEveryMs * (0.5 + rand()));
      await injector.injectNext();
    }
    violations.push(...(await injector.settle()));
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
      faults: injector.counts,
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
  const nc = await connect({ servers: stack.natsUrl.split(',') });
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
    `chaos run: ${options.durationMs / 1000}s, ${options.clients} clients, ${options.repositories} repositories, seed ${options.seed}` +
      (options.natsCluster === undefined
        ? ''
        : `, NATS cluster of ${options.natsCluster.size} (${options.natsCluster.network})`) +
      `, ${options.sequencers ?? 1} sequencer(s), ${options.persisters ?? 1} persister(s)`,
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
