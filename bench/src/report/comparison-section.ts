import type { CentrifugoResult } from '../scenarios/centrifugo.ts';
import type { FanoutResult } from '../scenarios/fanout.ts';
import type { CpuReport } from '../system/proc.ts';
import { cores, int, kib, ms, ratio, table } from './format.ts';
import type { BenchReport } from './model.ts';

type Measured = Extract<CentrifugoResult, { available: true }>;

const OUR_SERVERS = ['gateway0', 'gateway1', 'sequencer', 'persister', 'nats-server', 'ferretdb'];

/** One comparison row: measure, reference, both values and their ratio. */
function row(
  measure: string,
  reference: string,
  ours: number | undefined,
  theirs: number | undefined,
  format: (value: number | undefined) => string,
): string[] {
  return [measure, reference, format(ours), format(theirs), ratio(ours, theirs)];
}

function serverCores(cpu: CpuReport, names: readonly string[]): number {
  return cpu.processes.filter((p) => names.includes(p.name)).reduce((n, p) => n + p.cores, 0);
}

function baselineRows(r: BenchReport): string[][] {
  const ingest = r.ingest?.closed;
  const base = r.baseline?.closed;
  if (ingest === undefined || base === undefined) return [];
  return [
    row('Ingest events/s (closed loop)', 'baseline', ingest.eventsPerSec, base.eventsPerSec, int),
    row('Ingest push → ack p50', 'baseline', ingest.latency.p50Ms, base.latency.p50Ms, ms),
    row('Ingest push → ack p99', 'baseline', ingest.latency.p99Ms, base.latency.p99Ms, ms),
  ];
}

function fanoutPairRows(ours: FanoutResult, theirs: FanoutResult): string[][] {
  const at = `, ${int(ours.sessions)} sessions × ${ours.offeredEventsPerSec}/s`;
  const rows = [
    row(`Fan-out deliveries/s${at}`, 'Centrifugo', ours.deliveriesPerSec, theirs.deliveriesPerSec, int),
    row(`Fan-out latency p50${at}`, 'Centrifugo', ours.latency.p50Ms, theirs.latency.p50Ms, ms),
    row(`Fan-out latency p99${at}`, 'Centrifugo', ours.latency.p99Ms, theirs.latency.p99Ms, ms),
  ];
  if (ours.rssPerSessionBytes !== undefined) {
    const measure = `RSS per subscribed session${at}`;
    rows.push(row(measure, 'Centrifugo', ours.rssPerSessionBytes, theirs.rssPerSessionBytes, kib));
  }
  const oursCpu = serverCores(ours.cpu, OUR_SERVERS);
  const theirsCpu = serverCores(theirs.cpu, ['centrifugo']);
  rows.push([
    `Server cores per 100,000 deliveries/s${at} (ours: services + NATS + FerretDB)`,
    'Centrifugo',
    cores((100_000 * oursCpu) / ours.deliveriesPerSec),
    cores((100_000 * theirsCpu) / theirs.deliveriesPerSec),
    ratio(oursCpu / ours.deliveriesPerSec, theirsCpu / theirs.deliveriesPerSec),
  ]);
  return rows;
}

function centrifugoRows(r: BenchReport, c: Measured): string[][] {
  const rows: string[][] = [];
  if (r.fanout !== undefined) {
    const pairs: Array<[FanoutResult | undefined, FanoutResult | undefined]> = [
      [r.fanoutLight, c.fanoutLight],
      [r.fanout, c.fanout],
    ];
    for (const [ours, theirs] of pairs) {
      if (ours !== undefined && theirs !== undefined) rows.push(...fanoutPairRows(ours, theirs));
    }
  }
  const idle = r.connections;
  if (idle !== undefined) {
    const theirs = c.connections;
    rows.push(
      row('RSS per idle connection', 'Centrifugo', idle.rssPerSessionBytes, theirs.rssPerSessionBytes, kib),
      row('Idle connects/s (with auth)', 'Centrifugo', idle.connectsPerSec, theirs.connectsPerSec, int),
    );
  }
  return rows;
}

export function comparisonSection(r: BenchReport): string {
  const c = r.centrifugo?.available === true ? r.centrifugo : undefined;
  const rows = [...baselineRows(r), ...(c === undefined ? [] : centrifugoRows(r, c))];
  if (rows.length === 0) return '';
  return [
    '## Comparisons (same run, same machine)',
    '',
    table(['measure', 'reference', 'ours', 'reference value', 'ours / reference'], rows),
    '',
    'Baseline: one Node process, `ws` + `mongodb`, per event `findOneAndUpdate $inc` + read-back + `insertOne` + broadcast, on a',
    'FerretDB of its own (bench/src/baseline/server.ts). Centrifugo: memory engine, no history, publish over its HTTP API —',
    'a publication is in memory only, whereas ours is sequenced, stored in JetStream and MongoDB before anyone sees it.',
  ].join('\n');
}
