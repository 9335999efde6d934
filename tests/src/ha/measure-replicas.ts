/**
 * `npm run measure:replicas`: with 1, 2 and 3 replicas of the sequencer and the persister (each service in
 * its own process, one NATS server, FerretDB), measures ingest throughput with the bench's closed-loop
 * ingest, the sequencers' OCC conflict rate, how the persisters share the work, and the failover time when
 * the active persister is SIGKILLed while clients push. Prints a table. Flags: --replicas 1,2,3,
 * --duration-s 10, --clients 16, --repositories 8, --nats-cluster 3 (a 3-node NATS cluster, R3, instead of
 * one server).
 */
import { parseArgs } from 'node:util';
import { BENCH_JWT_SECRET, Histogram, nowUs, runIngest, signToken } from '@lfsync/bench/load';
import { ReliablePusher } from '../chaos/reliable-pusher.ts';
import { startProcessStack, type ProcessStack } from '../process-stack.ts';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1,2,3' },
    'duration-s': { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
    repositories: { type: 'string', default: '8' },
    'nats-cluster': { type: 'string' },
  },
});
const clusterSize = values['nats-cluster'] === undefined ? undefined : Number(values['nats-cluster']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Counters {
  appends: number;
  conflicts: number;
  blocked: number;
  storedBy: number[];
}

async function metric(port: number, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.e+-]+)$`).exec(line);
    if (match !== null) sum += Number(match[2]);
  }
  return sum;
}

async function counters(stack: ProcessStack): Promise<Counters> {
  const sum = async (ports: number[], name: string) =>
    (await Promise.all(ports.map((p) => metric(p, name)))).reduce((a, b) => a + b, 0);
  const sequencerPorts = stack.sequencers.map((s) => s.port);
  const persisterPorts = stack.persisters.map((p) => p.port);
  return {
    appends: await sum(sequencerPorts, 'sequencer_appends_total'),
    conflicts: await sum(sequencerPorts, 'sequencer_append_conflicts_total'),
    blocked: await sum(persisterPorts, 'persister_batches_blocked_total'),
    storedBy: await Promise.all(persisterPorts.map((p) => metric(p, 'persister_events_stored_total'))),
  };
}

async function throughput(stack: ProcessStack, durationMs: number) {
  const clients = Number(values.clients);
  const repositories = Number(values.repositories);
  const before = await counters(stack);
  const result = await runIngest({
    clients: Array.from({ length: clients }, (_, i) => {
      const repository = `ingest${i % repositories}`;
      return {
        endpoint: { url: stack.gatewayUrl(i % 2) },
        repository,
        subject: `ingest-c${i}`,
        scope: { read: [], write: [repository] },
      };
    }),
    batchSize: 50,
    payloadBytes: 100,
    mode: 'closed',
    startAtUs: nowUs() + 1_000_000,
    warmupMs: 2_000,
    durationMs,
    drainMs: 10_000,
  });
  const after = await counters(stack);
  const appends = after.appends - before.appends;
  const conflicts = after.conflicts - before.conflicts;
  return {
    eventsPerSec: result.ackedEvents / (durationMs / 1000),
    p99Ms: Histogram.from(result.latency).summary().p99Ms,
    conflictRate: conflicts / Math.max(1, appends + conflicts),
    conflicts,
    blocked: after.blocked - before.blocked,
    stored: after.storedBy.map((n, i) => n - (before.storedBy[i] ?? 0)),
  };
}

/** When a persister (the restarted one, or a standby) reports consuming again; undefined if not by `deadline`. */
async function tookOver(stack: ProcessStack, deadline: number): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const active = await Promise.all(
      stack.persisters.filter((p) => p.running).map((p) => metric(p.port, 'persister_active')),
    );
    if (active.some((a) => a > 0)) return Date.now();
    await sleep(100);
  }
  return undefined;
}

/** SIGKILLs the persister doing the work while clients push; a single one is restarted at once. */
async function failover(stack: ProcessStack) {
  const urls = [stack.gatewayUrl(0), stack.gatewayUrl(1)];
  const pushers = await Promise.all(
    [0, 1, 2, 3].map(async (i) => new ReliablePusher(urls, await signToken(`fo${i}`), i)),
  );
  for (const p of pushers) p.start();
  let counter = 0;
  const pushing = setInterval(() => {
    for (const [i, p] of pushers.entries()) {
      p.push(`fo${i % 2}`, [`f${i}-${counter++}`, `f${i}-${counter++}`]);
      p.resendUnacked(2_000);
    }
  }, 50);
  await sleep(3_000);
  const first = await counters(stack);
  await sleep(1_000);
  const second = await counters(stack);
  const gains = second.storedBy.map((n, i) => n - (first.storedBy[i] ?? 0));
  const active = gains.indexOf(Math.max(...gains));
  const victim = stack.persisters[active];
  if (victim === undefined) throw new Error('no persister');
  await victim.kill('SIGKILL');
  const killedAt = Date.now();
  if (stack.persisters.length === 1) await victim.start();
  const takeoverMs = await tookOver(stack, killedAt + 12_000);
  await sleep(Math.max(0, killedAt + 12_000 - Date.now()));
  clearInterval(pushing);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && pushers.some((p) => p.unacked.length > 0)) {
    for (const p of pushers) p.resendUnacked();
    await sleep(500);
  }
  const records = pushers.flatMap((p) => [...p.records.values()]);
  for (const p of pushers) p.stop();
  if (!victim.running) await victim.start();
  const acked = records.filter((r) => r.pushedAt > killedAt && r.ackedAt !== undefined);
  return {
    victim: active,
    failoverMs: Math.min(...acked.map((r) => r.ackedAt as number)) - killedAt,
    takeoverMs: takeoverMs === undefined ? undefined : takeoverMs - killedAt,
    unacked: records.filter((r) => r.sequence === undefined).length,
  };
}

const rows: string[] = [
  '| replicas | events/s | push→ack p99 | sequencer conflict rate | persister blocked batches | events stored per persister | failover after SIGKILL of the active persister | of which until another consumes | never acked |',
  '|---|---|---|---|---|---|---|---|---|',
];
for (const n of values.replicas.split(',').map(Number)) {
  const stack = await startProcessStack({
    gateways: 2,
    sequencers: n,
    persisters: n,
    ...(clusterSize === undefined
      ? {}
      : { natsCluster: { size: clusterSize, network: 'loopback' as const } }),
    env: { JWT_SECRET: BENCH_JWT_SECRET, MONGO_WRITE_CONCERN: '1', ACK_TIMEOUT_MS: '5000' },
  });
  try {
    const t = await throughput(stack, Number(values['duration-s']) * 1000);
    const f = await failover(stack);
    const row = `| ${n} | ${Math.round(t.eventsPerSec)} | ${t.p99Ms.toFixed(0)} ms | ${(t.conflictRate * 100).toFixed(1)} % (${t.conflicts}) | ${t.blocked} | ${t.stored.join(' / ')} | ${f.failoverMs} ms (persister${f.victim}) | ${f.takeoverMs ?? '—'} ms | ${f.unacked} |`;
    console.log(row);
    rows.push(row);
  } finally {
    await stack.stop();
  }
}
console.log(rows.join('\n'));
process.exit(0);
