import type { Clock, StatsBus } from '@lfsync/ports';
import { startStatsPublisher } from '@lfsync/runtime';
import type { Logger } from 'pino';

export interface SequencerStatsSource {
  bus: StatsBus;
  instance: string;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  requestsInFlight(): number;
  queuedEvents(): number;
}

/** Reports the sequencer's queue for the admin dashboard every `intervalMs`; returns the stop function. */
export function reportSequencerStats(source: SequencerStatsSource): () => void {
  const { instance, intervalMs, clock } = source;
  return startStatsPublisher({
    ...source,
    snapshot: () => ({
      service: 'sequencer',
      instance,
      atMs: clock.now(),
      intervalMs,
      requestsInFlight: source.requestsInFlight(),
      queuedEvents: source.queuedEvents(),
    }),
  });
}
