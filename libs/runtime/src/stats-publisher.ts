import type { ServiceStats } from '@lfsync/contracts';
import type { Cancel, Clock, StatsBus } from '@lfsync/ports';
import type { Logger } from 'pino';

export interface StatsPublisherOptions {
  bus: StatsBus;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  /** This process's report now (taken every `intervalMs`). */
  snapshot(): ServiceStats | Promise<ServiceStats>;
}

/** Publishes a stats report at once and then every `intervalMs`; returns the stop function. */
export function startStatsPublisher(options: StatsPublisherOptions): () => void {
  const { bus, intervalMs, clock, logger } = options;
  let stopped = false;
  let cancel: Cancel = () => undefined;
  const tick = () => {
    Promise.resolve()
      .then(() => options.snapshot())
      .then(
        (stats) => {
          if (!stopped) bus.publish(stats);
        },
        (err: unknown) => logger.warn({ err }, 'stats report failed'),
      )
      .finally(() => {
        if (!stopped) cancel = clock.schedule(intervalMs, tick);
      });
  };
  tick();
  return () => {
    stopped = true;
    cancel();
  };
}
