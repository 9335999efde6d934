import { parseArgs } from 'node:util';
import { SNAPSHOT_STORES, type SnapshotStore } from './scenarios/snapshot.ts';

const SCENARIOS = [
  'storage',
  'ingest',
  'hot',
  'sequencer',
  'baseline',
  'fanout',
  'centrifugo',
  'connections',
  'catchup',
  'reconnect',
  'slow',
  'many-users',
  'catchup-store',
  'snapshot',
  'index-window',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** Run only when named in --scenarios: loading a million events takes minutes. */
const ON_REQUEST: readonly ScenarioName[] = ['catchup-store', 'index-window'];

/** Every knob, with its default (the short default run) and what it means; `--help` prints this table. */
const NUMBER_FLAGS = {
  generators: [4, 'load-generator child processes'],
  'generator-nice': [
    10,
    'nice value of the generator processes, so the servers get the CPU first (0 = same priority)',
  ],
  'ingest-clients': [32, 'ingest: pushing clients (spread over both gateways)'],
  'ingest-repos': [8, 'ingest: repositories the clients push to (client i → repository i mod R)'],
  'ingest-batch': [50, 'ingest: events per push_events_batch'],
  'ingest-payload': [100, 'ingest: bytes of padding in each event _data'],
  'stack-warmup-ms': [
    30_000,
    'warm-up before the first window on a fresh stack (ingest, hot repository, baseline, fan-out): V8 optimises a function only after hundreds to thousands of calls, which a path run 20 times a second reaches after tens of seconds; 3,000 was the default until 2026-12-01',
  ],
  'ingest-warmup-ms': [3_000, 'ingest: warm-up before a window that follows another on the same stack'],
  'ingest-duration-ms': [15_000, 'ingest: closed-loop measuring window'],
  'ingest-open-duration-ms': [15_000, 'ingest: open-loop measuring window'],
  'ingest-open-fraction': [0.5, 'ingest: open-loop rate as a fraction of the closed-loop maximum'],
  'ingest-fixed-rate': [
    1_000,
    'ingest: events/s of an open loop at a fixed, moderate rate, run before the closed loop (0 = skip)',
  ],
  'hot-clients': [8, 'hot repository: clients pushing into the one repository (over both gateways)'],
  'hot-batch': [20, 'hot repository: events per push_events_batch'],
  'hot-duration-ms': [15_000, 'hot repository: closed-loop measuring window'],
  'baseline-duration-ms': [10_000, 'baseline: closed-loop measuring window (same clients, repos, batch)'],
  'fanout-sessions': [5_000, 'fan-out: subscribed sessions, spread over 2 gateways'],
  'fanout-rate': [
    42,
    'fan-out: events pushed per second to the one repository (42 × 5,000 offers 210,000 deliveries/s)',
  ],
  'fanout-light-sessions': [
    1_000,
    'fan-out: sessions of a first, lighter run that does not saturate the machine (0 = skip)',
  ],
  'fanout-light-rate': [20, 'fan-out: events per second of the lighter run'],
  'fanout-batch': [1, 'fan-out: events per push'],
  'fanout-payload': [100, 'fan-out: bytes of padding in each event'],
  'fanout-duration-ms': [15_000, 'fan-out: measuring window'],
  'centrifugo-build-timeout-s': [900, 'centrifugo: time box for `go install` when the binary is not cached'],
  connections: [5_000, 'connections: idle authenticated sessions on one gateway (try 20000)'],
  'connect-concurrency': [256, 'connections: connects in flight at once (all generators together)'],
  'source-addresses': [8, 'connections: 127.0.0.x source addresses to spread client ports over'],
  'catchup-events': [100_000, 'catch-up: events stored in the repository before the timed reads'],
  'catchup-runs': [3, 'catch-up: timed fresh-client reads'],
  'catchup-load-clients': [4, 'catch-up: sessions loading the events (batches of 500)'],
  'catchup-store-events': [100_000, 'catchup-store: events of the repository read'],
  'catchup-store-batch': [100, 'catchup-store: events per log batch of the repository read'],
  'catchup-store-others': [1_000_000, 'catchup-store: events stored in other repositories'],
  'catchup-store-other-repos': [1_000, 'catchup-store: how many other repositories'],
  'catchup-store-other-batch': [10, 'catchup-store: events per log batch in the other repositories'],
  'storm-sessions': [1_000, 'reconnect storm: sessions dropped at once'],
  'storm-rate': [20, 'reconnect storm: events pushed per second during the storm'],
  'storm-jitter-ms': [0, 'reconnect storm: spread reconnects over this many ms (0 = all at once)'],
  'slow-sessions': [20, 'slow consumer: healthy sessions next to the slow one (same gateway)'],
  'slow-rate': [300, 'slow consumer: events pushed per second'],
  'slow-batch': [10, 'slow consumer: events per push'],
  'slow-payload': [2_048, 'slow consumer: bytes of padding per event'],
  'slow-max-outbound-bytes': [
    1_048_576,
    "slow consumer: the gateway's MAX_OUTBOUND_BYTES (its own stack; default of the service: 8 MiB)",
  ],
  'slow-control-ms': [6_000, 'slow consumer: window without the slow session (control latency)'],
  'slow-timeout-ms': [30_000, 'slow consumer: give up waiting for the gateway to drop the slow session'],
  'many-users-sessions': [
    1_000,
    'many-users: sessions over 2 gateways, each on its own and its team-of-10 repository',
  ],
  'many-users-repositories': [
    2_000,
    'many-users: repositories with events at the second memory reading (the first: 1,000; full size: 10000)',
  ],
  'many-users-rate': [200, 'many-users: events per second during the latency window'],
  'many-users-duration-ms': [15_000, 'many-users: latency window'],
  'many-users-idle-commits': [
    5_000,
    'many-users: commits to repositories nobody subscribed to (CPU per commit)',
  ],
  'snapshot-events': [
    20_000,
    'snapshot: events of the state-style repository, written straight into the store (full size: 1000000)',
  ],
  'snapshot-entities': [200, 'snapshot: entities those events are about (full size: 10000)'],
  'snapshot-runs': [1, 'snapshot: fresh-client reads of each kind (replay, snapshot) per store'],
  'index-window-events': [
    200_000,
    'index-window: events pushed to the embedded mode, with and without the TTL',
  ],
  'index-window-ttl-ms': [
    10_000,
    'index-window: EVENT_INDEX_TTL_MS of the bounded run (short, so that the run spans several windows)',
  ],
  'slow-catchup-ms': [
    20_000,
    'slow consumer: how long to watch a session that stops reading during its catch-up (0 = skip)',
  ],
} as const satisfies Record<string, readonly [number, string]>;

type NumberFlag = keyof typeof NUMBER_FLAGS;

/** Modules in bench/src/experiments/ (none at the moment: the last one, noAsyncTraces, was applied). */
const EXPERIMENTS: readonly string[] = [];

export type BenchOptions = { [K in NumberFlag]: number } & {
  scenarios: ScenarioName[];
  /** Proposed service changes applied at load time (bench/src/experiments/), to measure them unedited. */
  experiments: string[];
  profile: boolean;
  out: string;
  /** Which repositories an ingest client's token may read: its own, all (every client gets every batch), none. */
  ingestRead: 'own' | 'all' | 'none';
  /** Where the snapshot scenario keeps its repository. */
  snapshotStores: SnapshotStore[];
};

const USAGE = `npm run bench -- [flags]

  --scenarios a,b,…   subset of ${SCENARIOS.join(',')} (default: all but ${ON_REQUEST.join(', ')})
  --no-profile         do not run the services under --cpu-prof
  --out DIR            results directory (default bench/results)
  --ingest-read MODE   own | all | none: what an ingest client's token may read (default own)
  --snapshot-stores a,b  stores of the snapshot scenario: ${SNAPSHOT_STORES.join(', ')} (default: lmdb)
  --experiment a,b     run the services with proposed changes applied at load time: ${EXPERIMENTS.join(', ')}
${Object.entries(NUMBER_FLAGS)
  .map(([flag, [value, help]]) => `  --${flag.padEnd(28)} ${help} (default ${value})`)
  .join('\n')}
`;

function isOneOf<T extends string>(value: string, known: readonly T[]): value is T {
  return (known as readonly string[]).includes(value);
}

/** A comma-separated list whose items must each be one of `known`. */
function parseList<T extends string>(raw: string, known: readonly T[], what: string): T[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.map((item) => {
    if (!isOneOf(item, known)) throw new Error(`unknown ${what} "${item}"; known: ${known.join(', ')}`);
    return item;
  });
}

function parseNumbers(values: Record<string, unknown>): { [K in NumberFlag]: number } {
  return Object.fromEntries(
    Object.entries(NUMBER_FLAGS).map(([flag, [fallback]]) => {
      const raw = values[flag];
      if (raw === undefined) return [flag, fallback];
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0)
        throw new Error(
          `--${flag} needs a non-negative number, got "${typeof raw === 'string' ? raw : JSON.stringify(raw)}"`,
        );
      return [flag, value];
    }),
  ) as { [K in NumberFlag]: number };
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowNegative: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      scenarios: { type: 'string' },
      profile: { type: 'boolean', default: true },
      out: { type: 'string', default: 'bench/results' },
      'ingest-read': { type: 'string', default: 'own' },
      experiment: { type: 'string', default: '' },
      'snapshot-stores': { type: 'string', default: 'lmdb' },
      ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  if (values.help === true) return 'help';
  const ingestRead = values['ingest-read'];
  if (!isOneOf(ingestRead, ['own', 'all', 'none'] as const))
    throw new Error('--ingest-read is own, all or none');
  return {
    ...parseNumbers(values),
    scenarios: parseList(
      values.scenarios ?? SCENARIOS.filter((s) => !ON_REQUEST.includes(s)).join(','),
      SCENARIOS,
      'scenario',
    ),
    experiments: parseList(values.experiment, EXPERIMENTS, 'experiment'),
    profile: values.profile,
    out: values.out,
    ingestRead,
    snapshotStores: parseList(values['snapshot-stores'], SNAPSHOT_STORES, 'snapshot store'),
  };
}

export function usage(): string {
  return USAGE;
}
