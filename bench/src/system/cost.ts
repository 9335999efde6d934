import type { CpuReport } from './proc.ts';

/**
 * CPU per unit of work (a durable event, a delivery) over a measuring window, split so that our own
 * services' cost shows apart from NATS, the database and the load generators. CPU-seconds come from
 * /proc/<pid>/stat (utime + stime), which a busy shared machine distorts far less than wall time.
 */
export interface UnitCost {
  /** What one unit is: `durable event`, `delivery`. */
  unit: string;
  units: number;
  /** The system under test's own processes: gateways, sequencer, persister (or the baseline, Centrifugo). */
  servicesUs: number;
  natsUs: number;
  databaseUs: number;
  generatorsUs: number;
}

const SERVICE = /^(gateway\d*|sequencer|persister|baseline|centrifugo)$/;

function secondsOf(cpu: CpuReport, match: (name: string) => boolean): number {
  return cpu.processes.filter((p) => match(p.name)).reduce((n, p) => n + p.cpuSeconds, 0);
}

export function unitCost(cpu: CpuReport, units: number, unit: string): UnitCost {
  const perUnit = (seconds: number) => (units > 0 ? (seconds * 1e6) / units : Number.NaN);
  return {
    unit,
    units,
    servicesUs: perUnit(secondsOf(cpu, (n) => SERVICE.test(n))),
    natsUs: perUnit(secondsOf(cpu, (n) => n === 'nats-server')),
    databaseUs: perUnit(secondsOf(cpu, (n) => n === 'ferretdb')),
    generatorsUs: perUnit(secondsOf(cpu, (n) => n === 'generators')),
  };
}

function us(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 10 ? `${value.toFixed(0)} µs` : `${value.toFixed(1)} µs`;
}

/** `services 41 µs, NATS 12 µs, FerretDB 60 µs (load generators 9 µs) of CPU per durable event`. */
export function describeCost(c: UnitCost): string {
  const parts = [`services ${us(c.servicesUs)}`];
  if (c.natsUs > 0) parts.push(`NATS ${us(c.natsUs)}`);
  if (c.databaseUs > 0) parts.push(`FerretDB ${us(c.databaseUs)}`);
  const generators = c.generatorsUs > 0 ? ` (load generators ${us(c.generatorsUs)})` : '';
  return `${parts.join(', ')}${generators} of CPU per ${c.unit}`;
}
