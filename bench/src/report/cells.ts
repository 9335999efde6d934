/** Cells and lines that several sections of the report share. */
import type { StageLatency } from '../scenarios/stage-metrics.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { describeCost, type UnitCost } from '../system/cost.ts';
import type { CpuReport } from '../system/proc.ts';
import { cores, int, ms } from './format.ts';

export const LATENCY_HEADER = ['p50', 'p95', 'p99', 'max'];

export function latencyCells(l: LatencySummary): string[] {
  return [ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs)];
}

/** Cores and CPU-seconds per process over the window; with `cost`, also the CPU per unit of work. */
export function cpuLine(cpu: CpuReport, cost?: UnitCost): string {
  const parts = cpu.processes
    .filter((p) => p.cores >= 0.005)
    .map((p) => `${p.name} ${cores(p.cores)} (${p.cpuSeconds.toFixed(1)} s)`);
  const line = `CPU in the window (cores, 1.00 = one core busy; CPU-seconds in ${cpu.wallSeconds.toFixed(0)} s): ${parts.join(', ')}; whole machine ${cores(cpu.machineCores)} of 2, of which ${cores(cpu.otherCores)} by processes outside this benchmark.`;
  return cost === undefined ? line : `${line} Cost: ${describeCost(cost)}.`;
}

export function stagesLine(stages: readonly StageLatency[]): string {
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

/** The lines of an optional part: nothing when absent, else a blank line before it. */
export function optional<T>(value: T | undefined, lines: (value: T) => string[]): string[] {
  return value === undefined ? [] : ['', ...lines(value)];
}
