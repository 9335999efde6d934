import type { ServiceStats } from '@lfsync/contracts';

/**
 * How services report their stats to the gateways' admin dashboards (a core NATS subject, or an in-process
 * bus): at most once, to every listener at that moment.
 */
export interface StatsBus {
  publish(stats: ServiceStats): void;
  /** Every service's reports from now on; returns the unsubscribe function. */
  subscribe(onStats: (stats: ServiceStats) => void): () => void;
}
