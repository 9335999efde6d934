import type { ProfileSummary } from '../profile/summarize.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { FanoutResult } from '../scenarios/fanout.ts';
import type { StageLatency } from '../scenarios/stage-metrics.ts';
import type { IngestPhaseResult } from '../scenarios/ingest.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import type { CpuReport } from '../system/proc.ts';
import { cores, counts, gib, int, kib, mib, ms, pct, ratio, table } from './format.ts';
import type { BenchReport } from './model.ts';
import { targetRows } from './targets.ts';

const LATENCY_HEADER = ['p50', 'p95', 'p99', 'max'];

function latencyCells(l: LatencySummary): string[] {
  return [ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs)];
}

function cpuLine(cpu: CpuReport): string {
  const parts = cpu.processes.filter((p) => p.cores >= 0.005).map((p) => `${p.name} ${cores(p.cores)}`);
  return `CPU in the window (cores; 1.00 = one core busy): ${parts.join(', ')}; whole machine ${cores(cpu.machineCores)} of 2, of which ${cores(cpu.otherCores)} by processes outside this benchmark.`;
}

function machineSection(r: BenchReport): string {
  const m = r.machine;
  return [
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['OS', m.os],
        ['CPU', `${m.cpuModel} × ${m.cpuCount}`],
        ['Memory', `${gib(m.memoryBytes)} (${gib(m.freeMemoryBytes)} free at start)`],
        ['Node', m.node],
        ['nats-server', m.natsServer],
        ['FerretDB', m.ferretDb],
        ['Centrifugo', m.centrifugo ?? 'not used'],
        ['Open files limit (RLIMIT_NOFILE)', int(m.openFileLimit)],
        [
          'Load average at start / end',
          `${m.loadAverageAtStart.join(', ')} / ${r.loadAverageAtEnd.join(', ')}`,
        ],
        ['Commit', m.gitCommit],
      ],
    ),
    '',
    'Everything — NATS, FerretDB, both gateways, sequencer, persister, the load generators and the comparison',
    'servers — runs on this one machine at once, and the machine is shared with other work: each scenario lists how',
    'much CPU went where, including processes outside the benchmark.',
  ].join('\n');
}

function comparisonSection(r: BenchReport): string {
  const rows: string[][] = [];
  const ingest = r.ingest?.closed;
  const base = r.baseline?.closed;
  if (ingest !== undefined && base !== undefined) {
    rows.push([
      'Ingest events/s (closed loop)',
      'baseline',
      int(ingest.eventsPerSec),
      int(base.eventsPerSec),
      ratio(ingest.eventsPerSec, base.eventsPerSec),
    ]);
    rows.push([
      'Ingest push → ack p50',
      'baseline',
      ms(ingest.latency.p50Ms),
      ms(base.latency.p50Ms),
      ratio(ingest.latency.p50Ms, base.latency.p50Ms),
    ]);
    rows.push([
      'Ingest push → ack p99',
      'baseline',
      ms(ingest.latency.p99Ms),
      ms(base.latency.p99Ms),
      ratio(ingest.latency.p99Ms, base.latency.p99Ms),
    ]);
  }
  const c = r.centrifugo?.available === true ? r.centrifugo : undefined;
  if (r.fanout !== undefined && c !== undefined) {
    const pairs: Array<[FanoutResult | undefined, FanoutResult | undefined]> = [
      [r.fanoutLight, c.fanoutLight],
      [r.fanout, c.fanout],
    ];
    for (const [ours, theirs] of pairs) {
      if (ours === undefined || theirs === undefined) continue;
      const at = `, ${int(ours.sessions)} sessions × ${ours.offeredEventsPerSec}/s`;
      rows.push([
        `Fan-out deliveries/s${at}`,
        'Centrifugo',
        int(ours.deliveriesPerSec),
        int(theirs.deliveriesPerSec),
        ratio(ours.deliveriesPerSec, theirs.deliveriesPerSec),
      ]);
      rows.push([
        `Fan-out latency p50${at}`,
        'Centrifugo',
        ms(ours.latency.p50Ms),
        ms(theirs.latency.p50Ms),
        ratio(ours.latency.p50Ms, theirs.latency.p50Ms),
      ]);
      rows.push([
        `Fan-out latency p99${at}`,
        'Centrifugo',
        ms(ours.latency.p99Ms),
        ms(theirs.latency.p99Ms),
        ratio(ours.latency.p99Ms, theirs.latency.p99Ms),
      ]);
      if (ours.rssPerSessionBytes !== undefined) {
        rows.push([
          `RSS per subscribed session${at}`,
          'Centrifugo',
          kib(ours.rssPerSessionBytes),
          kib(theirs.rssPerSessionBytes),
          ratio(ours.rssPerSessionBytes, theirs.rssPerSessionBytes),
        ]);
      }
      const oursCpu = serverCores(ours.cpu, [
        'gateway0',
        'gateway1',
        'sequencer',
        'persister',
        'nats-server',
        'ferretdb',
      ]);
      const theirsCpu = serverCores(theirs.cpu, ['centrifugo']);
      rows.push([
        `Server cores per 100,000 deliveries/s${at} (ours: services + NATS + FerretDB)`,
        'Centrifugo',
        cores((100_000 * oursCpu) / ours.deliveriesPerSec),
        cores((100_000 * theirsCpu) / theirs.deliveriesPerSec),
        ratio(oursCpu / ours.deliveriesPerSec, theirsCpu / theirs.deliveriesPerSec),
      ]);
    }
  }
  if (r.connections !== undefined && c !== undefined) {
    rows.push([
      'RSS per idle connection',
      'Centrifugo',
      kib(r.connections.rssPerSessionBytes),
      kib(c.connections.rssPerSessionBytes),
      ratio(r.connections.rssPerSessionBytes, c.connections.rssPerSessionBytes),
    ]);
    rows.push([
      'Idle connects/s (with auth)',
      'Centrifugo',
      int(r.connections.connectsPerSec),
      int(c.connections.connectsPerSec),
      ratio(r.connections.connectsPerSec, c.connections.connectsPerSec),
    ]);
  }
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

function serverCores(cpu: CpuReport, names: readonly string[]): number {
  return cpu.processes.filter((p) => names.includes(p.name)).reduce((n, p) => n + p.cores, 0);
}

function ingestRow(label: string, p: IngestPhaseResult): string[] {
  return [
    label,
    p.offeredEventsPerSec === undefined ? 'as fast as acks allow' : `${int(p.offeredEventsPerSec)} events/s`,
    int(p.eventsPerSec),
    int(p.batchesPerSec),
    ...latencyCells(p.latency),
    counts(p.errors),
    int(p.unacked),
  ];
}

function ingestSection(r: BenchReport): string {
  const i = r.ingest;
  if (i === undefined) return '';
  const rows = [ingestRow('ours, closed loop', i.closed)];
  if (i.open !== undefined) rows.push(ingestRow('ours, open loop', i.open));
  if (r.baseline !== undefined) rows.push(ingestRow('baseline, closed loop', r.baseline.closed));
  const storage = r.storage;
  return [
    '## 1. Ingest',
    '',
    ...(storage === undefined
      ? []
      : [
          "Calibration — the event store alone (MongoEventStore on a fresh FerretDB, the persister's documents and indexes, one",
          '`insert` + `advanceHeads` per write, nothing else running): the pipeline cannot ingest faster than this.',
          '',
          table(
            ['writers', 'events per write', 'events/s', 'write p50', 'write p99', 'FerretDB cores'],
            storage.runs.map((s) => [
              String(s.writers),
              String(s.batchSize),
              int(s.eventsPerSec),
              ms(s.writeP50Ms),
              ms(s.writeP99Ms),
              cores(s.ferretDbCores),
            ]),
          ),
          '',
        ]),
    `${i.clients} clients (one outstanding batch each in the closed loop) push batches of ${i.batchSize} events (${i.payloadBytes} bytes of`,
    `padding in \`_data\`) to ${i.repositories} repositories through both gateways; each token may read ${i.tokenRead === 'own' ? 'its own repository (so each batch is also broadcast to the clients of that repository)' : i.tokenRead === 'all' ? 'every repository' : 'nothing'}. Latency is push → durable ack`,
    '(open loop: from the scheduled send time, so a stalled server is not hidden by a stalled sender).',
    '',
    table(['run', 'offered', 'events/s', 'batches/s', ...LATENCY_HEADER, 'errors', 'unacked'], rows),
    '',
    cpuLine(i.closed.cpu) + ' (closed loop)',
    '',
    `Inside our services (closed loop): ${stagesLine(i.closed.stages)}.`,
    ...(i.open === undefined
      ? []
      : [
          '',
          cpuLine(i.open.cpu) + ' (open loop)',
          '',
          `Inside our services (open loop): ${stagesLine(i.open.stages)}.`,
        ]),
    ...(r.baseline === undefined
      ? []
      : [
          '',
          cpuLine(r.baseline.closed.cpu) + ' (baseline)',
          '',
          `Baseline correctness: ${int(r.baseline.duplicateSequences)} of ${int(r.baseline.storedEvents)} stored events share a (repository, sequence) with another event — FerretDB's \`$inc\` is not atomic.`,
        ]),
  ].join('\n');
}

function fanoutRow(f: FanoutResult): string[] {
  return [
    f.system,
    f.load,
    `${int(f.connected)} / ${int(f.sessions)}`,
    `${f.offeredEventsPerSec} events/s`,
    int(f.deliveriesPerSec),
    int(f.expectedDeliveriesPerSec),
    ...latencyCells(f.latency),
    ms(f.publishAckLatency.p50Ms),
    ms(f.subscribeAllMs),
    kib(f.rssPerSessionBytes),
    `${f.sessionsBehind} / ${f.gaps} / ${f.duplicates}`,
  ];
}

function fanoutSection(r: BenchReport): string {
  const c = r.centrifugo?.available === true ? r.centrifugo : undefined;
  const runs = [r.fanoutLight, c?.fanoutLight, r.fanout, c?.fanout].filter(
    (x): x is FanoutResult => x !== undefined,
  );
  if (runs.length === 0) return '';
  const rows = runs.map(fanoutRow);
  return [
    '## 2. Fan-out',
    '',
    'Sessions subscribe to one repository (ours: `request_events` then live, spread over both gateways; Centrifugo: one',
    'node, `subscribe` to a channel). A publisher in a generator process of its own sends one event per push at a fixed',
    'rate with its send time in `_data.t` (CLOCK_MONOTONIC µs, shared by all processes); every receiver records',
    'now − t. Behind / gaps / duplicates are counted per session after the publisher stopped.',
    '',
    table(
      [
        'system',
        'load',
        'sessions',
        'offered',
        'deliveries/s',
        'expected/s',
        ...LATENCY_HEADER,
        'publish ack p50',
        'subscribe all',
        'RSS/session',
        'behind / gaps / dups',
      ],
      rows,
    ),
    '',
    "The light run stays below what this machine can carry and shows each system's latency floor; the target run is",
    "the load the targets are stated for. Publish ack: ours is the durable ack, Centrifugo's the HTTP API answer.",
    ...runs.flatMap((f) => ['', `${cpuLine(f.cpu)} (${f.system}, ${f.load})`]),
    ...runs
      .filter((f) => f.stages.length > 0)
      .flatMap((f) => ['', `Inside our services (${f.load}): ${stagesLine(f.stages)}.`]),
    ...(r.centrifugo?.available === false ? ['', `Centrifugo was not measured: ${r.centrifugo.reason}`] : []),
  ].join('\n');
}

function stagesLine(stages: readonly StageLatency[]): string {
  if (stages.some((s) => !s.available))
    return 'unavailable (a service did not answer /metrics within 10 s: saturated)';
  return stages
    .filter((s) => s.count > 0)
    .map((s) =>
      s.metric.endsWith('_events')
        ? `${s.stage} p50 ${s.p50Ms.toFixed(0)}, mean ${s.meanMs.toFixed(1)} (${int(s.perSec)} writes/s)`
        : `${s.stage} p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)} (${int(s.perSec)}/s)`,
    )
    .join('; ');
}

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

function connectionsSection(r: BenchReport): string {
  const rows = [r.connections, r.centrifugo?.available === true ? r.centrifugo.connections : undefined]
    .filter((x): x is ConnectionsResult => x !== undefined)
    .map(connectionsRow);
  if (rows.length === 0) return '';
  const notes = [
    r.connections?.limitNote,
    r.centrifugo?.available === true ? r.centrifugo.connections.limitNote : undefined,
  ].filter((n) => n !== undefined);
  return [
    '## 3. Idle connections',
    '',
    `Sessions connect (from ${r.options['source-addresses']} source addresses 127.0.0.x) and authenticate, nothing else, to one server process; RSS`,
    '(VmRSS) is read before and 3 s after the last one authenticated.',
    '',
    table(
      [
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
      ],
      rows,
    ),
    ...[r.connections, r.centrifugo?.available === true ? r.centrifugo.connections : undefined]
      .filter((x): x is ConnectionsResult => x !== undefined)
      .flatMap((c) => ['', `${cpuLine(c.cpu)} (${c.system}, while connecting)`]),
    ...notes.map((n) => `\nNote: ${n}.`),
  ].join('\n');
}

function catchUpSection(r: BenchReport): string {
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
  ].join('\n');
}

function reconnectSection(r: BenchReport): string {
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

function slowSection(r: BenchReport): string {
  const s = r.slowConsumer;
  if (s === undefined) return '';
  const phases = [
    ['stops reading while live', s.live],
    ['stops reading before its catch-up', s.catchUp],
  ] as const;
  const rows: string[][] = [];
  const curves: string[] = [];
  for (const [label, p] of phases) {
    if (p === undefined) continue;
    rows.push([
      label,
      p.disconnectedAfterMs === undefined ? 'never' : ms(p.disconnectedAfterMs),
      `${p.closeCode ?? 'none'} / ${p.errorCode ?? 'none'}`,
      `${mib(p.rssBaselineBytes)} / ${mib(p.rssMaxBytes)} / ${mib(p.rssAfterBytes)}`,
      `${ms(p.healthy.p50Ms)} / ${ms(p.healthy.p99Ms)} / ${ms(p.healthy.maxMs)}`,
      int(p.healthyDeliveriesPerSec),
    ]);
    const every = Math.max(1, Math.ceil(p.rssSamples.length / 10));
    curves.push(
      `Gateway RSS after the session ${label.replace('stops', 'stopped')}: ${p.rssSamples
        .filter((_, i) => i % every === 0)
        .map(([t, rss]) => `${(t / 1000).toFixed(1)} s ${mib(rss)}`)
        .join(' · ')}`,
    );
  }
  return [
    '## 6. Slow consumer',
    '',
    `${s.sessions} healthy sessions and one that stops reading (its socket paused) follow one repository on one gateway;`,
    `${s.ratePerSec} events/s in pushes of ${s.batchSize}, ${int(s.payloadBytes)} bytes each. MAX_OUTBOUND_BYTES = ${mib(s.maxOutboundBytes)} on this`,
    `stack. Healthy sessions without a slow one: p50 ${ms(s.control.p50Ms)}, p99 ${ms(s.control.p99Ms)}, max ${ms(s.control.maxMs)}; ${int(s.controlDeliveriesPerSec)} deliveries/s.`,
    '',
    `Inside our services, control window: ${stagesLine(s.controlStages)}.`,
    '',
    table(
      [
        'slow session',
        'dropped after',
        'close code / error read',
        'gateway RSS before / max / after',
        'healthy p50 / p99 / max',
        'healthy deliveries/s',
      ],
      rows,
    ),
    '',
    ...curves.flatMap((c) => [c, '']),
    `Healthy sessions at the end: ${s.sessionsBehind} behind, ${s.gaps} gaps, ${s.duplicates} duplicates.`,
  ].join('\n');
}

function profileTable(p: ProfileSummary): string {
  return [
    `**${p.service}** — not idle ${pct(100 * p.busyShare)} of the window, GC ${pct(p.busyMs === 0 ? 0 : (100 * p.gcMs) / p.busyMs)} of that. By package: ${p.byPackage
      .slice(0, 6)
      .map((b) => `${b.name} ${pct(b.busyPct)}`)
      .join(', ')}.`,
    '',
    table(
      ['self time', 'function'],
      p.top.slice(0, 8).map((t) => [pct(t.busyPct), `\`${t.name}\``]),
    ),
  ].join('\n');
}

function profileSection(r: BenchReport): string {
  const parts: string[] = [];
  for (const [label, profiles] of [
    ['Ingest (closed-loop window)', r.ingest?.profiles],
    ['Fan-out (measuring window)', r.fanout?.profiles],
  ] as const) {
    if (profiles === undefined || profiles.length === 0) continue;
    parts.push(`### ${label}`, '', ...profiles.map(profileTable).flatMap((t) => [t, '']));
  }
  if (parts.length === 0) return '';
  return [
    '## Where the time goes: CPU profiles',
    '',
    'Each service ran under `node --cpu-prof`; samples inside the measuring window only. Self time is given as a share',
    "of the process's non-idle samples. Samples are wall-clock: when the machine is saturated, time a process waited for a",
    'core is charged to whatever it was running, so compare shares within a process and use the CPU lines above for',
    `absolute cost. Raw profiles: \`${r.profileDir ?? 'not kept'}\` (open in Chrome DevTools or speedscope).`,
    '',
    ...parts,
  ].join('\n');
}

export function renderMarkdown(r: BenchReport): string {
  const targets = targetRows(r);
  return [
    `# Benchmark ${r.date}`,
    '',
    `\`npm run bench${r.argv.length === 0 ? '' : ` -- ${r.argv.join(' ')}`}\` — started ${r.startedAt}, took ${Math.round(r.durationSec)} s. Scenarios: ${r.options.scenarios.join(', ')}.`,
    ...(r.options.experiments.length === 0
      ? []
      : [
          '',
          `**Experiment run:** the services ran with ${r.options.experiments.map((e) => `bench/src/experiments/${e}.ts`).join(', ')} applied — not the code as committed.`,
        ]),
    ...(r.failures.length === 0
      ? []
      : ['', ...r.failures.map((f) => `**Scenario ${f.scenario} failed:** ${f.error.split('\n')[0] ?? ''}`)]),
    '',
    '## Targets',
    '',
    table(
      ['target', 'goal', 'measured', 'status', 'by how much / caveat'],
      targets.map((t) => [
        t.target,
        t.goal,
        t.measured,
        t.status === 'met' ? 'met' : t.status === 'missed' ? '**missed**' : 'not measured',
        t.detail,
      ]),
    ),
    '',
    comparisonSection(r),
    '',
    machineSection(r),
    '',
    ingestSection(r),
    '',
    fanoutSection(r),
    '',
    connectionsSection(r),
    '',
    catchUpSection(r),
    '',
    reconnectSection(r),
    '',
    slowSection(r),
    '',
    profileSection(r),
    '',
    '## Method',
    '',
    '- Load comes from generator child processes (`node` + `ws`, bench/src/load/worker.ts), never from the process that',
    '  keeps time; timestamps are CLOCK_MONOTONIC, comparable across processes.',
    '- The services run as in production, one OS process each, with `RATE_LIMIT_PER_SEC` raised so the per-session',
    '  limiter does not throttle the load generators; every other limit is the default (the slow-consumer stack sets',
    '  `MAX_OUTBOUND_BYTES`). FerretDB uses its SQLite backend.',
    `- Generators run at nice ${r.options['generator-nice']}: the servers get the CPU first, as if the clients ran elsewhere; what is left`,
    '  delays the clients, and shows up in the latencies measured at the clients.',
    '- Percentiles come from log-bucket histograms (≤ 1% error) merged across generators.',
    '- One run per scenario: on a shared 2-core machine, repeat runs before trusting small differences.',
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');
}
