/** The report's frame: what ran where, the targets, where the time went, and how it was measured. */
import type { ProfileSummary } from '../profile/summarize.ts';
import { gib, int, pct, table } from './format.ts';
import type { RoundTrips, WakeCost } from '../system/wake-cost.ts';
import type { BenchReport } from './model.ts';
import { targetRows, type TargetRow } from './targets.ts';

export function headerLines(r: BenchReport): string[] {
  const argv = r.argv.length === 0 ? '' : ` -- ${r.argv.join(' ')}`;
  const experiments = r.options.experiments.map((e) => `bench/src/experiments/${e}.ts`);
  return [
    `# Benchmark ${r.date}`,
    '',
    `\`npm run bench${argv}\` — started ${r.startedAt}, took ${Math.round(r.durationSec)} s. Scenarios: ${r.options.scenarios.join(', ')}.`,
    ...(experiments.length === 0
      ? []
      : [
          '',
          `**Experiment run:** the services ran with ${experiments.join(', ')} applied — not the code as committed.`,
        ]),
    ...(r.failures.length === 0
      ? []
      : ['', ...r.failures.map((f) => `**Scenario ${f.scenario} failed:** ${f.error.split('\n')[0] ?? ''}`)]),
  ];
}

function statusCell(status: TargetRow['status']): string {
  if (status === 'met') return 'met';
  return status === 'missed' ? '**missed**' : 'not measured';
}

export function targetsSection(r: BenchReport): string {
  return [
    '## Targets',
    '',
    table(
      ['target', 'goal', 'measured', 'status', 'by how much / caveat'],
      targetRows(r).map((t) => [t.target, t.goal, t.measured, statusCell(t.status), t.detail]),
    ),
  ].join('\n');
}

export function machineSection(r: BenchReport): string {
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
        ...(m.wakeCost === undefined
          ? []
          : [['Wake-up cost (loopback round trip, two Node processes)', wakeCost(m.wakeCost)]]),
      ],
    ),
    '',
    'Everything — NATS, FerretDB, both gateways, sequencer, persister, the load generators and the comparison',
    'servers — runs on this one machine at once, and the machine is shared with other work: each scenario lists how',
    'much CPU went where, including processes outside the benchmark.',
    ...(m.wakeCost === undefined
      ? []
      : [
          '',
          'The wake-up cost: at a low event rate each hop of our pipeline wakes a process that had gone idle, and',
          'that wake-up, not the work, is most of the CPU per event there; Centrifugo, one process, has fewer hops.',
        ]),
  ].join('\n');
}

function wakeCost(w: WakeCost): string {
  const cell = (r: RoundTrips) => `p50 ${int(r.rttP50Us)} µs, ${int(r.cpuUsPerRoundTrip)} µs of CPU`;
  return `back to back ${cell(w.busy)}; ${w.idle.gapMs} ms apart (both asleep in between) ${cell(w.idle)}`;
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

export function profileSection(r: BenchReport): string {
  const parts: string[] = [];
  for (const [label, profiles] of [
    ['Ingest (closed-loop window)', r.ingest?.profiles],
    ['Fan-out (measuring window of a profiled repeat of the target run)', r.fanout?.profiles],
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

export function methodSection(r: BenchReport): string {
  return [
    '## Method',
    '',
    '- Load comes from generator child processes (`node` + `ws`, bench/src/load/worker.ts), never from the process that',
    '  keeps time; timestamps are CLOCK_MONOTONIC, comparable across processes.',
    '- The services run as in production, one OS process each, with `RATE_LIMIT_PER_SEC` raised so the per-session',
    '  limiter does not throttle the load generators; every other limit is the default (the slow-consumer stack sets',
    '  `MAX_OUTBOUND_BYTES`). FerretDB uses its SQLite backend.',
    `- Generators run at nice ${r.options['generator-nice']}: the servers get the CPU first, as if the clients ran elsewhere; what is left`,
    '  delays the clients, and shows up in the latencies measured at the clients.',
    `- The first window on a fresh stack follows ${r.options['stack-warmup-ms'] / 1000} s of the same load (Centrifugo's too), a later one on`,
    `  the same stack ${r.options['ingest-warmup-ms'] / 1000} s: V8 optimises code run 20 times a second only after tens of seconds.`,
    '- Percentiles come from log-bucket histograms (≤ 1% error) merged across generators.',
    '- One run per scenario: on a shared 2-core machine, repeat runs before trusting small differences.',
  ].join('\n');
}
