/** The report's sections on pushing load through the system: ingest and fan-out. */
import type { FanoutResult } from '../scenarios/fanout.ts';
import type { IngestPhaseResult, IngestResult } from '../scenarios/ingest.ts';
import type { SequencerAloneResult } from '../scenarios/sequencer-alone.ts';
import type { StorageResult } from '../scenarios/storage.ts';
import { cpuLine, LATENCY_HEADER, latencyCells, optional, stagesLine } from './cells.ts';
import { cores, counts, int, kib, ms, table } from './format.ts';
import type { BenchReport } from './model.ts';

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

function storageLines(storage: StorageResult): string[] {
  return [
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
  ];
}

function tokenReadText(read: string): string {
  if (read === 'own')
    return 'its own repository (so each batch is also broadcast to the clients of that repository)';
  return read === 'all' ? 'every repository' : 'nothing';
}

function ingestRows(r: BenchReport, i: IngestResult): string[][] {
  const rows = [ingestRow('ours, closed loop', i.closed)];
  if (i.open !== undefined) rows.push(ingestRow('ours, open loop', i.open));
  if (i.fixed !== undefined) rows.push(ingestRow('ours, open loop at a fixed rate', i.fixed));
  if (r.baseline !== undefined) rows.push(ingestRow('baseline, closed loop', r.baseline.closed));
  return rows;
}

export function ingestSection(r: BenchReport): string {
  const i = r.ingest;
  if (i === undefined) return '';
  return [
    '## 1. Ingest',
    '',
    ...(r.storage === undefined ? [] : storageLines(r.storage)),
    `${i.clients} clients (one outstanding batch each in the closed loop) push batches of ${i.batchSize} events (${i.payloadBytes} bytes of`,
    `padding in \`_data\`) to ${i.repositories} repositories through both gateways; each token may read ${tokenReadText(i.tokenRead)}. Latency is push → durable ack`,
    '(open loop: from the scheduled send time, so a stalled server is not hidden by a stalled sender).',
    '',
    table(
      ['run', 'offered', 'events/s', 'batches/s', ...LATENCY_HEADER, 'errors', 'unacked'],
      ingestRows(r, i),
    ),
    '',
    cpuLine(i.closed.cpu, i.closed.cost) + ' (closed loop)',
    '',
    `Inside our services (closed loop): ${stagesLine(i.closed.stages)}.`,
    ...optional(i.open, (open) => [
      cpuLine(open.cpu, open.cost) + ' (open loop)',
      '',
      `Inside our services (open loop): ${stagesLine(open.stages)}.`,
    ]),
    ...optional(i.fixed, (fixed) => [
      cpuLine(fixed.cpu, fixed.cost) + ' (open loop at a fixed rate)',
      '',
      `Inside our services (open loop at a fixed rate): ${stagesLine(fixed.stages)}.`,
    ]),
    ...optional(r.baseline, (baseline) => [
      cpuLine(baseline.closed.cpu, baseline.closed.cost) + ' (baseline)',
      '',
      `Baseline correctness: ${int(baseline.duplicateSequences)} of ${int(baseline.storedEvents)} stored events share a (repository, sequence) with another event — FerretDB's \`$inc\` is not atomic.`,
    ]),
  ].join('\n');
}

function sequencerAloneLines(a: SequencerAloneResult): string[] {
  return [
    '',
    `The sequencer alone (its own nats-server, no gateway, persister or database; ${a.requesters} requesters × ${a.batchSize} events`,
    `straight on the bus, one repository): ${int(a.eventsPerSec)} events/s, request → reply p50 ${ms(a.latency.p50Ms)}, p99 ${ms(a.latency.p99Ms)}.`,
    '',
    cpuLine(a.cpu, a.cost),
  ];
}

export function hotRepositorySection(r: BenchReport): string {
  const h = r.hotRepository;
  const alone = optional(r.sequencerAlone, sequencerAloneLines);
  if (h === undefined) return alone.length === 0 ? '' : ['### One hot repository', ...alone].join('\n');
  return [
    '### One hot repository',
    '',
    `${h.clients} clients push batches of ${h.batchSize} events (${h.payloadBytes} bytes of padding) into one repository through both`,
    'gateways, closed loop, services not under the profiler. A repository is sequenced by one serial chain: this',
    'is what group commit makes of it.',
    '',
    table(
      ['run', 'events/s', 'batches/s', ...LATENCY_HEADER, 'errors', 'unacked'],
      [ingestRow('one repository, closed loop', h.closed).filter((_, i) => i !== 1)],
    ),
    '',
    cpuLine(h.closed.cpu, h.closed.cost),
    '',
    `Inside our services: ${stagesLine(h.closed.stages)}.`,
    '',
    `Batch documents merged into chunks whose deletes were still waiting for a quiet database when the window ended: ${int(h.mergedPartsWaiting)} (deferred while fewer than 2,000 wait; beyond, they go in line with the persister's writes).`,
    ...alone,
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

const FANOUT_HEADER = [
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
];

export function fanoutSection(r: BenchReport): string {
  const c = r.centrifugo?.available === true ? r.centrifugo : undefined;
  const runs = [r.fanoutLight, c?.fanoutLight, r.fanout, c?.fanout].filter(
    (x): x is FanoutResult => x !== undefined,
  );
  if (runs.length === 0) return '';
  return [
    '## 2. Fan-out',
    '',
    'Sessions subscribe to one repository (ours: `request_events` then live, spread over both gateways; Centrifugo: one',
    'node, `subscribe` to a channel). A publisher in a generator process of its own sends one event per push at a fixed',
    'rate with its send time in `_data.t` (CLOCK_MONOTONIC µs, shared by all processes); every receiver records',
    'now − t. Behind / gaps / duplicates are counted per session after the publisher stopped.',
    '',
    table(FANOUT_HEADER, runs.map(fanoutRow)),
    '',
    "The light run stays below what this machine can carry and shows each system's latency floor; the target run is",
    "the load the targets are stated for. Publish ack: ours is the durable ack, Centrifugo's the HTTP API answer.",
    ...runs.flatMap((f) => ['', `${cpuLine(f.cpu, f.cost)} (${f.system}, ${f.load})`]),
    ...runs
      .filter((f) => f.stages.length > 0)
      .flatMap((f) => ['', `Inside our services (${f.load}): ${stagesLine(f.stages)}.`]),
    ...(r.centrifugo?.available === false ? ['', `Centrifugo was not measured: ${r.centrifugo.reason}`] : []),
  ].join('\n');
}
