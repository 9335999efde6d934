import type { ManyUsersResult } from '../scenarios/many-users.ts';
import { cpuLine, stagesLine } from './cells.ts';
import { int, kib, mib, ms, table } from './format.ts';
import type { BenchReport } from './model.ts';

/** Many users: memory per session at two repository counts, delivery latency, CPU of unsubscribed commits. */
export function manyUsersSection(r: BenchReport): string {
  const m = r.manyUsers;
  if (m === undefined) return '';
  return [
    '## Many users',
    '',
    table(['measure', 'value'], [...memoryRows(m), ...loadRows(m)]),
    '',
    `${cpuLine(m.steadyCpu, m.steadyCost)} (latency window)`,
    '',
    `Inside our services (latency window): ${stagesLine(m.stages)}.`,
    ...(m.fillError === undefined
      ? []
      : [
          '',
          `The fill to the second reading stopped at ${int(m.repositories)} repositories: ${m.fillError}`,
        ]),
  ].join('\n');
}

function memoryRows(m: ManyUsersResult): string[][] {
  const { base, first, second, closed } = m.memory;
  const at = (n: number) => `events in ${int(n)} repositories`;
  const heap = 'gateway V8 heap after a full GC, per session';
  return [
    ['sessions (2 gateways; own + team-of-10 repository each)', int(m.sessions)],
    [`${heap}, ${at(m.firstRepositories)}`, kib(m.heapPerSessionAt1kReposBytes)],
    [`${heap}, ${at(m.repositories)}`, kib(m.heapPerSessionAt10kReposBytes)],
    ['the same, net of what stayed once the sessions closed', kib(m.heapPerSessionNetAt10kReposBytes)],
    [`gateway RSS growth per session, ${at(m.firstRepositories)}`, kib(m.rssPerSessionAt1kReposBytes)],
    [`gateway RSS growth per session, ${at(m.repositories)}`, kib(m.rssPerSessionAt10kReposBytes)],
    [
      'both gateways, heap after full GC: no sessions / sessions (two readings) / sessions closed',
      `${mib(base.heapUsed)} / ${mib(first.heapUsed)}, ${mib(second.heapUsed)} / ${mib(closed.heapUsed)}`,
    ],
    [
      'both gateways, RSS at the same moments',
      `${mib(base.rss)} / ${mib(first.rss)}, ${mib(second.rss)} / ${mib(closed.rss)}`,
    ],
  ];
}

function loadRows(m: ManyUsersResult): string[][] {
  const failures = Object.entries(m.pushes.failures).map(([k, n]) => `${k}: ${int(n)}`);
  return [
    [
      `delivery p50 / p99 at ${int(m.eventsPerSec)} events/s`,
      `${ms(m.deliveryLatency.p50Ms)} / ${ms(m.deliveryLatency.p99Ms)}`,
    ],
    [
      'deliveries measured / owed (subscribers of the acked events)',
      `${int(m.deliveryLatency.count)} / ${int(m.expectedDeliveries)}`,
    ],
    ['gateways CPU per delivery (latency window)', `${m.gatewayCpuPerDeliveryUs.toFixed(1)} µs`],
    [
      'commits nobody subscribed to / of them received by the bystander gateway',
      `${int(m.unsubscribedCommits)} / ${int(m.receivedByBystander)}`,
    ],
    [
      'bystander CPU over that burst / idle over as long',
      `${m.bystanderBusySeconds.toFixed(2)} s / ${m.bystanderIdleSeconds.toFixed(2)} s`,
    ],
    ['gateway CPU per such commit (idle subtracted)', `${m.cpuPerUnsubscribedCommitUs.toFixed(2)} µs`],
    [
      'pushes acked / failed',
      `${int(m.pushes.acked)} / ${failures.length === 0 ? '0' : failures.join(', ')}`,
    ],
  ];
}
