import type { PersisterStats } from '@lfsync/contracts';
import type { Clock, StatsBus } from '@lfsync/ports';
import { startStatsPublisher } from '@lfsync/runtime';
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import type { PersisterMetrics } from './metrics.ts';

export interface PersisterStatsSource {
  bus: StatsBus;
  instance: string;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  metrics: PersisterMetrics;
  /** Whether the consumer gauges are kept up to date (a JetStream consumer; not the embedded log). */
  measuresLag: boolean;
}

/**
 * Reports the persister's lag (the log consumer's pending messages), the events it stored and the
 * repositories it committed to, every `intervalMs`, for the admin dashboard; returns the stop function.
 */
export function reportPersisterStats(source: PersisterStatsSource): () => void {
  const { instance, intervalMs, clock, metrics } = source;
  return startStatsPublisher({
    ...source,
    snapshot: async (): Promise<PersisterStats> => {
      const active = (await valueOf(metrics.active)) === 1;
      const lag =
        source.measuresLag && active
          ? {
              pending: await valueOf(metrics.consumerPending),
              ackPending: await valueOf(metrics.consumerAckPending),
            }
          : {};
      return {
        service: 'persister',
        instance,
        atMs: clock.now(),
        intervalMs,
        active,
        ...lag,
        eventsStored: (await metrics.events.get()).values[0]?.value ?? 0,
        repositories: metrics.activity.take(),
      };
    },
  });
}

async function valueOf(gauge: Gauge): Promise<number> {
  return (await gauge.get()).values[0]?.value ?? 0;
}
