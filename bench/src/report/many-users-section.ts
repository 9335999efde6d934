import { cpuLine } from './cells.ts';
import { int, kib, ms, table } from './format.ts';
import type { BenchReport } from './model.ts';

/** Many users: memory per session at two repository counts, delivery latency, CPU of unsubscribed commits. */
export function manyUsersSection(r: BenchReport): string {
  const m = r.manyUsers;
  if (m === undefined) return '';
  const rows = [
    ['sessions (2 gateways; own + team-of-10 repository each)', int(m.sessions)],
    ['gateway RSS per session, events in 1,000 repositories', kib(m.rssPerSessionAt1kReposBytes)],
    ['gateway RSS per session, events in 10,000 repositories', kib(m.rssPerSessionAt10kReposBytes)],
    ['gateway V8 heap per session, 1,000 repositories', kib(m.heapPerSessionAt1kReposBytes)],
    ['gateway V8 heap per session, 10,000 repositories', kib(m.heapPerSessionAt10kReposBytes)],
    [
      `delivery p50 / p99 at ${int(m.eventsPerSec)} events/s`,
      `${ms(m.deliveryLatency.p50Ms)} / ${ms(m.deliveryLatency.p99Ms)}`,
    ],
    ['deliveries measured', int(m.deliveryLatency.count)],
    ['commits nobody subscribed to (bystander gateway)', int(m.unsubscribedCommits)],
    ['gateway CPU per such commit', `${m.cpuPerUnsubscribedCommitUs.toFixed(2)} µs`],
  ];
  return [
    '## Many users',
    '',
    table(['measure', 'value'], rows),
    '',
    `${cpuLine(m.steadyCpu, m.steadyCost)} (latency window)`,
  ].join('\n');
}
