/**
 * `npm run bench`: starts the real stack on this machine, drives it from load-generator child processes,
 * compares with a naive baseline and Centrifugo, and writes bench/results/<date>.md and .json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { WorkerPool } from './load/pool.ts';
import { parseOptions, usage, type BenchOptions, type ScenarioName } from './options.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { BenchReport } from './report/model.ts';
import { targetRows } from './report/targets.ts';
import { runBaseline } from './scenarios/baseline.ts';
import { runCatchUp } from './scenarios/catchup.ts';
import { runCatchUpStore } from './scenarios/catchup-store.ts';
import { runCentrifugo } from './scenarios/centrifugo.ts';
import { runConnections } from './scenarios/connections.ts';
import { BENCH_SERVICE_ENV, type ScenarioContext } from './scenarios/context.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runHotRepository } from './scenarios/hot-repository.ts';
import { runIndexWindow } from './scenarios/index-window.ts';
import { runIngest } from './scenarios/ingest.ts';
import { runManyUsers } from './scenarios/many-users.ts';
import { runReconnect } from './scenarios/reconnect.ts';
import { runSequencerAlone } from './scenarios/sequencer-alone.ts';
import { runSlowConsumer } from './scenarios/slow-consumer.ts';
import { runSnapshot } from './scenarios/snapshot.ts';
import { runStorage } from './scenarios/storage.ts';
import { startBenchStack, type BenchStack } from './stack/bench-stack.ts';
import { describeMachine } from './system/machine.ts';
import { measureWakeCost } from './system/wake-cost.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const parsed = parseOptions(argv);
if (parsed === 'help') {
  process.stdout.write(usage());
  process.exit(0);
}
const options: BenchOptions = parsed;
const selected = (name: ScenarioName) => options.scenarios.includes(name);

const started = new Date();
const date = localDate(started);
const outDir = resolve(repoRoot, options.out);
const runId = started.toISOString().replace(/[:.]/g, '-');
const profileRoot = options.profile ? join(outDir, 'profiles', runId) : undefined;
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const machine = { ...describeMachine(), wakeCost: await measureWakeCost() };
log(
  `bench: ${machine.cpuCount} × ${machine.cpuModel}, ${options.generators} generators; scenarios ${options.scenarios.join(', ')}`,
);
const pool = new WorkerPool(Math.max(2, options.generators), options['generator-nice']);
const ctx: ScenarioContext = { options, pool, log, profileRoot };
const report: BenchReport = {
  date,
  startedAt: started.toISOString(),
  durationSec: 0,
  argv,
  options,
  machine,
  loadAverageAtEnd: [],
  profileDir: profileRoot === undefined ? undefined : relative(repoRoot, profileRoot),
  failures: [],
};

async function attempt<T>(scenario: ScenarioName, run: () => Promise<T>): Promise<T | undefined> {
  if (!selected(scenario)) return undefined;
  try {
    return await run();
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`${scenario}: FAILED ${error}`);
    report.failures.push({ scenario, error });
    return undefined;
  }
}

try {
  report.storage = await attempt('storage', () => runStorage(ctx));
  report.ingest = await attempt('ingest', () => runIngest(ctx));
  report.hotRepository = await attempt('hot', () => runHotRepository(ctx));
  report.sequencerAlone = await attempt('sequencer', () => runSequencerAlone(ctx));
  report.baseline = await attempt('baseline', () => runBaseline(ctx));
  const fanoutRuns = await attempt('fanout', () => runFanout(ctx));
  report.fanout = fanoutRuns?.find((r) => r.load === 'target');
  report.fanoutLight = fanoutRuns?.find((r) => r.load === 'light');
  report.centrifugo = await attempt('centrifugo', () => runCentrifugo(ctx));
  if (report.centrifugo?.available === true)
    machine.centrifugo = `${report.centrifugo.version} (go install, ${report.centrifugo.binary})`;

  report.slowConsumer = await attempt('slow', () => runSlowConsumer(ctx));
  report.manyUsers = await attempt('many-users', () => runManyUsers(ctx));
  report.catchUpStore = await attempt('catchup-store', () => runCatchUpStore(ctx));
  report.snapshot = await attempt('snapshot', () => runSnapshot(ctx));
  report.indexWindow = await attempt('index-window', () => runIndexWindow(ctx));

  // One stack for the rest. Order matters on FerretDB: a catch-up read scans the whole events collection
  // (no filter pushdown on its SQLite backend), so the 100k-event load comes last.
  if (['connections', 'reconnect', 'catchup'].some((s) => selected(s as ScenarioName))) {
    log('stack: starting for connections, reconnect storm and catch-up');
    const stack: BenchStack = await startBenchStack({
      gateways: 2,
      experiments: ctx.options.experiments,
      env: BENCH_SERVICE_ENV,
    });
    try {
      report.connections = await attempt('connections', () => runConnections(ctx, stack));
      report.reconnect = await attempt('reconnect', () => runReconnect(ctx, stack));
      report.catchUp = await attempt('catchup', () => runCatchUp(ctx, stack));
    } finally {
      await stack.stop();
    }
  }
} finally {
  await pool.stop();
}

report.durationSec = (Date.now() - started.getTime()) / 1000;
report.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
mkdirSync(outDir, { recursive: true });
// An experiment run must not pass for a measurement of the committed code.
const base = join(
  outDir,
  options.experiments.length === 0 ? date : `${date}-${options.experiments.join('+')}`,
);
writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(`${base}.md`, `${renderMarkdown(report)}\n`);
log(`bench: wrote ${relative(process.cwd(), `${base}.md`)} and .json in ${Math.round(report.durationSec)} s`);
for (const row of targetRows(report))
  log(
    `  ${row.status.padEnd(12)} ${row.target}: ${row.measured}${row.detail === '' ? '' : ` — ${row.detail}`}`,
  );
process.exit(report.failures.length === 0 ? 0 : 1);

function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
