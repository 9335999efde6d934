import { int, mib, ms, ratio, table } from './format.ts';
import type { BenchReport } from './model.ts';

/** Snapshot: a fresh client's bytes and time, log replay against snapshot plus the log after it. */
export function snapshotSection(r: BenchReport): string {
  const results = r.snapshot;
  if (results === undefined || results.length === 0) return '';
  const rows = results.flatMap((s) =>
    s.runs.flatMap((run, i) =>
      [run.replay, run.snapshot].map((read) => [
        s.store,
        String(i + 1),
        read.mode,
        int(read.snapshotEvents),
        int(read.logEvents),
        mib(read.bytes),
        ms(read.firstFrameMs),
        ms(read.totalMs),
        int(read.entities),
      ]),
    ),
  );
  const ratios = results.flatMap((s) =>
    s.runs.map(
      (run, i) =>
        `${s.store} run ${i + 1}: snapshot bytes ${ratio(run.snapshot.bytes, run.replay.bytes)} of the replay's, time ${ratio(run.snapshot.totalMs, run.replay.totalMs)}`,
    ),
  );
  const first = results[0];
  return [
    '## 9. Snapshot for a fresh client',
    '',
    `${int(first?.events)} events over ${int(first?.entities)} entities (the last twentieth deleted), written straight into`,
    `the store (${results.map((s) => `${s.store} in ${ms(s.loadMs)}`).join(', ')}); then a fresh client read the repository`,
    'as a replay of the log (`request_events` from 0) and as `request_snapshot` (snapshot, then the log after it),',
    `each until \`sync_complete\`. Same state both ways: ${results.every((s) => s.sameState) ? 'yes' : 'NO'}.`,
    '',
    table(
      ['store', 'run', 'read', 'snapshot events', 'log events', 'MiB', 'first frame', 'all', 'entities'],
      rows,
    ),
    '',
    ...ratios.map((line) => `- ${line}`),
  ].join('\n');
}
