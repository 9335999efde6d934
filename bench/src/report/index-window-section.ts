import { int, mib, ratio, table } from './format.ts';
import type { BenchReport } from './model.ts';

/** The embedded event-id index with and without EVENT_INDEX_TTL_MS: entries and file size. */
export function indexWindowSection(r: BenchReport): string {
  const runs = r.indexWindow;
  if (runs === undefined || runs.length === 0) return '';
  const [unbounded, bounded] = runs;
  const rows = runs.map((run) => [
    run.ttlMs === 0 ? '0 (kept)' : `${int(run.ttlMs)} ms`,
    int(run.events),
    `${run.pushSeconds.toFixed(1)} s`,
    int(run.refusals),
    run.serverCpuSeconds.toFixed(1),
    int(run.entriesAfterPush),
    int(run.entriesAfterWindow),
    mib(run.fileBytes),
  ]);
  return [
    '## 10. Event-id index window (embedded mode)',
    '',
    `${int(unbounded?.events)} events pushed over WebSocket to \`npm start\`'s embedded mode (batches of 500, 16 repositories`,
    'at once, `LOG_RETENTION_MS` 1 s), once keeping every id and once with `EVENT_INDEX_TTL_MS`; index entries',
    'counted from the bench process (LMDB takes readers in other processes) after the last ack and once the window',
    'and a sweep had passed.',
    '',
    table(
      [
        'EVENT_INDEX_TTL_MS',
        'events',
        'push',
        'pushes refused',
        'server CPU-s',
        'entries after push',
        'after the window',
        'data file MiB',
      ],
      rows,
    ),
    '',
    `- bounded against kept: server CPU ${ratio(bounded?.serverCpuSeconds, unbounded?.serverCpuSeconds)}, data file ${ratio(bounded?.fileBytes, unbounded?.fileBytes)}`,
  ].join('\n');
}
