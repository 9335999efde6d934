import type { CatchUpStoreResult } from '../scenarios/catchup-store.ts';
import { int, ms, ratio, table } from './format.ts';
import type { BenchReport } from './model.ts';
import { judge, type TargetRow } from './targets.ts';

type Phase = CatchUpStoreResult['alone'];

const cpu = (seconds: Record<string, number>, name: string) => seconds[name]?.toFixed(2) ?? '–';

function phaseRows(label: string, phase: Phase): string[][] {
  return phase.runs.map((run, i) => [
    label,
    String(Math.floor(i / 2) + 1),
    run.layout,
    ms(run.firstPageMs),
    ms(run.totalMs),
    int(run.pages),
    int(run.eventsPerSec),
    run.error ?? (run.inOrder ? 'yes' : 'NO'),
    cpu(run.cpuSeconds, 'ferretdb'),
    cpu(run.cpuSeconds, 'gateway0'),
    cpu(run.cpuSeconds, 'generators'),
    cpu(run.cpuSeconds, 'postgresql'),
    cpu(run.cpuSeconds, 'others'),
    run.loadAverage.toFixed(1),
  ]);
}

function scanLine(label: string, phase: Phase): string {
  const scans = phase.scans.map(
    (s) =>
      `${s.layout}: ${int(s.documents)} documents, ${int(s.events)} events in ${ms(s.ms)} (${ms(s.ms / s.documents)} per document; CPU-s ferretdb ${cpu(s.cpuSeconds, 'ferretdb')}, bench ${cpu(s.cpuSeconds, 'bench')})`,
  );
  return `The store alone (the bench reads through its own MongoEventStore, no gateway), ${label}: ${scans.join(' · ')}`;
}

function restLine(label: string, phase: Phase): string {
  const pages = phase.restPageMs.map((p) => `seq ${int(p.seq)}: ${ms(p.ms)} (${p.status})`).join(' · ');
  return `REST, one 1,000-event page, ${label}: ${pages}`;
}

function medians(label: string, phase: Phase): string {
  return `${label}: ${ms(phase.medianMs)} on chunks, ${ms(phase.batchesMedianMs)} on batches (${ratio(phase.medianMs, phase.batchesMedianMs)})`;
}

const HEADER = [
  'store',
  'run',
  'layout',
  'first page',
  'all (sync_complete)',
  'pages',
  'events/s',
  'complete, in order',
  'CPU-s ferretdb',
  'CPU-s gateway',
  'CPU-s client',
  'CPU-s PostgreSQL',
  'CPU-s not ours',
  'load avg',
];

/** Catch-up from the database with and without a crowded store (issue 16). */
export function catchUpStoreSection(r: BenchReport): string {
  const c = r.catchUpStore;
  if (c === undefined) return '';
  const others = `${int(c.crowded.otherEvents)} events in ${int(c.otherRepositories)} other repositories`;
  const gin = c.crowdedWithGinIndexes;
  const phases: Array<[string, Phase]> = [
    ['alone', c.alone],
    ['crowded', c.crowded],
  ];
  if (gin !== undefined) phases.push(['crowded + GIN indexes', gin]);
  return [
    '## Catch-up from the database in a large store',
    '',
    `FerretDB on ${c.backend}; the gateway's recent-events cache off. ${int(c.events)} events in batches of`,
    `${c.batchSize} were read by fresh sessions, first alone in the store, then next to ${others} (batches of`,
    `${c.otherBatchSize}), bulk-inserted through the event store (${int(c.loadEventsPerSec.target)} and ${int(c.loadEventsPerSec.others)} events/s).`,
    `The repository is stored twice: as the store keeps it (chunks of 1,000 events, merged in ${ms(c.compactionMs)} after the load, CPU-s ${Object.entries(
      c.compactionCpuSeconds,
    )
      .map(([name, s]) => `${name} ${s.toFixed(2)}`)
      .join(', ')}) and as logged (batches); the runs alternate.`,
    `Medians: ${phases.map(([label, phase]) => medians(label, phase)).join('; ')}.`,
    '',
    table(
      HEADER,
      phases.flatMap(([label, phase]) => phaseRows(label, phase)),
    ),
    '',
    ...phases.flatMap(([label, phase]) => [scanLine(label, phase), '', restLine(label, phase), '']),
  ].join('\n');
}

/** The issue-16 target, when the scenario ran (it runs on request only). */
export function catchUpStoreTargets(r: BenchReport): TargetRow[] {
  const c = r.catchUpStore;
  if (c === undefined) return [];
  const phases = [
    c.alone,
    c.crowded,
    ...(c.crowdedWithGinIndexes === undefined ? [] : [c.crowdedWithGinIndexes]),
  ];
  const complete = phases.every((phase) => phase.runs.every((run) => run.inOrder));
  const crowded = c.crowdedWithGinIndexes ?? c.crowded;
  const judgement = judge(crowded.medianMs, 1_000, 'atMost');
  const setup = c.crowdedWithGinIndexes === undefined ? c.backend : `${c.backend} with the GIN indexes`;
  judgement.detail += `; FerretDB on ${setup}; ${ms(c.alone.medianMs)} with the repository alone in the store; ${ms(crowded.batchesMedianMs)} on uncompacted batches`;
  if (c.events !== 100_000 || c.crowded.otherEvents < 1_000_000)
    judgement.detail += `; measured with ${int(c.events)} events next to ${int(c.crowded.otherEvents)}`;
  if (!complete) judgement.detail += '; NOT every run received every event in order';
  return [
    {
      target: 'Catch-up of 100,000 events from the database, ≥ 1,000,000 events in other repositories',
      goal: '≤ 1 s',
      measured: ms(crowded.medianMs),
      ...judgement,
    },
  ];
}
