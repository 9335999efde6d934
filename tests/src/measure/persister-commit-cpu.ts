/**
 * Persister CPU per commit and while idle, fed log batches straight into JetStream (no gateway, no
 * sequencer, so nothing else competes for the rate).
 *
 *   npx tsx tests/src/measure/persister-commit-cpu.ts [--rate 20] [--events 1] [--repositories 1]
 *     [--window-ms 15000] [--idle-ms 10000] [--baseline DIR]
 *
 * Each persister runs as its own process (`node --import tsx <dir>/src/main.ts`, as the bench runs it)
 * with its own FerretDB, bus prefix and database; every tick publishes the same batch to each. CPU is read
 * from /proc (user + system) over an idle interval, the load window and a second idle interval. With
 * `--baseline` (another copy of services/persister whose imports resolve, e.g. an older checkout), that
 * one runs beside this one: before and after, measured side by side in one run.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cpuSeconds } from '@lfsync/bench/load';
import { busNames, type BusNames, type SequencedBatch } from '@lfsync/contracts';
import {
  ServerProcess,
  freePort,
  startFerretDb,
  startNatsServer,
  uniqueName,
  type RunningServer,
} from '@lfsync/testkit';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '20' },
    events: { type: 'string', default: '1' },
    repositories: { type: 'string', default: '1' },
    'window-ms': { type: 'string', default: '15000' },
    'idle-ms': { type: 'string', default: '10000' },
    baseline: { type: 'string' },
  },
});
const rate = Number(values.rate);
const eventsPerBatch = Number(values.events);
const repositories = Number(values.repositories);

interface Persister {
  label: string;
  process: ServerProcess;
  ferret: RunningServer;
  names: BusNames;
  heads: Map<string, number>;
}

async function startPersister(label: string, dir: string, natsUrl: string): Promise<Persister> {
  const ferret = await startFerretDb();
  const port = await freePort();
  const prefix = uniqueName('p');
  const process = new ServerProcess({
    name: label,
    command: globalThis.process.execPath,
    args: ['--import', 'tsx', join(dir, 'src/main.ts')],
    port,
    env: {
      NATS_URL: natsUrl,
      MONGO_URL: ferret.url,
      MONGO_DB: uniqueName('db'),
      BUS_PREFIX: prefix,
      MONGO_WRITE_CONCERN: '1',
      LOG_LEVEL: 'warn',
      OPS_PORT: String(port),
    },
    startTimeoutMs: 90_000,
  });
  await process.start();
  return { label, process, ferret, names: busNames(prefix), heads: new Map() };
}

function nextBatch(persister: Persister, tick: number): SequencedBatch {
  const repository = `r${tick % repositories}`;
  const from = (persister.heads.get(repository) ?? 0) + 1;
  persister.heads.set(repository, from + eventsPerBatch - 1);
  const events = Array.from({ length: eventsPerBatch }, (_, i) => ({
    _event_id: `e${from + i}`,
    _operation: 0 as const,
    _created_at: 0,
    serverSequence: from + i,
    _data: { pad: 'x'.repeat(100) },
  }));
  return { repository, fromSequence: from, toSequence: from + eventsPerBatch - 1, events };
}

function runningPid(pid: number | undefined): number {
  if (pid === undefined) throw new Error('a measured process is not running');
  return pid;
}

async function window(persisters: Persister[], js: JetStreamClient, what: string, ms: number, load: boolean) {
  const pids = persisters.flatMap((p) => [p.process.pid, p.ferret.process.pid]).map(runningPid);
  const before = pids.map(cpuSeconds);
  const start = Date.now();
  let ticks = 0;
  while (Date.now() - start < ms) {
    if (load) {
      for (const p of persisters) {
        const batch = nextBatch(p, ticks);
        void js.publish(p.names.logSubject(batch.repository), JSON.stringify(batch));
      }
    }
    ticks += 1;
    await sleep(Math.max(0, start + (ticks * 1000) / rate - Date.now()));
  }
  await sleep(500); // the last commits
  const used = pids.map((pid, i) => cpuSeconds(pid) - (before[i] ?? 0));
  const cells = persisters.map((p, i) => {
    const own = used[2 * i] ?? 0;
    const perCommit = load ? ` = ${((own / ticks) * 1000).toFixed(2)} ms/commit` : '';
    return `${p.label} ${own.toFixed(2)} s${perCommit} (its FerretDB ${(used[2 * i + 1] ?? 0).toFixed(2)} s)`;
  });
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `${what} ${((Date.now() - start) / 1000).toFixed(1)} s: ${cells.join('; ')}; load ${loadAverage}`,
  );
}

const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
const trees: Array<[string, string]> = [
  ['current', resolve(import.meta.dirname, '../../../services/persister')],
];
if (values.baseline !== undefined) trees.push(['baseline', resolve(values.baseline)]);
const persisters: Persister[] = [];
for (const [label, dir] of trees) persisters.push(await startPersister(label, dir, nats.url));
await sleep(3_000); // past start-up
const js = jetstream(nc);
console.log(`${rate} commits/s of ${eventsPerBatch} event(s) over ${repositories} repositories`);
await window(persisters, js, 'idle', Number(values['idle-ms']), false);
await window(persisters, js, 'load', Number(values['window-ms']), true);
await window(persisters, js, 'idle', Number(values['idle-ms']), false);
for (const p of persisters) {
  await p.process.stop();
  await p.ferret.dispose();
}
await nc.close();
await nats.dispose();
