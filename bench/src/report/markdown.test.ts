import { describe, expect, it } from 'vitest';
import { int, kib, ms, ratio, table } from './format.ts';
import { renderMarkdown } from './markdown.ts';
import type { BenchReport } from './model.ts';
import { unitCost } from '../system/cost.ts';
import { targetRows } from './targets.ts';

const latency = (p50Ms: number, p99Ms: number) => ({
  count: 100,
  meanMs: p50Ms,
  minMs: 0,
  p50Ms,
  p90Ms: p99Ms,
  p95Ms: p99Ms,
  p99Ms,
  p999Ms: p99Ms,
  maxMs: p99Ms,
});
const cpu = {
  wallSeconds: 10,
  processes: [{ name: 'gateway0', cpuSeconds: 5, cores: 0.5 }],
  machineCores: 1.9,
  otherCores: 0.2,
};

function report(): BenchReport {
  const phase = {
    mode: 'closed' as const,
    offeredEventsPerSec: undefined,
    eventsPerSec: 12_000,
    batchesPerSec: 240,
    latency: latency(20, 60),
    errors: {},
    unacked: 0,
    maxSendLagMs: 0,
    cpu,
    cost: unitCost(cpu, 120_000, 'durable event'),
    stages: [],
  };
  return {
    date: '2026-01-02',
    startedAt: '2026-01-02T03:04:05.000Z',
    durationSec: 300,
    argv: [],
    options: {
      scenarios: ['ingest', 'baseline'],
      experiments: [],
      'source-addresses': 8,
      'generator-nice': 10,
    } as unknown as BenchReport['options'],
    machine: {
      os: 'Linux',
      cpuModel: 'cpu',
      cpuCount: 2,
      memoryBytes: 2 ** 34,
      freeMemoryBytes: 2 ** 33,
      node: 'v20',
      natsServer: 'nats',
      ferretDb: 'ferret',
      centrifugo: undefined,
      openFileLimit: 20_000,
      loadAverageAtStart: [1],
      gitCommit: 'abc',
    },
    loadAverageAtEnd: [1],
    profileDir: undefined,
    ingest: {
      clients: 32,
      repositories: 8,
      batchSize: 50,
      payloadBytes: 100,
      tokenRead: 'own',
      closed: phase,
      open: {
        ...phase,
        mode: 'open',
        offeredEventsPerSec: 6_000,
        eventsPerSec: 6_000,
        latency: latency(5, 80),
      },
      fixed: {
        ...phase,
        mode: 'open',
        offeredEventsPerSec: 1_000,
        eventsPerSec: 1_000,
        latency: latency(4, 9),
      },
      profiles: [],
    },
    baseline: { closed: { ...phase, eventsPerSec: 600 }, duplicateSequences: 3, storedEvents: 6_000 },
    failures: [],
  };
}

describe('format', () => {
  it('formats numbers for tables', () => {
    expect(int(1234567.4)).toBe('1,234,567');
    expect(ms(1.234)).toBe('1.23 ms');
    expect(ms(12.34)).toBe('12.3 ms');
    expect(ms(2500)).toBe('2,500 ms');
    expect(kib(20 * 1024)).toBe('20.0 KiB');
    expect(ratio(3, 2)).toBe('1.50×');
    expect(ratio(1, 0)).toBe('–');
    expect(table(['a', 'b'], [['1', 'x|y']])).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |');
  });
});

describe('targetRows', () => {
  it('says which targets are met and by how much the others are missed', () => {
    const rows = targetRows(report());
    expect(rows.find((r) => r.target.startsWith('Ingest throughput'))).toMatchObject({ status: 'met' });
    expect(rows.find((r) => r.target === 'Ingest vs naive baseline')).toMatchObject({ status: 'met' });
    expect(rows.find((r) => r.target === 'Ingest vs naive baseline')?.measured).toContain('20.0×');
    expect(rows.find((r) => r.target.startsWith('Push → ack p99 at 50%'))).toMatchObject({
      status: 'missed',
      detail: '1.60× the limit',
    });
    expect(rows.find((r) => r.target === 'Push → ack p99 at 1,000 events/s')).toMatchObject({
      goal: '≤ 10 ms',
      measured: '9.00 ms (p50 4.00 ms)',
      status: 'met',
    });
    expect(rows.find((r) => r.target === 'Fan-out deliveries')).toMatchObject({ status: 'not measured' });
    expect(rows.find((r) => r.target.startsWith('Our services’ CPU per durable event'))).toMatchObject({
      status: 'met',
      measured: '42 µs',
    });
  });
});

describe('renderMarkdown', () => {
  it('renders the targets, the comparison with the baseline and the ingest table', () => {
    const markdown = renderMarkdown(report());
    expect(markdown).toContain('# Benchmark 2026-01-02');
    expect(markdown).toContain('| Ingest events/s (closed loop) | baseline | 12,000 | 600 | 20.0× |');
    expect(markdown).toContain('| ours, open loop | 6,000 events/s | 6,000 |');
    expect(markdown).toContain('| ours, open loop at a fixed rate | 1,000 events/s | 1,000 |');
    expect(markdown).toContain('3 of 6,000 stored events share a (repository, sequence)');
    expect(markdown).toContain('gateway0 0.50 (5.0 s)');
    expect(markdown).toContain('Cost: services 42 µs of CPU per durable event.');
    expect(markdown).not.toMatch(/\n\n\n/);
  });

  it('shows the wake-up cost in the machine table when it was measured', () => {
    const r = report();
    expect(renderMarkdown(r)).not.toContain('Wake-up cost');
    r.machine.wakeCost = {
      busy: { count: 2_000, rttP50Us: 82.5, cpuUsPerRoundTrip: 124.6 },
      idle: { count: 150, rttP50Us: 1_322.4, cpuUsPerRoundTrip: 710.7, gapMs: 20 },
    };
    expect(renderMarkdown(r)).toContain(
      '| Wake-up cost (loopback round trip, two Node processes) | back to back p50 83 µs, 125 µs of CPU; 20 ms apart (both asleep in between) p50 1,322 µs, 711 µs of CPU |',
    );
  });
});
