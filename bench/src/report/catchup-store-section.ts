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
    run.inOrder ? 'yes' : 'NO',
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
  return [
    '## Catch-up from the database in a large store',
    '',
    `FerretDB on ${c.backend}; the gateway's recent-events cache off. ${int(c.events)} events in batches of`,
    `${c.batchSize} were read by fresh sessions, first alone in the store, then next to ${others} (batches of`,
    `${c.otherBatchSize}), bulk-inserted through the event store (${int(c.loadEventsPerSec.target)} and ${int(c.loadEventsPerSec.others)} events/s).`,
    `Median: ${ms(c.alone.medianMs)} alone, ${ms(c.crowded.medianMs)} crowded (${ratio(c.crowded.medianMs, c.alone.medianMs)}).`,
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
      [...phaseRows('alone', c.alone), ...phaseRows('crowded', c.crowded)],
    ),
    '',
    restLine('alone', c.alone),
    '',
    restLine('crowded', c.crowded),
  ].join('\n');
}

/** The issue-16 target, when the scenario ran (it runs on request only). */
export function catchUpStoreTargets(r: BenchReport): TargetRow[] {
  const c = r.catchUpStore;
  if (c === undefined) return [];
  const complete = [...c.alone.runs, ...c.crowded.runs].every((run) => run.inOrder);
  const judgement = judge(c.crowded.medianMs, 1_000, 'atMost');
  judgement.detail += `; FerretDB on ${c.backend}; ${ms(c.alone.medianMs)} with the repository alone in the store`;
  if (c.events !== 100_000 || c.crowded.otherEvents < 1_000_000)
    judgement.detail += `; measured with ${int(c.events)} events next to ${int(c.crowded.otherEvents)}`;
  if (!complete) judgement.detail += '; NOT every run received every event in order';
  return [
    {
      target: 'Catch-up of 100,000 events from the database, ≥ 1,000,000 events in other repositories',
      goal: '≤ 1 s',
      measured: ms(c.crowded.medianMs),
      ...judgement,
    },
  ];
}
