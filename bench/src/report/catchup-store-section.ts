import type { CatchUpStoreResult } from '../scenarios/catchup-store.ts';
import { int, ms, ratio, table } from './format.ts';
import type { BenchReport } from './model.ts';
import { judge, type TargetRow } from './targets.ts';

type Phase = CatchUpStoreResult['alone'];

function phaseRows(label: string, phase: Phase): string[][] {
  return phase.runs.map((run, i) => [
    label,
    String(i + 1),
    ms(run.firstPageMs),
    ms(run.totalMs),
    int(run.pages),
    int(run.pagesPerSec),
    int(run.eventsPerSec),
    run.error ?? (run.inOrder ? 'yes' : 'NO'),
  ]);
}

function restLine(label: string, phase: Phase): string {
  const pages = phase.restPageMs.map((p) => `seq ${int(p.seq)}: ${ms(p.ms)} (${p.status})`).join(' · ');
  return `REST, one 1,000-event page, ${label}: ${pages}`;
}

/** Catch-up from the database with and without a crowded store (issue 16). */
export function catchUpStoreSection(r: BenchReport): string {
  const c = r.catchUpStore;
  if (c === undefined) return '';
  const others = `${int(c.crowded.otherEvents)} events in ${int(c.otherRepositories)} other repositories`;
  const gin = c.crowdedWithGinIndexes;
  return [
    '## Catch-up from the database in a large store',
    '',
    `FerretDB on ${c.backend}; the gateway's recent-events cache off. ${int(c.events)} events in batches of`,
    `${c.batchSize} were read by fresh sessions, first alone in the store, then next to ${others} (batches of`,
    `${c.otherBatchSize}), bulk-inserted through the event store (${int(c.loadEventsPerSec.target)} and ${int(c.loadEventsPerSec.others)} events/s).`,
    `Median: ${ms(c.alone.medianMs)} alone, ${ms(c.crowded.medianMs)} crowded (${ratio(c.crowded.medianMs, c.alone.medianMs)})${gin === undefined ? '' : `, ${ms(gin.medianMs)} crowded with the GIN indexes of scripts/ferretdb-postgresql-indexes.sql (${ratio(gin.medianMs, c.alone.medianMs)})`}.`,
    '',
    table(
      [
        'store',
        'run',
        'first page',
        'all (sync_complete)',
        'pages',
        'pages/s',
        'events/s',
        'complete, in order',
      ],
      [
        ...phaseRows('alone', c.alone),
        ...phaseRows('crowded', c.crowded),
        ...(gin === undefined ? [] : phaseRows('crowded + GIN indexes', gin)),
      ],
    ),
    '',
    restLine('alone', c.alone),
    '',
    restLine('crowded', c.crowded),
    ...(gin === undefined ? [] : ['', restLine('crowded + GIN indexes', gin)]),
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
  judgement.detail += `; FerretDB on ${setup}; ${ms(c.alone.medianMs)} with the repository alone in the store`;
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
