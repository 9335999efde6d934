/** The report's sections on sessions: idle connections, catch-up, reconnect storm, slow consumer. */
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { SlowPhaseResult } from '../scenarios/slow-consumer.ts';
import { cpuLine, stagesLine } from './cells.ts';
import { counts, int, kib, mib, ms, table } from './format.ts';
import type { BenchReport } from './model.ts';

function connectionsRow(c: ConnectionsResult): string[] {
  return [
    c.system,
    `${int(c.connected)} / ${int(c.attempted)}`,
    ms(c.connectAllMs),
    int(c.connectsPerSec),
    ms(c.connectLatency.p50Ms),
    ms(c.connectLatency.p99Ms),
    mib(c.rssBeforeBytes),
    mib(c.rssAfterBytes),
    kib(c.rssPerSessionBytes),
    c.heapPerSessionBytes === undefined ? '–' : kib(c.heapPerSessionBytes),
    counts(c.failures),
  ];
}

const CONNECTIONS_HEADER = [
  'system',
  'connected',
  'connect all',
  'connects/s',
  'connect p50',
  'connect p99',
  'RSS before',
  'RSS after',
  'RSS/session',
  'V8 heap/session',
  'failures',
];

export function connectionsSection(r: BenchReport): string {
  const runs = [
    r.connections,
    r.centrifugo?.available === true ? r.centrifugo.connections : undefined,
  ].filter((x): x is ConnectionsResult => x !== undefined);
  if (runs.length === 0) return '';
  const notes = runs.map((c) => c.limitNote).filter((n) => n !== undefined);
  return [
    '## 3. Idle connections',
    '',
    `Sessions connect (from ${r.options['source-addresses']} source addresses 127.0.0.x) and authenticate, nothing else, to one server process; RSS`,
    '(VmRSS) is read before and 3 s after the last one authenticated.',
    '',
    table(CONNECTIONS_HEADER, runs.map(connectionsRow)),
    ...runs.flatMap((c) => ['', `${cpuLine(c.cpu)} (${c.system}, while connecting)`]),
    ...notes.map((n) => `\nNote: ${n}.`),
  ].join('\n');
}

export function catchUpSection(r: BenchReport): string {
  const c = r.catchUp;
  if (c === undefined) return '';
  return [
    '## 4. Catch-up',
    '',
    `${int(c.events)} events were loaded in batches of ${c.loadBatchSize} (${int(c.loadEventsPerSec)} events/s, errors: ${counts(c.loadErrors)}); then fresh`,
    'sessions asked for everything after sequence 0, one at a time.',
    '',
    table(
      [
        'run',
        'gateway',
        'events',
        'pages',
        'first page',
        'all (sync_complete)',
        'events/s',
        'MiB',
        'complete, in order',
      ],
      c.runs.map((run, i) => [
        String(i + 1),
        String(run.gateway),
        int(run.events),
        int(run.pages),
        ms(run.firstPageMs),
        ms(run.totalMs),
        int(run.events / (run.totalMs / 1000)),
        mib(run.bytes),
        run.inOrder ? 'yes' : 'NO',
      ]),
    ),
    '',
    `${cpuLine(c.loadCpu, c.loadCost)} (loading)`,
    '',
    `${cpuLine(c.readCpu, c.readCost)} (the timed reads)`,
  ].join('\n');
}

export function reconnectSection(r: BenchReport): string {
  const s = r.reconnect;
  if (s === undefined) return '';
  return [
    '## 5. Reconnect storm',
    '',
    `${int(s.connected)} live sessions (both gateways) were terminated at once while ${s.ratePerSec} events/s kept coming; each reconnected to the`,
    `other gateway${s.jitterMs > 0 ? ` (spread over ${s.jitterMs} ms)` : ' immediately'} and sent \`request_events\` from its cursor.`,
    '',
    table(
      ['measure', 'value'],
      [
        ['all authenticated again', ms(s.allReconnectedMs)],
        ['all caught up (live again)', ms(s.allLiveMs)],
        [
          'per session: reconnect p50 / p99',
          `${ms(s.reconnectLatency.p50Ms)} / ${ms(s.reconnectLatency.p99Ms)}`,
        ],
        ['per session: live again p50 / p99', `${ms(s.resyncLatency.p50Ms)} / ${ms(s.resyncLatency.p99Ms)}`],
        ['events fetched by catch-up after reconnecting', int(s.caughtUpEvents)],
        ['failed sessions / retries', `${s.failedSessions} / ${counts(s.failures)}`],
        [
          'after the storm: behind / gaps / duplicates',
          `${s.sessionsBehind} / ${s.gaps} / ${s.duplicates} (head ${s.head})`,
        ],
      ],
    ),
    '',
    cpuLine(s.cpu) + ' (from the drop until all were live)',
  ].join('\n');
}

function slowRow(label: string, p: SlowPhaseResult): string[] {
  return [
    label,
    p.disconnectedAfterMs === undefined ? 'never' : ms(p.disconnectedAfterMs),
    `${p.closeCode ?? 'none'} / ${p.errorCode ?? 'none'}`,
    `${mib(p.rssBaselineBytes)} / ${mib(p.rssMaxBytes)} / ${mib(p.rssAfterBytes)}`,
    `${ms(p.healthy.p50Ms)} / ${ms(p.healthy.p99Ms)} / ${ms(p.healthy.maxMs)}`,
    int(p.healthyDeliveriesPerSec),
  ];
}

/** About ten samples of the gateway's RSS after the session stopped reading. */
function rssCurve(label: string, p: SlowPhaseResult): string {
  const every = Math.max(1, Math.ceil(p.rssSamples.length / 10));
  return `Gateway RSS after the session ${label.replace('stops', 'stopped')}: ${p.rssSamples
    .filter((_, i) => i % every === 0)
    .map(([t, rss]) => `${(t / 1000).toFixed(1)} s ${mib(rss)}`)
    .join(' · ')}`;
}

const SLOW_HEADER = [
  'slow session',
  'dropped after',
  'close code / error read',
  'gateway RSS before / max / after',
  'healthy p50 / p99 / max',
  'healthy deliveries/s',
];

export function slowSection(r: BenchReport): string {
  const s = r.slowConsumer;
  if (s === undefined) return '';
  const phases: Array<[string, SlowPhaseResult | undefined]> = [
    ['stops reading while live', s.live],
    ['stops reading before its catch-up', s.catchUp],
  ];
  const measured = phases.filter((x): x is [string, SlowPhaseResult] => x[1] !== undefined);
  return [
    '## 6. Slow consumer',
    '',
    `${s.sessions} healthy sessions and one that stops reading (its socket paused) follow one repository on one gateway;`,
    `${s.ratePerSec} events/s in pushes of ${s.batchSize}, ${int(s.payloadBytes)} bytes each. MAX_OUTBOUND_BYTES = ${mib(s.maxOutboundBytes)} on this`,
    `stack. Healthy sessions without a slow one: p50 ${ms(s.control.p50Ms)}, p99 ${ms(s.control.p99Ms)}, max ${ms(s.control.maxMs)}; ${int(s.controlDeliveriesPerSec)} deliveries/s.`,
    '',
    `Inside our services, control window: ${stagesLine(s.controlStages)}.`,
    '',
    `${cpuLine(s.controlCpu)} (control window)`,
    '',
    table(
      SLOW_HEADER,
      measured.map(([label, p]) => slowRow(label, p)),
    ),
    '',
    ...measured.flatMap(([label, p]) => [rssCurve(label, p), '']),
    `Healthy sessions at the end: ${s.sessionsBehind} behind, ${s.gaps} gaps, ${s.duplicates} duplicates.`,
  ].join('\n');
}
