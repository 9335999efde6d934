import { describe, expect, it } from 'vitest';
import { describeCost, unitCost } from './cost.ts';
import type { CpuReport } from './proc.ts';

const share = (name: string, cpuSeconds: number) => ({ name, cpuSeconds, cores: cpuSeconds / 10 });

describe('unitCost', () => {
  it('splits the CPU per unit into our services, NATS, the database and the generators', () => {
    const cpu: CpuReport = {
      wallSeconds: 10,
      processes: [
        share('gateway0', 1),
        share('gateway1', 1),
        share('sequencer', 0.5),
        share('persister', 0.5),
        share('nats-server', 1),
        share('ferretdb', 4),
        share('generators', 2),
        share('bench', 0.1),
      ],
      machineCores: 1,
      otherCores: 0,
    };
    const cost = unitCost(cpu, 100_000, 'durable event');
    expect(cost).toMatchObject({ servicesUs: 30, natsUs: 10, databaseUs: 40, generatorsUs: 20 });
    expect(describeCost(cost)).toBe(
      'services 30 µs, NATS 10 µs, FerretDB 40 µs (load generators 20 µs) of CPU per durable event',
    );
  });

  it('has no cost per unit when nothing was done', () => {
    expect(
      unitCost({ wallSeconds: 1, processes: [], machineCores: 0, otherCores: 0 }, 0, 'x').servicesUs,
    ).toBeNaN();
  });
});
